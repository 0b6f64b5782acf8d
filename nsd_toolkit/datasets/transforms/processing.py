"""Geometric processing of all views of an item."""
import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from nsd_toolkit.registry import TRANSFORMS
from nsd_toolkit.utils import scale_intrinsics


@TRANSFORMS.register_module()
class ResizeMultiView(BaseTransform):
    """Resize every view to ``size=(W, H)`` and adjust the intrinsics.

    Images and backgrounds use area interpolation when shrinking (anti-aliased)
    and bilinear when enlarging; masks use exact nearest neighbour. ``K`` is
    rescaled with the same pixel-centre convention, so projections stay
    consistent with the resized pixels.

    Required keys: ``img``, ``background`` [V, H, W, 3] (or lists of
    per-view arrays of different sizes), ``K`` [V, 3, 3]; optional
    ``gt_masks`` [V, H, W]. Modified: those (stacked) and ``img_shape``.
    """

    def __init__(self, size):
        self.size = tuple(int(s) for s in size)

    def transform(self, results):
        heights, widths = np.array([view.shape[:2] for view in results['img']],
                                   dtype=float).T  # [V] each
        for key in ('img', 'background'):
            results[key] = self._resize(results[key], smooth=True)
        if 'gt_masks' in results:
            results['gt_masks'] = self._resize(results['gt_masks'],
                                               smooth=False)
        new_w, new_h = self.size
        results['K'] = scale_intrinsics(results['K'], new_w / widths,
                                        new_h / heights)
        results['img_shape'] = (new_h, new_w)
        return results

    def _resize(self, views, smooth):
        """Area when shrinking, bilinear when enlarging, exact nearest for ids."""
        new_w, new_h = self.size

        def interpolation(view):
            if not smooth:
                return cv2.INTER_NEAREST_EXACT
            shrink = new_w <= view.shape[1] and new_h <= view.shape[0]
            return cv2.INTER_AREA if shrink else cv2.INTER_LINEAR

        return np.stack([
            cv2.resize(view, self.size, interpolation=interpolation(view))
            for view in views
        ])

    def __repr__(self):
        return f'{self.__class__.__name__}(size={self.size})'
