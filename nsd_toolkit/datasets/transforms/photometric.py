"""Photometric augmentation applied alike to every view of an item."""
import numpy as np
from mmcv.transforms import BaseTransform

from nsd_toolkit.registry import TRANSFORMS
from nsd_toolkit.utils.geometry import axis_angle_to_matrix


def hue_rotation_matrix(degrees: float) -> np.ndarray:
    """The RGB rotation by ``degrees`` about the grey axis (1, 1, 1).

    It keeps grey levels and R + G + B; 120 degrees maps red to green, green
    to blue and blue to red.

    Returns:
        float32 [3, 3] matrix M acting on column vectors (rgb' = M @ rgb).
    """
    grey = np.full(3, 1 / np.sqrt(3))
    return axis_angle_to_matrix(grey, np.deg2rad(degrees)).astype(np.float32)


@TRANSFORMS.register_module()
class RandomHueRotation(BaseTransform):
    """Turn the colours of an item's views and backgrounds by one random hue.

    With probability ``prob``, one angle per item is drawn uniformly from
    ``[-max_degrees, max_degrees]`` and every view and its median background
    are rotated by it about the grey axis (:func:`hue_rotation_matrix`),
    then clipped to [0, 255]. Views and backgrounds turn together, so the
    novel-view targets, the background compositing and background
    subtraction stay consistent; clothing, skin and room colours change, so
    the model sees other colours than those of the training people (a test
    split of unseen people wears other colours).

    Required keys: ``img`` and ``background``, uint8 [V, H, W, 3] arrays or
    lists of per-view [H, W, 3] arrays. Modified: those (new arrays; the
    inputs, which may be cached backgrounds, are not written to).

    Args:
        max_degrees (float): largest rotation, in (0, 180].
        prob (float): probability of rotating an item, in [0, 1].
    """

    def __init__(self, max_degrees: float = 180.0, prob: float = 1.0):
        if not 0 < max_degrees <= 180:
            raise ValueError('RandomHueRotation: max_degrees must be in '
                             f'(0, 180], got {max_degrees}')
        if not 0 <= prob <= 1:
            raise ValueError('RandomHueRotation: prob must be in [0, 1], '
                             f'got {prob}')
        self.max_degrees = float(max_degrees)
        self.prob = float(prob)

    def transform(self, results: dict) -> dict:
        if np.random.rand() >= self.prob:
            return results
        matrix = hue_rotation_matrix(
            np.random.uniform(-self.max_degrees, self.max_degrees))
        for key in ('img', 'background'):
            views = results[key]
            results[key] = (self._rotate(views, matrix)
                            if isinstance(views, np.ndarray) else
                            [self._rotate(view, matrix) for view in views])
        return results

    @staticmethod
    def _rotate(pixels: np.ndarray, matrix: np.ndarray) -> np.ndarray:
        """uint8 [..., 3] -> rotated, rounded and clipped uint8 [..., 3]."""
        turned = pixels.astype(np.float32) @ matrix.T
        return np.clip(np.rint(turned), 0, 255).astype(np.uint8)

    def __repr__(self):
        return (f'{self.__class__.__name__}(max_degrees={self.max_degrees}, '
                f'prob={self.prob})')
