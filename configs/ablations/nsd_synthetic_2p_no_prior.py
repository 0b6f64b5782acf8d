# Appendix C ablation "without priors": no weak box position/scale prior.
_base_ = ['../nsd_synthetic_2p.py']

model = dict(prior=None)
