# What every multi-view dataset base shares (sized for a paper-size machine; the
# synthetic base resizes the loaders for 2 cores): the pipelines without resizing, the
# loaders (random pairs of views in training, every view of a frame in evaluation), and
# the evaluators. A dataset base inherits this and sets its dataset fields (type,
# data_root, its split keys) and, where it resizes or decodes otherwise, its pipelines;
# `test_dataloader = val_dataloader` there merges with the evaluation loader below.
train_pipeline = [
    dict(type='SampleViews', num_views=2, mode='random'),
    dict(type='LoadMultiViewImages'),
    dict(type='PackMultiViewInputs'),
]
# evaluation sees every view of a frame; the rest as in training
val_pipeline = [dict(type='SampleViews', mode='all'), *train_pipeline[1:]]

# Batching on a GPU machine: the workers stack each batch (multiview_collate; the
# scope prefix because mmengine's Runner looks collate functions up by full name),
# the loader pins it, and the model's data preprocessor copies the uint8 images to
# the device asynchronously and normalises them there (docs/benchmarks.md)
multiview_collate = dict(type='nsd_toolkit.multiview_collate')
train_dataloader = dict(
    batch_size=16,
    num_workers=8,
    persistent_workers=True,
    pin_memory=True,
    collate_fn=multiview_collate,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    # self-supervised: the labels (instance masks, 3D joints) are never read in
    # training; a labelled training set (configs/pose/) sets with_labels=True
    dataset=dict(pipeline=train_pipeline, with_labels=False))
val_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    pin_memory=True,
    collate_fn=multiview_collate,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(test_mode=True, pipeline=val_pipeline))
test_dataloader = val_dataloader

# NovelViewMetric needs no labels: it also validates unlabelled captures
val_evaluator = [
    dict(type='DecompositionMetric'),
    dict(type='NovelViewMetric')
]
test_evaluator = val_evaluator
