# Built-in synthetic scenes (tools/dataset_converters/make_synthetic.py), one person.
# Training and held-out sequences come from one generated root; point any config at
# another dataset in the toolkit format with --cfg-options
#   train_dataloader.dataset.data_root=DIR val_dataloader.dataset.data_root=DIR
dataset_type = 'MultiViewDataset'
data_root = 'data/synthetic_1p'
train_sequences = ['seq_000', 'seq_001', 'seq_002']
val_sequences = ['seq_003']

train_pipeline = [
    dict(type='SampleViews', num_views=2, mode='random'),
    dict(type='LoadMultiViewImages'),
    dict(type='PackMultiViewInputs'),
]
val_pipeline = [
    dict(type='SampleViews', mode='all'),
    dict(type='LoadMultiViewImages'),
    dict(type='PackMultiViewInputs'),
]

train_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        sequences=train_sequences,
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        sequences=val_sequences,
        frame_interval=5,
        test_mode=True,
        pipeline=val_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(type='DecompositionMetric')
test_evaluator = val_evaluator
