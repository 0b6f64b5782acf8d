# Appendix C ablation "auto-encoding instead of NVS": each view reconstructs itself,
# so nothing forces the latent to be 3D or the boxes to be consistent across views.
_base_ = ['../nsd_synthetic_2p.py']

model = dict(novel_view=False)
