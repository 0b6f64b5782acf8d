"""Pixels that differ from a background (background subtraction)."""
import cv2
import numpy as np


def foreground_mask(img: np.ndarray, background: np.ndarray,
                    threshold: float) -> np.ndarray:
    """Where any channel differs from the background by more than
    ``threshold``.

    Args:
        img, background: uint8 [..., H, W, 3] frames and their backgrounds.
        threshold: largest per-channel absolute difference (0-255) that is
            still background.

    Returns:
        np.ndarray bool [..., H, W].
    """
    diff = cv2.absdiff(img, background)
    # channel maximum as two element-wise maxima: ~20 x faster than numpy's
    # reduction over the short last axis (docs/benchmarks.md)
    return np.maximum(np.maximum(diff[..., 0], diff[..., 1]),
                      diff[..., 2]) > threshold
