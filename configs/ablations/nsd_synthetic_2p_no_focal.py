# Appendix C ablation "without the focal spatial transformer": plain affine crops,
# no bump window on crops or masks.
_base_ = ['../nsd_synthetic_2p.py']

model = dict(transformer=dict(focal=False))
