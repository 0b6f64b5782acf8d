"""Body size from the images: the scale of the fused skeletons.

NSD's decoder and the pose head P both learn the body size of the training
people. On people taller or shorter than them, the silhouettes NSD renders
and P's skeletons shrink or grow towards that size alike, while the frame's
difference from its background keeps the person's own size. Per slot, the
height of the foreground inside the slot's silhouette (grown by a few
pixels) over the height of the silhouette measures how much larger the
person is than the model thinks; :func:`~nsd_toolkit.mocap.fuse_person`
scales the fused root-relative skeleton by the median of these ratios over
the views that see the person.

Limits: shadows or lighting changes next to a person's silhouette make the
foreground taller; where people overlap, the foreground inside one
silhouette may hold the other person (the median over views absorbs one
such view).
"""
import numpy as np
from scipy.ndimage import maximum_filter

from nsd_toolkit.structures import mask_to_box
from nsd_toolkit.utils.foreground import foreground_mask

#: Per-channel difference (0-255) from the background marking foreground.
FOREGROUND_THR = 25
#: Silhouette value from which a pixel belongs to a slot's silhouette.
SILHOUETTE_THR = 0.05
#: Pixels the silhouette grows by before the foreground inside it is taken.
SILHOUETTE_GROWTH = 2


def foreground_masks(images, backgrounds, threshold=FOREGROUND_THR):
    """Pixels that differ from the background: :func:`~nsd_toolkit.utils.
    foreground.foreground_mask` of channel-first frames.

    Args:
        images, backgrounds: uint8 [..., 3, H, W] frames and their median
            backgrounds.
        threshold: per-channel absolute difference (0-255) above which a
            pixel is foreground.

    Returns:
        np.ndarray bool [..., H, W].
    """
    return foreground_mask(np.moveaxis(images, -3, -1),
                           np.moveaxis(backgrounds, -3, -1), threshold)


def size_ratios(silhouettes, foreground, silhouette_thr=SILHOUETTE_THR,
                growth=SILHOUETTE_GROWTH):
    """Height of each slot's foreground over the height of its silhouette.

    Args:
        silhouettes: [V, N, H, W] soft silhouettes in [0, 1]
            (``pred_silhouettes``).
        foreground: bool [V, H, W] (:func:`foreground_masks`).
        silhouette_thr: silhouette value from which a pixel counts.
        growth: pixels the silhouette grows by (square neighbourhood).

    Returns:
        np.ndarray float64 [V, N]: the ratios; NaN where the silhouette or
        the foreground inside it is empty.
    """
    silhouettes = np.asarray(silhouettes) >= silhouette_thr
    width = 2 * growth + 1
    grown = maximum_filter(silhouettes, size=(1, 1, width, width))
    inside = grown & np.asarray(foreground, bool)[:, None]
    heights = [boxes[..., 3] - boxes[..., 1]
               for boxes in (mask_to_box(inside), mask_to_box(silhouettes))]
    return heights[0] / heights[1]
