# 3D pose on Human3.6M from single images (paper section 4.1): the NSD model of
# configs/nsd_h36m_1p.py (trained without labels on S1, S5-S8) stays frozen and the
# pose head P (an MLP on the 600-value 3D latent, 2 x 1024, BatchNorm, dropout 0.5,
# Adam 1e-4 as in the paper's appendix A (the research code uses 1e-3), batch 16
# moments x 4 views) learns from the labels of subject S1 only, every 10th moment (the
# paper's few-label protocol; frame_interval sets how many).
# Split: NSD trained on S1, S5, S6, S7, S8 without labels, P on S1's labels; evaluated
# on S9 and S11 (PoseTrack-2018-style validation) with MPJPE, N-MPJPE, P-MPJPE and
# NMPJPE* in mm. Departures from the paper: docs/en/advanced_guides/paper_departures.md.
#   python tools/train.py configs/pose/nsd_h36m_1p_pose.py \
#       --cfg-options model.nsd_checkpoint=work_dirs/nsd_h36m_1p/iter_200000.pth
_base_ = ['../nsd_h36m_1p.py']

model = dict(
    _delete_=True,
    type='NSDPoseEstimator',
    nsd={{_base_.model}},
    nsd_checkpoint='work_dirs/nsd_h36m_1p/iter_200000.pth',
    # P: MLPPoseHead (2 x 1024, BatchNorm, dropout 0.5, in_channels = 3 x the
    # encoder's num_points, PoseLoss) predicting mean + std * output with the
    # labelled poses' statistics (PoseStatisticsHook), as the research code; chosen
    # on validation: lower MPJPE for every method and label count measured
    # (docs/benchmarks.md, label-efficiency study)
    pose_head=dict(type='MLPPoseHead', normalize=True))

labelled_pipeline = [
    dict(type='SampleViews', mode='all'),
    dict(type='LoadMultiViewImages'),
    dict(type='ResizeMultiView', size={{_base_.image_size}}),
    dict(type='PackMultiViewInputs'),
]
train_dataloader = dict(
    batch_size=16,
    dataset=dict(
        subjects=['S1'],
        frame_interval=10,
        pipeline=labelled_pipeline,
        with_labels=True))

optim_wrapper = dict(optimizer=dict(lr=1e-4))
train_cfg = dict(max_iters=50000, val_interval=5000)
default_hooks = dict(checkpoint=dict(interval=5000))
custom_hooks = [dict(type='PosePanelHook'), dict(type='PoseStatisticsHook')]

val_evaluator = [dict(type='PoseMetric'), dict(type='DecompositionMetric')]
test_evaluator = val_evaluator
