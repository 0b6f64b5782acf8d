"""Pairwise depth-order accuracy of people whose images overlap."""
from typing import Tuple

import numpy as np

from nsd_toolkit.structures.array_utils import to_numpy

__all__ = ['depth_order_counts']


def depth_order_counts(pred_depths, gt_depths, overlap) -> Tuple[int, int]:
    """Correctly ordered pairs among the overlapping pairs of one view.

    A pair is evaluated when its people overlap in the image (where the
    order decides who occludes whom), the predicted and ground-truth depths
    of both are finite and the ground-truth depths differ. It is correct
    when the predicted depths order it the same way (smaller depth =
    nearer); equal predicted depths count as wrong.

    Args:
        pred_depths: [P] predicted depth of the slot matched to each person
            (any monotonic unit, e.g. NSD's relative depth).
        gt_depths: [P] ground-truth camera-space depth of each person.
        overlap: bool [P, P], True where people i and j overlap; only the
            upper triangle (i < j) is read.

    Returns:
        ``(correct, evaluated)`` numbers of unordered pairs; the accuracy is
        their ratio (undefined when ``evaluated`` is 0).
    """
    pred = to_numpy(pred_depths, np.float64)
    gt = to_numpy(gt_depths, np.float64)
    overlap = to_numpy(overlap).astype(bool)
    num = len(gt)
    if pred.shape != (num, ) or gt.shape != (num, ) or \
            overlap.shape != (num, num):
        raise ValueError(
            'depth_order_counts expects pred_depths [P], gt_depths [P] and '
            f'overlap [P, P]; got {pred.shape}, {gt.shape}, {overlap.shape}')
    gt_order = np.sign(gt[:, None] - gt[None, :])
    pred_order = np.sign(pred[:, None] - pred[None, :])
    evaluated = np.triu(overlap, k=1) & (gt_order != 0) & \
        np.isfinite(pred_order) & np.isfinite(gt_order)
    correct = evaluated & (pred_order == gt_order)
    return int(correct.sum()), int(evaluated.sum())
