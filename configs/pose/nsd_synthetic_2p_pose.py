# 3D pose of two people from single images (paper section 4.4, Fig. 12): the two-person
# NSD of configs/nsd_synthetic_2p.py (trained without labels) stays frozen and P learns
# on every slot from few labels (every 15th training moment, as the single-person pose
# config). In training and evaluation each slot is matched to a person by its box
# centre (Hungarian); tools/test.py reports MPJPE, N-MPJPE, P-MPJPE and NMPJPE* over the
# matched people, the matched fraction, the root head's pixel error and the
# decomposition metrics (detection rate).
#   python tools/train.py configs/nsd_synthetic_1p.py
#   python tools/train.py configs/nsd_synthetic_2p.py
#   python tools/train.py configs/pose/nsd_synthetic_2p_pose.py
#   python tools/test.py configs/pose/nsd_synthetic_2p_pose.py \
#       work_dirs/nsd_synthetic_2p_pose/iter_2000.pth
# (checkpoints hold the averaged weights of the EMAHook below)
_base_ = ['../nsd_synthetic_2p.py']

model = dict(
    _delete_=True,
    type='NSDPoseEstimator',
    nsd={{_base_.model}},
    nsd_checkpoint='work_dirs/nsd_synthetic_2p/iter_4000.pth',
    # P normalised by the labelled poses' statistics (chosen on validation,
    # docs/benchmarks.md)
    pose_head=dict(type='MLPPoseHead', normalize=True),
    # R: each slot's root pixel, from which motion capture triangulates the
    # roots (tools/mocap.py; chosen on validation, docs/benchmarks.md)
    root_head=dict(type='MLPRootHead'))
load_from = None  # the NSD weights come from model.nsd_checkpoint

labelled_pipeline = [
    dict(type='SampleViews', mode='all'),
    dict(type='LoadMultiViewImages'),
    dict(type='PackMultiViewInputs'),
]
train_dataloader = dict(
    dataset=dict(
        frame_interval=15, pipeline=labelled_pipeline, with_labels=True))

train_cfg = dict(max_iters=2000, val_interval=500)
default_hooks = dict(checkpoint=dict(interval=500))
custom_hooks = [
    dict(type='PosePanelHook'),
    dict(type='PoseStatisticsHook'),
    # validation and checkpoints hold the exponential moving average of the
    # weights (a horizon of about 250 iterations): the last checkpoint is the
    # one to use (world MPJPE of motion capture on validation 97.0 mm on
    # average over six models against 100.2 with the raw weights' best
    # checkpoints, docs/benchmarks.md)
    dict(type='EMAHook', momentum=0.004),
]

val_evaluator = [dict(type='PoseMetric'), dict(type='DecompositionMetric')]
test_evaluator = val_evaluator
