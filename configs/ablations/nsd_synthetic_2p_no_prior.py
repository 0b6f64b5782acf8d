# Appendix C ablation "without priors". The two-person config trains without priors
# already; its box prior acts in the single-person model it starts from. So this
# ablation starts from the single-person model trained without its prior (run
# configs/ablations/nsd_synthetic_1p_no_prior.py first).
_base_ = ['../nsd_synthetic_2p.py']

load_from = 'work_dirs/nsd_synthetic_1p_no_prior/iter_4000.pth'
