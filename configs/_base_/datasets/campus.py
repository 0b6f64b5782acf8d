# Campus (Belagiannis et al.) read in place (docs/en/dataset_zoo.md): DATA_ROOT with
# calibration_campus.json, actorsGT.mat and Camera0-2/; 3 cameras at 360x288, 3 actors.
# Split: the community's evaluation frames 350-470 and 650-750 (split='test', as the
# multi-view pose papers use them) are validation = test; NSD trains without labels on
# every other frame (split='train'). Unlabelled captures: gt_file=None.
dataset_type = 'CampusDataset'
data_root = 'data/campus'

train_pipeline = [
    dict(type='SampleViews', num_views=2, mode='random'),
    dict(type='LoadMultiViewImages'),
    dict(type='PackMultiViewInputs'),
]
# evaluation sees every view of a frame; the rest as in training
val_pipeline = [dict(type='SampleViews', mode='all'), *train_pipeline[1:]]

train_dataloader = dict(
    batch_size=16,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='test',
        test_mode=True,
        pipeline=val_pipeline))
test_dataloader = val_dataloader

# NovelViewMetric needs no labels: it also validates unlabelled captures
val_evaluator = [
    dict(type='DecompositionMetric'),
    dict(type='NovelViewMetric')
]
test_evaluator = val_evaluator
