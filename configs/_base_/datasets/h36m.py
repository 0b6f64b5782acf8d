# Human3.6M in mmpose's preprocessing, read in place (docs/en/dataset_zoo.md): the
# 4 cameras of one moment form one sample. Frames are used at 500x500 as in the paper
# (the cameras are 1000x1000 and 1000x1002: each view is resized with its own
# intrinsics).
# Split (the standard protocol, the paper's PoseTrack-2018 one): train S1, S5, S6,
# S7, S8; validation = test S9, S11 (every 50th moment), subjects never seen in
# training.
_base_ = ['./multiview_loaders.py']
dataset_type = 'H36MDataset'
data_root = 'data/h36m'
image_size = (500, 500)
train_subjects = ['S1', 'S5', 'S6', 'S7', 'S8']
test_subjects = ['S9', 'S11']

train_pipeline = [
    dict(type='SampleViews', num_views=2, mode='random'),
    dict(type='LoadMultiViewImages'),
    dict(type='ResizeMultiView', size=image_size),
    dict(type='PackMultiViewInputs'),
]
val_pipeline = [dict(type='SampleViews', mode='all'), *train_pipeline[1:]]

train_dataloader = dict(
    batch_size=32,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotation_body3d/fps50/h36m_train.npz',
        subjects=train_subjects,
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotation_body3d/fps50/h36m_test.npz',
        subjects=test_subjects,
        frame_interval=50,
        pipeline=val_pipeline))
test_dataloader = val_dataloader
# no instance masks in Human3.6M: the crop-box metrics against the boxes of the
# projected joints are what DecompositionMetric can report there
