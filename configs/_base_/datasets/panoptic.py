# CMU Panoptic sequences read in place (docs/en/dataset_zoo.md): DATA_ROOT/<seq>/ with
# calibration_<seq>.json, hdImgs/ and hdPose3d_stage1_coco19/; the five HD cameras
# 00_03, 00_06, 00_12, 00_13, 00_23 by default; 1920x1080 frames used at 960x540.
# Split: the multi-person sequences of the community's split (VoxelPose and the
# multi-view pose papers after it, same five cameras): 10 training sequences;
# validation = test the 4 held-out sequences (every 30th frame).
_base_ = ['./multiview_loaders.py']
dataset_type = 'PanopticDataset'
data_root = 'data/panoptic'
image_size = (960, 540)
train_sequences = [
    '160422_ultimatum1', '160224_haggling1', '160226_haggling1',
    '161202_haggling1', '160906_ian1', '160906_ian2', '160906_ian3',
    '160906_band1', '160906_band2', '160906_band3'
]
test_sequences = [
    '160906_pizza1', '160422_haggling1', '160906_ian5', '160906_band4'
]

train_pipeline = [
    dict(type='SampleViews', num_views=2, mode='random'),
    # the HD JPEGs decoded at half size by libjpeg: 1.7 x faster loading than a
    # full decode and resize (docs/benchmarks.md); the resize is then exact
    dict(type='LoadMultiViewImages', decode_scale=2),
    dict(type='ResizeMultiView', size=image_size),
    dict(type='PackMultiViewInputs'),
]
val_pipeline = [dict(type='SampleViews', mode='all'), *train_pipeline[1:]]

train_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        sequences=train_sequences,
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        sequences=test_sequences,
        frame_interval=30,
        pipeline=val_pipeline))
test_dataloader = val_dataloader
