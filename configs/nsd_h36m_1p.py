# Single-person NSD on Human3.6M with the paper's settings (section 4.1, appendix A):
# 500x500 frames, batch 32, ResNet-18 detector B on 128x128, ResNet-50 encoder E, U-Net
# decoder 256/128/64/32, 128 px focal crops, Adam 1e-3 (B, E) / 1e-4 (D). GPU-sized.
# Box prior: the base's 0.4 (boxing data); for your cameras derive the expected box
# with tools/misc/box_prior_from_calibration.py (docs/en/user_guides/box_priors.md).
# The pose head trained on this representation comes with the pose-estimation configs.
# Split (_base_/datasets/h36m.py): train S1, S5, S6, S7, S8; validation and test S9,
# S11.
# ImageNet B, E and perceptual network: --cfg-options imagenet_pretrained=True; the
# remaining departures from the paper: docs/en/advanced_guides/paper_departures.md.
_base_ = [
    '_base_/default_runtime.py',
    '_base_/models/nsd_resnet.py',
    '_base_/datasets/h36m.py',
    '_base_/schedules/adam_iter.py',
]

train_cfg = dict(max_iters=200000, val_interval=10000)
default_hooks = dict(checkpoint=dict(interval=10000, max_keep_ckpts=5))
custom_hooks = [dict(type='NSDPanelHook', interval=5000)]
