# The research code's boxing layout: ROOT/labels.h5 + seq_XXX/cam_XX/img_XXXXXX.jpg
# (docs/en/user_guides/boxing_layout.md). Frames are used at 910x512 as in the paper.
# Pick held-out sequences for validation with
#   --cfg-options "val_dataloader.dataset.sequences=['seq_005']" ...
dataset_type = 'BoxingDataset'
data_root = 'data/boxing'
image_size = (910, 512)

train_pipeline = [
    dict(type='SampleViews', num_views=2, mode='random'),
    dict(type='LoadMultiViewImages'),
    dict(type='ResizeMultiView', size=image_size),
    dict(type='PackMultiViewInputs'),
]
val_pipeline = [
    dict(type='SampleViews', mode='all'),
    dict(type='LoadMultiViewImages'),
    dict(type='ResizeMultiView', size=image_size),
    dict(type='PackMultiViewInputs'),
]

train_dataloader = dict(
    batch_size=16,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type, data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        frame_interval=25,
        test_mode=True,
        pipeline=val_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(type='DecompositionMetric')
test_evaluator = val_evaluator
