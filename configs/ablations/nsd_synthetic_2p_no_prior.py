# Appendix C ablation "without priors": neither the weak box position/scale prior nor
# the background-subtraction proposal prior.
_base_ = ['../nsd_synthetic_2p.py']

model = dict(prior=None, proposal_prior=None)
