# Appendix C ablation "without depth": additive compositing throughout (no stage 2),
# so only the occlusion model differs from nsd_synthetic_2p.py.
_base_ = ['../nsd_synthetic_2p.py']

custom_hooks = [
    dict(type='NSDPanelHook', interval=250),
    dict(
        type='NSDStageHook',
        stages=[dict(begin=2000, model=dict(mask_window_power=0.25))]),
]
