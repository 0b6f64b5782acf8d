# The Auto-encoder of the paper's pose study (section 4.1, Fig. 8): the single-person
# recipe with each view re-synthesised from itself (novel_view=False) on the same
# unlabelled data, so nothing forces the latent to be 3D. Frozen, it feeds P in
# configs/pose/autoencoder_synthetic_1p.py (Auto-encoder+P).
_base_ = ['../nsd_synthetic_1p.py']

model = dict(novel_view=False)
