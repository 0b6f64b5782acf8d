# The single-person recipe, each view decoded, from the second stage on (once B has
# found the person), with the person's appearance vector from another moment of the
# same sequence in the batch (NSD(appearance_from_other_moment)): the source view's own
# appearance can tell the decoder how the person is seen, so the 3D latent need not turn
# with the camera and P cannot read from it which way the person faces
# (docs/benchmarks.md, label-efficiency study).
_base_ = ['../nsd_synthetic_1p.py']

model = dict(
    stages=dict(
        flat_masks=dict(
            settings=dict(mask_window_power=0.25,
                          appearance_from_other_moment=True))))
