# The two-person curriculum with every training item's colours turned by one random
# hue (views and backgrounds alike: RandomHueRotation), so that the model sees other
# clothing colours than those of its two training people. Measured on the validation
# split of unseen people (val_000) and the test split: docs/benchmarks.md. It helps
# with two training people and adds nothing with six (the nsd_synthetic_2p_casts3.py
# data), so it is not part of the recipe.
_base_ = ['../nsd_synthetic_2p.py']

train_pipeline = [
    dict(type='SampleViews', num_views=2, mode='random'),
    dict(type='LoadMultiViewImages', cache_mb=512),
    dict(type='BackgroundProposals', threshold=10, max_proposals=4),
    dict(type='RandomHueRotation', max_degrees=180.0),
    dict(type='PackMultiViewInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
