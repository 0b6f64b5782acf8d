# Appendix C ablation "without priors": no proposal prior here, and the box prior
# (off in the two-person step already) acts in the single-person model it starts
# from, so this ablation starts from the single-person model trained without priors
# (run configs/ablations/nsd_synthetic_1p_no_prior.py first).
_base_ = ['../nsd_synthetic_2p.py']

load_from = 'work_dirs/nsd_synthetic_1p_no_prior/iter_4000.pth'
model = dict(proposal_prior=None)
