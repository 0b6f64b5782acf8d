"""Box functions. Boxes are ``xyxy`` in pixels with the pixel-edge convention:
a mask covering columns ``x0..x1`` and rows ``y0..y1`` (inclusive) has the box
``[x0, y0, x1 + 1, y1 + 1]``, so a full H x W mask gives ``[0, 0, W, H]`` and
a box's area is its pixel count when it is filled.
"""
import numpy as np
import torch

from .array_utils import joints_in_front, to_numpy

__all__ = [
    'box_iou', 'boxes_to_pixels', 'contained_duplicates', 'keypoints_to_box',
    'mask_to_box', 'pixels_to_boxes', 'pixels_to_window', 'window_to_pixels'
]


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


def contained_duplicates(boxes, scores, cover_thr: float) -> np.ndarray:
    """Greedy suppression of boxes that lie inside better-scored ones.

    Going down the scores, a box is a duplicate when more than
    ``cover_thr`` of its area lies inside a box kept before it (an
    intersection over the box's own area, not over the union as in NMS:
    a part of a person inside a whole one has a low IoU). Vectorised over
    the leading dimension; the loop runs over the N boxes of an image.

    Args:
        boxes: [M, N, 4] xyxy (px; numpy or torch); NaN or zero-area boxes
            are neither kept nor duplicates.
        scores: [M, N], higher first.
        cover_thr: fraction in [0, 1).

    Returns:
        bool [M, N]: the duplicates.
    """
    boxes = np.nan_to_num(to_numpy(boxes, np.float64))
    corner_min = np.maximum(boxes[:, :, None, :2], boxes[:, None, :, :2])
    corner_max = np.minimum(boxes[:, :, None, 2:], boxes[:, None, :, 2:])
    inside = np.clip(corner_max - corner_min, 0, None).prod(axis=-1)
    area = np.clip(boxes[..., 2:] - boxes[..., :2], 0, None).prod(axis=-1)
    covered = inside > cover_thr * area[..., None]  # [M, i, j]: i in j
    covered &= ~np.eye(boxes.shape[1], dtype=bool)
    kept = np.zeros(boxes.shape[:2], dtype=bool)
    duplicate = np.zeros_like(kept)
    image = np.arange(boxes.shape[0])
    for slot in np.argsort(-to_numpy(scores), axis=1, kind='stable').T:
        inside_kept = (covered[image, slot] & kept).any(axis=1)
        present = area[image, slot] > 0
        kept[image, slot] = present & ~inside_kept
        duplicate[image, slot] = present & inside_kept
    return duplicate


def keypoints_to_box(keypoints, joints_cam, width: int,
                     height: int) -> np.ndarray:
    """Boxes of each person's joints in front of the camera, clipped to the image.

    Stands in for the box of an instance mask where a dataset has no masks
    (Human3.6M, Panoptic): joints lie inside the silhouette, so the box is
    somewhat tighter than the person's (hands, feet and hair reach beyond).

    Args:
        keypoints: [..., G, J, 2] pixels (NaN unknown).
        joints_cam: [..., G, J, 3] the joints in the camera frame.
        width, height: image size in pixels.

    Returns:
        float64 [..., G, 4] xyxy; NaN rows for people without a joint in
        front of the camera or whose box misses the image.
    """
    xy, usable = joints_in_front(keypoints, joints_cam)
    low = np.where(usable[..., None], xy, np.inf).min(-2)
    high = np.where(usable[..., None], xy, -np.inf).max(-2)
    size = np.array([width, height], np.float64)
    low, high = np.clip(low, 0, size), np.clip(high, 0, size)
    boxes = np.concatenate([low, high], -1)
    empty = ~usable.any(-1) | (high <= low).any(-1)
    boxes[empty] = np.nan
    return boxes


def boxes_to_pixels(center: torch.Tensor, scale: torch.Tensor, width: int,
                    height: int) -> torch.Tensor:
    """Normalised crop boxes -> xyxy pixel boxes.

    Args:
        center, scale: [..., 2] normalised (x, y) centre and half extent
            (``[-1, 1]`` spans the image, ``align_corners=False``).
        width, height: image size in pixels.

    Returns:
        Tensor [..., 4] (x1, y1, x2, y2) in pixels.
    """
    size = center.new_tensor([width, height])
    top_left = (center - scale + 1) * 0.5 * size
    bottom_right = (center + scale + 1) * 0.5 * size
    return torch.cat([top_left, bottom_right], dim=-1)


def pixels_to_boxes(boxes: torch.Tensor, width: int, height: int):
    """xyxy pixel boxes -> normalised crop boxes (:func:`boxes_to_pixels`'s
    inverse).

    Args:
        boxes: [..., 4] (x1, y1, x2, y2) in pixels.
        width, height: image size in pixels.

    Returns:
        tuple: ``center`` and ``scale`` [..., 2], normalised.
    """
    size = boxes.new_tensor([width, height])
    top_left, bottom_right = boxes[..., :2], boxes[..., 2:]
    return ((top_left + bottom_right) / size - 1,
            (bottom_right - top_left) / size)


def window_to_pixels(offsets: torch.Tensor, center: torch.Tensor,
                     scale: torch.Tensor, width: int,
                     height: int) -> torch.Tensor:
    """Points given in their crop windows -> pixels.

    Args:
        offsets: [..., 2] (x, y) from the window's centre in units of the
            window's width and height (the window spans -0.5..0.5).
        center, scale: [..., 2] normalised crop boxes
            (:func:`boxes_to_pixels`).
        width, height: image size in pixels.

    Returns:
        Tensor [..., 2]: pixels (pixel-edge convention, as the boxes).
    """
    size = center.new_tensor([width, height])
    return ((center + 1) * 0.5 + offsets * scale) * size


def pixels_to_window(pixels: torch.Tensor, center: torch.Tensor,
                     scale: torch.Tensor, width: int,
                     height: int) -> torch.Tensor:
    """:func:`window_to_pixels`' inverse: [..., 2] pixels -> [..., 2]
    offsets in window units."""
    size = center.new_tensor([width, height])
    return (pixels / size - (center + 1) * 0.5) / scale
