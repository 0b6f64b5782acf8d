"""Instance mask functions."""
import numpy as np

from nsd_toolkit.structures.array_utils import to_numpy

__all__ = ['mask_iou']


def mask_iou(pred_masks, gt_masks) -> np.ndarray:
    """Pairwise IoU of two sets of binary masks (one matrix product).

    Args:
        pred_masks: bool [K, H, W] (numpy or torch; non-zero counts as set).
        gt_masks: bool [L, H, W].

    Returns:
        float64 [K, L] in [0, 1]; 0 where both masks are empty.
    """
    p = to_numpy(pred_masks).astype(bool)
    g = to_numpy(gt_masks).astype(bool)
    if p.shape[1:] != g.shape[1:]:
        raise ValueError(f'mask sizes differ: {p.shape[1:]} vs {g.shape[1:]}')
    p = p.reshape(p.shape[0], -1).astype(np.float64)
    g = g.reshape(g.shape[0], -1).astype(np.float64)
    inter = p @ g.T
    union = p.sum(1)[:, None] + g.sum(1)[None, :] - inter
    return np.divide(
        inter, union, out=np.zeros_like(inter), where=union > 0)
