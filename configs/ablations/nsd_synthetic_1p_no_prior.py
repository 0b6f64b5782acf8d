# Appendix C ablation "without priors", first step of the curriculum: the single-person
# model without the weak box position/scale prior and without the proposal prior
# (nsd_synthetic_2p_no_prior.py starts from it).
_base_ = ['../nsd_synthetic_1p.py']

model = dict(prior=None, proposal_prior=None)
