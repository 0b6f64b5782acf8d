# The single-person recipe with every training pair a novel view (self_view_prob=0, the
# paper's training): views decoded from themselves need no 3D reasoning, so for the pose
# head the NVS-only latent is the better one (docs/benchmarks.md: ~10 mm MPJPE on the
# validation sequence), at the cost of slower, fainter masks.
_base_ = ['../nsd_synthetic_1p.py']

model = dict(self_view_prob=0.0)
