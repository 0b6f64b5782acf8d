# Appendix C ablation "without depth": additive compositing throughout, so only the
# occlusion model differs from nsd_synthetic_2p.py (its switch to novel views only at
# 3,000 is kept).
_base_ = ['../nsd_synthetic_2p.py']

model = dict(
    stages=dict(occlusion=dict(settings=dict(_delete_=True,
                                             self_view_prob=0.0))))
