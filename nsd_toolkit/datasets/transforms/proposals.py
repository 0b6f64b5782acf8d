"""Unsupervised person box proposals from background subtraction."""
import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from nsd_toolkit.registry import TRANSFORMS


def foreground_boxes(img: np.ndarray, background: np.ndarray, threshold: float,
                     min_area: float, max_boxes: int) -> np.ndarray:
    """Boxes of the largest blobs where a frame differs from its background.

    Args:
        img, background: uint8 [H, W, 3] frame and its median background.
        threshold: largest per-channel absolute difference (0-255) above which
            a pixel is foreground.
        min_area: smallest blob, as a fraction of the image area.
        max_boxes: K, boxes returned.

    Returns:
        float32 [K, 4] xyxy pixel boxes (pixel-edge convention), largest blob
        first, NaN rows where there are fewer blobs.
    """
    height, width = img.shape[:2]
    diff = cv2.absdiff(img, background).max(axis=2)
    foreground = (diff > threshold).astype(np.uint8)
    foreground = cv2.morphologyEx(foreground, cv2.MORPH_OPEN,
                                  np.ones((3, 3), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(foreground, 8)
    stats = stats[1:]  # row 0 is the background component
    stats = stats[stats[:, cv2.CC_STAT_AREA] >= min_area * height * width]
    stats = stats[np.argsort(-stats[:, cv2.CC_STAT_AREA], kind='stable')]
    boxes = np.full((max_boxes, 4), np.nan, np.float32)
    kept = stats[:max_boxes]
    boxes[:len(kept), :2] = kept[:, [cv2.CC_STAT_LEFT, cv2.CC_STAT_TOP]]
    boxes[:len(kept), 2:] = (
        boxes[:len(kept), :2] +
        kept[:, [cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT]])
    return boxes


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
