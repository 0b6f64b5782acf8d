# Shelf (Belagiannis et al.) read in place (docs/en/dataset_zoo.md): DATA_ROOT with
# calibration_shelf.json, actorsGT.mat and Camera0-4/; 5 cameras at 1032x776 used at
# 516x388, 4 actors. Split as Campus (campus.py): the evaluation frames 300-600
# (split='test') are validation = test, every other frame trains NSD without labels.
_base_ = ['./campus.py']

dataset_type = 'ShelfDataset'
data_root = 'data/shelf'
image_size = (516, 388)

train_pipeline = [
    dict(type='SampleViews', num_views=2, mode='random'),
    dict(type='LoadMultiViewImages'),
    dict(type='ResizeMultiView', size=image_size),
    dict(type='PackMultiViewInputs'),
]
val_pipeline = [dict(type='SampleViews', mode='all'), *train_pipeline[1:]]

train_dataloader = dict(
    dataset=dict(
        type=dataset_type, data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, pipeline=val_pipeline))
test_dataloader = val_dataloader
