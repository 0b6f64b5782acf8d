# The single-person recipe plus, from the second stage on (once B has found the person),
# a loss asking each view's 3D latent, turned into the other view of its pair, to be
# that view's own latent (NSD(latent_consistency_weight)). Decoded with the source
# view's appearance, a latent that ignores the viewpoint passes novel-view synthesis,
# and P cannot read the person's orientation from it (docs/benchmarks.md,
# label-efficiency study). From the first iteration the loss pulled B's boxes off the
# person (proposal loss 0.45 against 0.05 at 300 iterations).
_base_ = ['../nsd_synthetic_1p.py']

model = dict(
    stages=dict(
        flat_masks=dict(
            settings=dict(mask_window_power=0.25,
                          latent_consistency_weight=0.05))))
