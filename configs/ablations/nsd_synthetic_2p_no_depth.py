# Appendix C ablation "without depth": additive compositing throughout, so only the
# occlusion model differs from nsd_synthetic_2p.py (its switch to novel views only at
# 3,000 is kept).
_base_ = ['../nsd_synthetic_2p.py']

custom_hooks = [
    dict(type='NSDPanelHook', interval=250),
    dict(
        type='NSDStageHook',
        stages=[
            dict(begin=2000, model=dict(mask_window_power=0.25)),
            dict(begin=3000, model=dict(self_view_prob=0.0)),
        ]),
]
