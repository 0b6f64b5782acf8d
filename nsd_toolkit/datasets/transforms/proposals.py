"""Unsupervised person box proposals from background subtraction."""
import hashlib

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from nsd_toolkit.registry import TRANSFORMS
from nsd_toolkit.utils.foreground import foreground_mask
from nsd_toolkit.utils.lru import LRUCache


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
        cache_size (int): views whose boxes are kept in memory (per process
            and loader worker), keyed by digests of the frame's and the
            background's pixels, so a view sampled again costs two digests
            (~50 us at 128x96) instead of the blobs (~350 us); any change to
            the pixels (e.g. a photometric augmentation) is a new key. 0
            computes every view.
    """

    def __init__(self, threshold=12.0, min_area=0.002, max_proposals=4,
                 cache_size=65536):
        if not 0 <= threshold < 255:
            raise ValueError(
                f'BackgroundProposals: threshold must be in [0, 255), got '
                f'{threshold}')
        if not 0 <= min_area < 1 or max_proposals < 1:
            raise ValueError(
                'BackgroundProposals: min_area must be in [0, 1) and '
                f'max_proposals >= 1, got {min_area}, {max_proposals}')
        if isinstance(cache_size, bool) or not isinstance(
                cache_size, int) or cache_size < 0:
            raise ValueError('BackgroundProposals: cache_size must be an '
                             f'integer >= 0, got {cache_size!r}')
        self.threshold = threshold
        self.min_area = min_area
        self.max_proposals = int(max_proposals)
        self.cache_size = cache_size
        self._cache = LRUCache(cache_size)

    def transform(self, results):
        results['proposals'] = np.stack([
            self._boxes(img, background)
            for img, background in zip(results['img'], results['background'])
        ])
        return results

    def _boxes(self, img, background):
        """:func:`foreground_boxes` of one view, through the cache."""
        if not self.cache_size:
            return self._compute(img, background)
        key = (img.shape, _digest(img), _digest(background))
        boxes = self._cache.get(key)
        if boxes is None:
            boxes = self._compute(img, background)
            boxes.flags.writeable = False
            self._cache.put(key, boxes)
        return boxes

    def _compute(self, img, background):
        return foreground_boxes(img, background, self.threshold,
                                self.min_area, self.max_proposals)

    def __repr__(self):
        return (f'{self.__class__.__name__}(threshold={self.threshold}, '
                f'min_area={self.min_area}, '
                f'max_proposals={self.max_proposals}, '
                f'cache_size={self.cache_size})')


def _digest(array):
    """SHA-1 of an array's bytes (its shape not included)."""
    return hashlib.sha1(np.ascontiguousarray(array).data).digest()
