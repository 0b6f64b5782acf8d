# The single-person recipe plus a loss asking each view's 3D latent, turned into the
# other view of its pair, to be that view's own latent (NSD(latent_consistency_weight)):
# with the source view's appearance a latent that ignores the viewpoint passes
# novel-view synthesis, and P cannot read the person's orientation from it
# (docs/benchmarks.md, label-efficiency study).
_base_ = ['../nsd_synthetic_1p.py']

model = dict(latent_consistency_weight=0.1)
