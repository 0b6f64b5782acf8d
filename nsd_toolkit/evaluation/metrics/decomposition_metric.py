"""Quality of the scene decomposition: detection, masks, crop boxes, depth order."""
from typing import Any, Dict, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from nsd_toolkit.registry import METRICS
from ..functional import (box_iou, depth_order_counts, keypoints_to_box,
                          mask_iou, mask_to_box, match_instances)
from ..functional._utils import to_numpy
from ._utils import get_field

__all__ = ['DecompositionMetric']


@METRICS.register_module()
class DecompositionMetric(BaseMetric):
    """Per-view person detection, instance-mask IoU, crop-box IoU, depth order.

    For every data sample and view, the predicted slots are matched one to
    one to the people visible in that view (finite ``gt_bboxes`` row) by the
    Hungarian algorithm on the IoU between the box of each thresholded
    predicted mask and each GT box. Over all visible (person, view) pairs:

    - ``detection_rate``: fraction whose matched prediction's mask box has
      IoU >= ``iou_thr`` with the GT box;
    - ``mask_iou``: mean IoU of the matched thresholded mask with the
      person's GT instance mask;
    - ``crop_box_iou``: mean IoU of the matched slot's crop box
      (``pred_bboxes``) with the GT box;
    - ``crop_detection_rate``: fraction whose matched crop box has IoU >=
      ``iou_thr``;
    - ``overlap_mask_iou``: ``mask_iou`` over the (person, view) pairs whose
      GT box intersects another visible person's GT box (where occlusion
      reasoning matters; NaN when there is none);
    - ``depth_order_accuracy``: over the unordered pairs of matched people of
      a view whose GT boxes intersect (IoU > 0; GT masks are occluded, so the
      visible boxes stand in for the amodal extent where the order decides
      who occludes whom), the fraction whose predicted slot depths order them
      as their GT camera depths do (smaller = nearer; see
      :func:`~nsd_toolkit.evaluation.functional.depth_order_counts`). NaN
      when no such pair exists.

    Datasets without instance masks (Human3.6M, Panoptic): the GT boxes are
    those of the projected joints in front of the camera
    (:func:`~nsd_toolkit.evaluation.functional.keypoints_to_box`, somewhat
    tighter than a silhouette's) and only the crop metrics and the depth
    order are reported.

    GT people left unmatched (more people than slots) count 0 in the first
    four and are left out of the depth order. All values are fractions in
    [0, 1]; NaN when no person is visible. Without ``pred_masks`` the
    matching uses the crop boxes and only the crop metrics are reported;
    without ``pred_bboxes`` the crop metrics are left out; the depth order is
    reported only when every sample has ``pred_depths`` and ``gt_depths``.

    Expected fields (``MultiViewDataSample`` or its ``to_dict()``), V views,
    N slots, G people, boxes xyxy in pixels with the pixel-edge convention of
    :func:`~nsd_toolkit.evaluation.functional.mask_to_box`:
    ``pred_masks`` [V, N, H, W] soft in [0, 1], ``pred_bboxes`` [V, N, 4],
    ``gt_masks`` [V, H, W] instance ids (0 background, i + 1 person i),
    ``gt_bboxes`` [V, G, 4] with NaN rows for invisible people (derived from
    ``gt_masks`` when absent), ``pred_depths`` [V, N] relative slot depths,
    ``gt_depths`` [V, G] camera-space depth of each person (NaN if unknown).

    Args:
        mask_thr: Threshold on the soft predicted masks. Defaults to 0.5.
        iou_thr: IoU for a person to count as detected. Defaults to 0.5.
        collect_device: ``'cpu'`` or ``'gpu'``, as in ``BaseMetric``.
        prefix: Metric name prefix. Defaults to ``'decomposition'``.
    """

    default_prefix: Optional[str] = 'decomposition'

    def __init__(self,
                 mask_thr: float = 0.5,
                 iou_thr: float = 0.5,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if not 0.0 <= mask_thr <= 1.0:
            raise ValueError(f'mask_thr must be in [0, 1], got {mask_thr}')
        if not 0.0 < iou_thr <= 1.0:
            raise ValueError(f'iou_thr must be in (0, 1], got {iou_thr}')
        self.mask_thr = mask_thr
        self.iou_thr = iou_thr

    # ------------------------------------------------------------------
    def _view_stats(self, pred_masks, pred_boxes, pred_depths, gt_ids,
                    gt_boxes, gt_depths) -> dict:
        """Compact numbers of one view (sums over its visible people)."""
        visible = np.flatnonzero(np.isfinite(gt_boxes).all(axis=1))
        stats = dict(
            num_gt=int(len(visible)),
            detected=0.0,
            mask_iou=0.0,
            crop_iou=0.0,
            crop_detected=0.0,
            depth_correct=0,
            depth_pairs=0,
            num_overlap=0,
            overlap_mask_iou=0.0)
        if len(visible) == 0:
            return stats
        gt_boxes = gt_boxes[visible]
        touching = box_iou(gt_boxes, gt_boxes) > 0
        np.fill_diagonal(touching, False)
        overlapping = touching.any(axis=1)  # [G]: box meets another's box
        stats['num_overlap'] = int(overlapping.sum())
        if pred_masks is not None:
            binary = pred_masks >= self.mask_thr  # [N, H, W]
            match_iou = box_iou(mask_to_box(binary), gt_boxes)  # [N, G]
        else:
            match_iou = box_iou(pred_boxes, gt_boxes)
        pairs = match_instances(match_iou, maximize=True)
        if len(pairs) == 0:
            return stats
        slots, people = pairs[:, 0], pairs[:, 1]
        if pred_masks is not None:
            stats['detected'] = float(
                (match_iou[slots, people] >= self.iou_thr).sum())
            person_ids = (visible[people] + 1)[:, None, None]
            gt_instances = gt_ids[None] == person_ids
            ious = mask_iou(binary[slots], gt_instances).diagonal()  # [P]
            stats['mask_iou'] = float(ious.sum())
            stats['overlap_mask_iou'] = float(ious[overlapping[people]].sum())
        if pred_boxes is not None:
            crop = box_iou(pred_boxes[slots], gt_boxes[people]).diagonal()
            stats['crop_iou'] = float(crop.sum())
            stats['crop_detected'] = float((crop >= self.iou_thr).sum())
        if pred_depths is not None and gt_depths is not None:
            overlap = box_iou(gt_boxes[people], gt_boxes[people]) > 0
            stats['depth_correct'], stats['depth_pairs'] = depth_order_counts(
                pred_depths[slots], gt_depths[visible[people]], overlap)
        return stats

    @staticmethod
    def _gt_boxes(sample, gt_ids) -> np.ndarray:
        """[V, G, 4] GT boxes: given, else of the masks, else of the joints."""
        gt_boxes = get_field(sample, 'gt_bboxes')
        if gt_boxes is not None:
            return to_numpy(gt_boxes, np.float64)
        if gt_ids is not None:
            num_people = int(gt_ids.max(initial=0))
            people = np.arange(1, num_people + 1)[None, :, None, None]
            return to_numpy(mask_to_box(gt_ids[:, None] == people),
                            np.float64)
        keypoints, joints = (get_field(sample, key)
                             for key in ('gt_keypoints_2d', 'gt_joints_cam'))
        if keypoints is None or joints is None:
            raise KeyError(
                'DecompositionMetric needs gt_masks, gt_bboxes or 3D poses '
                '(gt_keypoints_2d and gt_joints_cam) in the data samples')
        height, width = get_field(sample, 'img_shape')[:2]
        return keypoints_to_box(keypoints, joints, width, height)

    def process(self, data_batch: Any, data_samples: Sequence) -> None:
        """Reduce each sample to per-view sums (no masks are kept)."""
        for sample in data_samples:
            gt_ids = get_field(sample, 'gt_masks')
            if gt_ids is not None:
                gt_ids = to_numpy(gt_ids).astype(np.int64)
            pred_masks = get_field(sample, 'pred_masks')
            pred_boxes = get_field(sample, 'pred_bboxes')
            if pred_masks is None and pred_boxes is None:
                raise KeyError('DecompositionMetric needs pred_masks and/or '
                               'pred_bboxes in the data samples')
            gt_boxes = self._gt_boxes(sample, gt_ids)
            if gt_ids is None:  # no GT masks: crop-box metrics only
                pred_masks = None
            if pred_masks is not None:
                pred_masks = to_numpy(pred_masks, np.float32)
                if pred_masks.shape[-2:] != gt_ids.shape[-2:]:
                    raise ValueError(
                        f'pred_masks are {pred_masks.shape[-2:]} pixels, '
                        f'gt_masks {gt_ids.shape[-2:]}: resize predictions '
                        'to the ground-truth resolution first')
            if pred_boxes is not None:
                pred_boxes = to_numpy(pred_boxes, np.float64)
            pred_depths, gt_depths = (get_field(sample, key)
                                      for key in ('pred_depths', 'gt_depths'))
            has_depths = pred_depths is not None and gt_depths is not None
            if has_depths:
                pred_depths = to_numpy(pred_depths, np.float64)
                gt_depths = to_numpy(gt_depths, np.float64)
                if gt_depths.ndim != 2 or \
                        gt_depths.shape[0] != gt_boxes.shape[0] or \
                        gt_depths.shape[1] < gt_boxes.shape[1]:
                    raise ValueError(
                        'gt_depths must be [V, G] with V = '
                        f'{gt_boxes.shape[0]} views and G >= '
                        f'{gt_boxes.shape[1]} people, got {gt_depths.shape}')
            views = []
            for v in range(gt_boxes.shape[0]):
                views.append(
                    self._view_stats(
                        None if pred_masks is None else pred_masks[v],
                        None if pred_boxes is None else pred_boxes[v],
                        pred_depths[v] if has_depths else None,
                        None if gt_ids is None else gt_ids[v],
                        gt_boxes[v], gt_depths[v] if has_depths else None))
            self.results.append(
                dict(
                    views=views,
                    has_masks=pred_masks is not None,
                    has_boxes=pred_boxes is not None,
                    has_depths=has_depths))

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """Fractions over all visible (person, view) pairs (depth: pairs)."""
        views = [view for result in results for view in result['views']]
        total = sum(view['num_gt'] for view in views)
        has_masks = all(result['has_masks'] for result in results)
        has_boxes = all(result['has_boxes'] for result in results)
        has_depths = all(result['has_depths'] for result in results)
        if total == 0:
            MMLogger.get_current_instance().warning(
                'DecompositionMetric: no visible person in the evaluated '
                'views; metrics are NaN.')

        def fraction(key):
            if total == 0:
                return float('nan')
            return float(sum(view[key] for view in views) / total)

        metrics = {}
        if has_masks:
            metrics['detection_rate'] = fraction('detected')
            metrics['mask_iou'] = fraction('mask_iou')
            overlapping = sum(view['num_overlap'] for view in views)
            metrics['overlap_mask_iou'] = float(
                sum(view['overlap_mask_iou'] for view in views) /
                overlapping) if overlapping else float('nan')
        if has_boxes:
            metrics['crop_box_iou'] = fraction('crop_iou')
            metrics['crop_detection_rate'] = fraction('crop_detected')
        if has_depths:
            pairs = sum(view['depth_pairs'] for view in views)
            metrics['depth_order_accuracy'] = float(
                sum(view['depth_correct'] for view in views) /
                pairs) if pairs else float('nan')
        return metrics
