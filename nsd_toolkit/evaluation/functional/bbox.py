"""Box functions. Boxes are ``xyxy`` in pixels with the pixel-edge convention:
a mask covering columns ``x0..x1`` and rows ``y0..y1`` (inclusive) has the box
``[x0, y0, x1 + 1, y1 + 1]``, so a full H x W mask gives ``[0, 0, W, H]`` and
a box's area is its pixel count when it is filled.
"""
import numpy as np

from ._utils import to_numpy

__all__ = ['box_iou', 'mask_to_box']


def box_iou(boxes_a, boxes_b) -> np.ndarray:
    """Pairwise intersection over union of two sets of boxes.

    Args:
        boxes_a: [K, 4] xyxy (numpy or torch). Rows holding a NaN (invisible
            people) have IoU 0 with everything.
        boxes_b: [L, 4] xyxy.

    Returns:
        float64 [K, L] in [0, 1]. Empty (zero-area) boxes have IoU 0.
    """
    a = to_numpy(boxes_a, np.float64).reshape(-1, 4)
    b = to_numpy(boxes_b, np.float64).reshape(-1, 4)
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    wh = np.clip(rb - lt, 0, None)
    inter = wh[..., 0] * wh[..., 1]
    area_a = np.clip(a[:, 2] - a[:, 0], 0, None) * np.clip(
        a[:, 3] - a[:, 1], 0, None)
    area_b = np.clip(b[:, 2] - b[:, 0], 0, None) * np.clip(
        b[:, 3] - b[:, 1], 0, None)
    union = area_a[:, None] + area_b[None, :] - inter
    with np.errstate(invalid='ignore', divide='ignore'):
        iou = inter / union
    # NaN rows propagate NaN; empty unions give NaN or inf: both mean 0
    return np.where(np.isfinite(iou) & (union > 0), iou, 0.0)


def mask_to_box(masks) -> np.ndarray:
    """Tight box of each binary mask, vectorised over leading dimensions.

    Args:
        masks: bool [..., H, W] (numpy or torch; non-zero counts as set).

    Returns:
        float64 [..., 4] xyxy in pixels (pixel-edge convention, see the module
        docstring); all NaN for empty masks.
    """
    m = to_numpy(masks).astype(bool)
    height, width = m.shape[-2:]
    cols = m.any(axis=-2)  # [..., W]
    rows = m.any(axis=-1)  # [..., H]
    x0 = cols.argmax(axis=-1)
    x1 = width - cols[..., ::-1].argmax(axis=-1)
    y0 = rows.argmax(axis=-1)
    y1 = height - rows[..., ::-1].argmax(axis=-1)
    boxes = np.stack([x0, y0, x1, y1], axis=-1).astype(np.float64)
    boxes[~cols.any(axis=-1)] = np.nan
    return boxes
