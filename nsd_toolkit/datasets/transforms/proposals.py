"""Unsupervised person box proposals from background subtraction."""
import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from nsd_toolkit.registry import TRANSFORMS
from nsd_toolkit.utils.foreground import foreground_mask


def foreground_blobs(img: np.ndarray, background: np.ndarray,
                     threshold: float, min_area: float,
                     max_blobs: int) -> tuple:
    """The largest blobs where a frame differs from its background.

    A pixel is foreground when any channel differs by more than
    ``threshold``; the foreground is opened with a 3 x 3 square (specks
    removed) and split into 8-connected blobs.

    Args:
        img, background: uint8 [H, W, 3] frame and its median background.
        threshold: largest per-channel absolute difference (0-255) above which
            a pixel is foreground.
        min_area: smallest blob, as a fraction of the image area.
        max_blobs: K, blobs kept (at most 255).

    Returns:
        tuple: ``ids`` uint8 [H, W], 0 off the kept blobs and ``k + 1`` on the
        k-th largest one, and ``boxes`` float32 [K, 4] their xyxy pixel boxes
        (pixel-edge convention), largest blob first, NaN rows where there are
        fewer blobs.
    """
    if not 0 <= max_blobs <= 255:
        raise ValueError(f'max_blobs must be in [0, 255], got {max_blobs}')
    height, width = img.shape[:2]
    foreground = foreground_mask(img, background, threshold).astype(np.uint8)
    foreground = cv2.morphologyEx(foreground, cv2.MORPH_OPEN,
                                  np.ones((3, 3), np.uint8))
    _, labels, stats, _ = cv2.connectedComponentsWithStats(foreground, 8)
    areas = stats[1:, cv2.CC_STAT_AREA]  # row 0 is the background component
    order = np.argsort(-areas, kind='stable')
    kept = order[areas[order] >= min_area * height * width][:max_blobs] + 1
    lookup = np.zeros(len(stats), np.uint8)
    lookup[kept] = np.arange(1, len(kept) + 1)
    boxes = np.full((max_blobs, 4), np.nan, np.float32)
    corners = stats[kept][:, [cv2.CC_STAT_LEFT, cv2.CC_STAT_TOP]]
    sizes = stats[kept][:, [cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT]]
    boxes[:len(kept)] = np.concatenate([corners, corners + sizes], axis=1)
    return lookup[labels], boxes


def foreground_boxes(img: np.ndarray, background: np.ndarray, threshold: float,
                     min_area: float, max_boxes: int) -> np.ndarray:
    """Boxes of the largest blobs where a frame differs from its background.

    float32 [K, 4] xyxy pixel boxes, largest blob first, NaN rows where there
    are fewer blobs: the boxes of :func:`foreground_blobs` (same arguments,
    ``max_boxes`` = K).
    """
    return foreground_blobs(img, background, threshold, min_area,
                            max_boxes)[1]


@TRANSFORMS.register_module()
class BackgroundProposals(BaseTransform):
    """Add ``proposals``: boxes of foreground blobs of every view.

    Derived from the unlabelled frames and their median backgrounds only, so
    they are as unsupervised as the background itself. People who overlap
    in a view share one blob; shadows and lighting changes may add blobs.
    Use after loading (and resizing), before packing.

    Required keys: ``img``, ``background`` uint8 [V, H, W, 3].
    Added: ``proposals`` float32 [V, K, 4] xyxy pixels, NaN rows unused.

    Args:
        threshold (float): per-channel difference (0-255) marking foreground.
        min_area (float): smallest blob as a fraction of the image area.
        max_proposals (int): K.
    """

    def __init__(self, threshold=12.0, min_area=0.002, max_proposals=4):
        if not 0 <= threshold < 255:
            raise ValueError(
                f'BackgroundProposals: threshold must be in [0, 255), got '
                f'{threshold}')
        if not 0 <= min_area < 1 or max_proposals < 1:
            raise ValueError(
                'BackgroundProposals: min_area must be in [0, 1) and '
                f'max_proposals >= 1, got {min_area}, {max_proposals}')
        self.threshold = threshold
        self.min_area = min_area
        self.max_proposals = int(max_proposals)

    def transform(self, results):
        results['proposals'] = np.stack([
            foreground_boxes(img, background, self.threshold, self.min_area,
                             self.max_proposals)
            for img, background in zip(results['img'], results['background'])
        ])
        return results

    def __repr__(self):
        return (f'{self.__class__.__name__}(threshold={self.threshold}, '
                f'min_area={self.min_area}, '
                f'max_proposals={self.max_proposals})')
