# The two-person curriculum as it was before the proposal prior was kept on: the
# single-person warm start, then no box and no proposal prior. Its two-person step
# collapsed in 2 of 4 runs (B's boxes shrink to nothing, the masks vanish); kept to
# reproduce that comparison (docs/benchmarks.md).
_base_ = ['../nsd_synthetic_2p.py']

model = dict(proposal_prior=None)
