# The paper's multi-person recipe (appendix A) without the data: the paper-sized
# networks, Adam 1e-3 (B, E) / 1e-4 (D), and two stages of `stage_iters` each: stage 1
# composites additively without depth, stage 2 (`model.stages.occlusion`) re-initialises
# E and D and switches the occlusion model on. A config adds a dataset base and sets
# `num_people` (nsd_boxing_2p.py, nsd_panoptic_3p.py).
_base_ = [
    './default_runtime.py',
    './models/nsd_resnet.py',
    './schedules/adam_iter.py',
]

stage_iters = 200000

model = dict(
    associator=dict(type='AppearanceAssociator', num_channels=16, beta=10.0),
    depth_compositor=dict(type='OcclusionCompositor'),
    stages=dict(
        occlusion=dict(
            begin=stage_iters,
            settings=dict(use_depth=True),
            reinit=['encoder', 'decoder'])))

train_cfg = dict(max_iters=2 * stage_iters, val_interval=10000)
default_hooks = dict(checkpoint=dict(interval=10000, max_keep_ckpts=5))
custom_hooks = [
    dict(type='NSDPanelHook', interval=5000),
    dict(type='NSDStageHook'),
]
