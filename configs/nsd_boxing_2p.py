# Two boxers, the paper's settings (section 4, appendix A): 910x512 frames, batch 16,
# ResNet-18 detector B on 128x128, ResNet-50 encoder E, U-Net decoder D with
# 32/64/128/256 channels, 128 px focal crops, Adam 1e-3 for B and E and 1e-4 for D,
# weak priors (0.1, aspect 1.5, scale 0.4), 200k iterations per stage: stage 1
# composites additively without depth, stage 2 re-initialises E and D and switches the
# occlusion model on. Sized for a GPU.
# Split (_base_/datasets/boxing.py): train seq_000-004, validation seq_005, test
# seq_006-007. ImageNet B, E and perceptual network: --cfg-options
# imagenet_pretrained=True; the remaining departures from the paper:
# docs/en/advanced_guides/paper_departures.md.
_base_ = [
    '_base_/default_runtime.py',
    '_base_/models/nsd_resnet.py',
    '_base_/datasets/boxing.py',
    '_base_/schedules/adam_iter.py',
]

num_people = 2
stage_iters = 200000

model = dict(
    detector=dict(num_people=num_people),
    associator=dict(type='AppearanceAssociator', num_channels=16, beta=10.0),
    depth_compositor=dict(type='OcclusionCompositor'))

train_cfg = dict(max_iters=2 * stage_iters, val_interval=10000)
default_hooks = dict(checkpoint=dict(interval=10000, max_keep_ckpts=5))
custom_hooks = [
    dict(type='NSDPanelHook', interval=5000),
    dict(
        type='NSDStageHook',
        stages=[
            dict(
                begin=stage_iters,
                model=dict(use_depth=True),
                reinit=['encoder', 'decoder'])
        ]),
]
