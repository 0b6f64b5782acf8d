"""Decomposition quality: detection, precision, masks, crop boxes, depth order."""
from typing import Any, Dict, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from nsd_toolkit.registry import METRICS
from ..functional import (box_iou, depth_order_counts, joint_occlusions,
                          keypoints_to_box, mask_iou, mask_to_box,
                          match_instances)
from nsd_toolkit.structures.array_utils import to_numpy
from ._utils import get_field

__all__ = ['DecompositionMetric']


@METRICS.register_module()
class DecompositionMetric(BaseMetric):
    """Per-view detection, precision, instance masks, crop boxes, depth order.

    For every data sample and view, the predicted slots are matched one to
    one to the people visible in that view (finite ``gt_bboxes`` row) by the
    Hungarian algorithm on the IoU between the box of each thresholded
    predicted mask and each GT box (the crop boxes without ``pred_masks``).

    Over all visible (person, view) pairs (people left unmatched, when there
    are more people than slots, count 0):

    - ``detection_rate``: fraction whose matched slot's mask box has IoU >=
      ``iou_thr`` with the GT box;
    - ``mask_iou``: mean IoU of the matched thresholded mask with the
      person's GT instance mask;
    - ``overlap_mask_iou``: ``mask_iou`` over the people whose GT box
      intersects another visible person's GT box;
    - ``crop_box_iou``: mean IoU of the matched slot's crop box
      (``pred_bboxes``, B's attention window) with the GT box;
    - ``crop_detection_rate``: fraction whose matched crop box has IoU >=
      ``iou_thr``.

    Over the predicted instances, the slots of a view whose thresholded mask
    has at least ``min_mask_area`` pixels:

    - ``precision``: fraction matched to a visible person with mask-box IoU
      >= ``iou_thr`` (true positives; with the default ``min_mask_area`` the
      same count as ``detection_rate``'s numerator);
    - ``false_positive_rate``: ``1 - precision``, the fraction of false
      positives among the predicted instances: a mask on no person (in a
      view without people too), a second mask on a person already matched
      to another slot, or a matched mask whose box has IoU < ``iou_thr``.

    Over the unordered pairs of matched people of a view whose GT depths are
    known and differ:

    - ``depth_order_pairs``: how many pairs; with GT masks and joints
      (``gt_keypoints_2d``, ``gt_joints_cam``) the occluding pairs, where
      one person's visible GT mask covers a projected joint of the other
      (:func:`~nsd_toolkit.evaluation.functional.joint_occlusions`);
    - ``depth_order_accuracy``: fraction of those pairs whose matched slots'
      ``pred_depths`` order them as their GT camera depths do (smaller =
      nearer; equal or NaN predicted depths count wrong);
    - ``depth_order_cue_accuracy``: the same fraction for the trivial cue
      "the person whose GT box reaches lower in the image (larger bottom
      edge y1) is nearer", on exactly those pairs (equal bottoms count
      wrong);
    - ``depth_order_margin``: ``depth_order_accuracy -
      depth_order_cue_accuracy``.

    Samples without GT masks or joints (Human3.6M, Panoptic have no masks)
    use instead the pairs whose GT boxes intersect and report the same four
    numbers as ``depth_order_*_box_pairs``. The depth order is left out
    unless every sample has ``gt_depths``; it is NaN (logged once) when a
    sample has no ``pred_depths``, e.g. NSD before its depth stage, while
    the cue and the pair count are still reported.

    Without GT instance masks the GT boxes are those of the projected joints
    in front of the camera
    (:func:`~nsd_toolkit.evaluation.functional.keypoints_to_box`) and only
    the crop metrics and the depth order are reported. Without
    ``pred_masks`` precision is left out too: B always places its N boxes
    and has no presence score, so every crop box would be an instance and
    precision would be the share of slots that have a person. Without
    ``pred_bboxes`` the crop metrics are left out. All values are fractions
    in [0, 1] (the margin in [-1, 1]) or counts; NaN where nothing was
    counted.

    Without labels (no ``gt_masks``, ``gt_bboxes`` or 3D poses, e.g. an
    unlabelled capture) a sample contributes only to what needs none, over
    all slots of all views: ``box_area``, the mean crop-box area, and
    ``mask_area``, the mean thresholded-mask area, as fractions of the image
    (boxes collapsing to nothing or filling the image show here); the
    metrics against labels are computed on the labelled samples and left
    out when there are none (logged once). :class:`NovelViewMetric` measures
    the reconstruction without labels.

    Expected fields (``MultiViewDataSample`` or its ``to_dict()``), V views,
    N slots, G people, J joints, boxes xyxy in pixels with the pixel-edge
    convention of :func:`~nsd_toolkit.evaluation.functional.mask_to_box`:
    ``pred_masks`` [V, N, H, W] soft in [0, 1], ``pred_bboxes`` [V, N, 4],
    ``pred_depths`` [V, N] relative slot depths, ``gt_masks`` [V, H, W]
    instance ids (0 background, i + 1 person i), ``gt_bboxes`` [V, G, 4]
    with NaN rows for invisible people (derived from ``gt_masks`` when
    absent), ``gt_depths`` [V, G] camera-space depth of each person (NaN if
    unknown), ``gt_keypoints_2d`` [V, G, J, 2] pixels and ``gt_joints_cam``
    [V, G, J, 3] camera frame.

    Args:
        mask_thr: Threshold on the soft predicted masks. Defaults to 0.5.
        iou_thr: IoU for a person to count as detected. Defaults to 0.5.
        min_mask_area: Pixels a thresholded mask needs to be a predicted
            instance (precision); 1 counts every non-empty mask, larger
            values ignore specks. Defaults to 1.
        collect_device: ``'cpu'`` or ``'gpu'``, as in ``BaseMetric``.
        prefix: Metric name prefix. Defaults to ``'decomposition'``.
    """

    default_prefix: Optional[str] = 'decomposition'

    def __init__(self,
                 mask_thr: float = 0.5,
                 iou_thr: float = 0.5,
                 min_mask_area: int = 1,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if not 0.0 <= mask_thr <= 1.0:
            raise ValueError(f'mask_thr must be in [0, 1], got {mask_thr}')
        if not 0.0 < iou_thr <= 1.0:
            raise ValueError(f'iou_thr must be in (0, 1], got {iou_thr}')
        if min_mask_area < 1:
            raise ValueError(
                f'min_mask_area must be >= 1 pixel, got {min_mask_area}')
        self.mask_thr = mask_thr
        self.iou_thr = iou_thr
        self.min_mask_area = min_mask_area
        self._warned_no_depth = False
        self._warned_unlabelled = False

    # ------------------------------------------------------------------
    def _view_stats(self, pred_masks, pred_boxes, pred_depths, gt_ids,
                    gt_boxes, gt_depths, occludes) -> dict:
        """Compact numbers of one view (sums over its people and pairs).

        ``occludes`` is the [G, G] output of :func:`joint_occlusions` or None
        (depth pairs from intersecting GT boxes).
        """
        visible = np.flatnonzero(np.isfinite(gt_boxes).all(axis=1))
        stats = dict(
            num_gt=int(len(visible)),
            detected=0.0,
            mask_iou=0.0,
            crop_iou=0.0,
            crop_detected=0.0,
            num_predicted=0,
            true_positives=0,
            depth_pairs=0,
            depth_correct=0,
            depth_cue_correct=0,
            num_overlap=0,
            overlap_mask_iou=0.0)
        if pred_masks is not None:
            binary = pred_masks >= self.mask_thr  # [N, H, W]
            predicted = binary.sum(axis=(1, 2)) >= self.min_mask_area  # [N]
            stats['num_predicted'] = int(predicted.sum())
        if len(visible) == 0:
            return stats
        gt_boxes = gt_boxes[visible]
        touching = box_iou(gt_boxes, gt_boxes) > 0
        np.fill_diagonal(touching, False)
        overlapping = touching.any(axis=1)  # [G]: box meets another's box
        stats['num_overlap'] = int(overlapping.sum())
        match_iou, pairs = _match(
            None if pred_masks is None else binary, pred_boxes, gt_boxes)
        if len(pairs) == 0:
            return stats
        slots, people = pairs[:, 0], pairs[:, 1]
        if pred_masks is not None:
            hits = match_iou[slots, people] >= self.iou_thr  # [P]
            stats['detected'] = float(hits.sum())
            stats['true_positives'] = int((hits & predicted[slots]).sum())
            person_ids = (visible[people] + 1)[:, None, None]
            gt_instances = gt_ids[None] == person_ids
            ious = mask_iou(binary[slots], gt_instances).diagonal()  # [P]
            stats['mask_iou'] = float(ious.sum())
            stats['overlap_mask_iou'] = float(ious[overlapping[people]].sum())
        if pred_boxes is not None:
            crop = box_iou(pred_boxes[slots], gt_boxes[people]).diagonal()
            stats['crop_iou'] = float(crop.sum())
            stats['crop_detected'] = float((crop >= self.iou_thr).sum())
        if gt_depths is not None:
            matched = visible[people]
            if occludes is not None:
                near = occludes[np.ix_(matched, matched)]
                selected = near | near.T
            else:
                selected = touching[np.ix_(people, people)]
            depths = gt_depths[matched]
            # the cue: the lower box bottom (larger y1) is nearer
            stats['depth_cue_correct'], stats['depth_pairs'] = \
                depth_order_counts(-gt_boxes[people, 3], depths, selected)
            if pred_depths is not None:
                stats['depth_correct'] = depth_order_counts(
                    pred_depths[slots], depths, selected)[0]
        return stats

    @staticmethod
    def _gt_boxes(sample, gt_ids) -> Optional[np.ndarray]:
        """[V, G, 4] GT boxes: given, else of the masks, else of the joints;
        None for an unlabelled sample."""
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
            return None
        height, width = get_field(sample, 'img_shape')[:2]
        return keypoints_to_box(keypoints, joints, width, height)

    @staticmethod
    def _depths(sample, key: str, shape: tuple) -> Optional[np.ndarray]:
        """float64 [V, >= G] depths of ``key``, None when the sample has none."""
        depths = get_field(sample, key)
        if depths is None:
            return None
        depths = to_numpy(depths, np.float64)
        if depths.ndim != 2 or depths.shape[0] != shape[0] or \
                depths.shape[1] < shape[1]:
            raise ValueError(
                f'{key} must be [V, G] with V = {shape[0]} views and G >= '
                f'{shape[1]} (people or slots), got {depths.shape}')
        return depths

    @staticmethod
    def _occlusions(sample, gt_ids, num_people: int) -> Optional[np.ndarray]:
        """[V, G', G'] :func:`joint_occlusions` (G' >= G), None without GT
        masks or joints."""
        keypoints, joints = (get_field(sample, key)
                             for key in ('gt_keypoints_2d', 'gt_joints_cam'))
        if gt_ids is None or keypoints is None or joints is None:
            return None
        occludes = joint_occlusions(gt_ids, keypoints, joints)
        if occludes.shape[-1] < num_people:
            raise ValueError(
                f'gt_keypoints_2d hold {occludes.shape[-1]} people, the GT '
                f'boxes {num_people}')
        return occludes

    def _prediction_statistics(self, pred_masks, pred_boxes,
                               img_shape) -> Dict[str, np.ndarray]:
        """Label-free numbers of each predicted slot: the area of its crop
        box and of its thresholded mask as fractions of the image ([V * N]
        each; an empty array when the predictions lack that field)."""
        statistics = dict(box_area=np.zeros(0), mask_area=np.zeros(0))
        if pred_masks is not None:
            binary = to_numpy(pred_masks) >= self.mask_thr  # [V, N, H, W]
            statistics['mask_area'] = binary.mean(axis=(-2, -1)).ravel()
        if pred_boxes is not None:
            boxes = to_numpy(pred_boxes, np.float64).reshape(-1, 4)
            if pred_masks is not None:
                height, width = np.shape(pred_masks)[-2:]
            elif img_shape is not None:
                height, width = img_shape[:2]
            else:
                raise KeyError('DecompositionMetric needs img_shape in the '
                               'data samples of predictions without masks')
            statistics['box_area'] = (
                (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]) /
                (width * height))
        return statistics

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
            statistics = self._prediction_statistics(
                pred_masks, pred_boxes, get_field(sample, 'img_shape'))
            gt_boxes = self._gt_boxes(sample, gt_ids)
            if gt_boxes is None:  # unlabelled: what needs no labels
                self.results.append(dict(statistics, labelled=False))
                continue
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
            gt_depths = self._depths(sample, 'gt_depths', gt_boxes.shape)
            pred_depths = occludes = None
            if gt_depths is not None:
                num_slots = (pred_masks if pred_masks is not None else
                             pred_boxes).shape[1]
                pred_depths = self._depths(sample, 'pred_depths',
                                           (gt_boxes.shape[0], num_slots))
                occludes = self._occlusions(sample, gt_ids, gt_boxes.shape[1])
            views = []
            for v in range(gt_boxes.shape[0]):
                views.append(
                    self._view_stats(
                        None if pred_masks is None else pred_masks[v],
                        None if pred_boxes is None else pred_boxes[v],
                        None if pred_depths is None else pred_depths[v],
                        None if gt_ids is None else gt_ids[v], gt_boxes[v],
                        None if gt_depths is None else gt_depths[v],
                        None if occludes is None else occludes[v]))
            self.results.append(
                dict(
                    statistics,
                    labelled=True,
                    views=views,
                    has_masks=pred_masks is not None,
                    has_boxes=pred_boxes is not None,
                    has_gt_depths=gt_depths is not None,
                    has_pred_depths=pred_depths is not None,
                    pair_kind='box' if occludes is None else 'occluding'))

    def matched_people(self, sample) -> np.ndarray:
        """The person each slot is matched to in each view, as scored.

        Args:
            sample: a data sample with ``pred_masks`` [V, N, H, W] and GT
                (``gt_masks`` and ``gt_bboxes`` or 3D joints).

        Returns:
            int64 [V, N]: index of the GT person (second axis of
            ``gt_bboxes`` / ``gt_depths``) matched to each slot, -1 for a
            slot matched to no visible person.
        """
        gt_ids = to_numpy(get_field(sample, 'gt_masks')).astype(np.int64)
        gt_boxes = self._gt_boxes(sample, gt_ids)
        binary = to_numpy(get_field(sample, 'pred_masks')) >= self.mask_thr
        people = np.full(binary.shape[:2], -1, np.int64)
        for view, (slots, boxes) in enumerate(zip(binary, gt_boxes)):
            visible = np.flatnonzero(np.isfinite(boxes).all(axis=1))
            pairs = _match(slots, None, boxes[visible])[1]
            people[view, pairs[:, 0]] = visible[pairs[:, 1]]
        return people

    def _depth_metrics(self, results: list) -> Dict[str, float]:
        """Depth order and its cue per kind of pairs (see the class doc)."""
        metrics = {}
        missing = sum(not result['has_pred_depths'] for result in results)
        if missing and not self._warned_no_depth:  # once per metric
            MMLogger.get_current_instance().warning(
                f'DecompositionMetric: {missing} of {len(results)} samples '
                'carry no pred_depths (a model without depth, e.g. NSD with '
                'use_depth=False): depth order not available (NaN); its cue '
                'and pair count are still reported.')
            self._warned_no_depth = True
        for kind, suffix in (('occluding', ''), ('box', '_box_pairs')):
            views = [
                view for result in results if result['pair_kind'] == kind
                for view in result['views']
            ]
            if not views:
                continue
            pairs = _total(views, 'depth_pairs')
            depth = (float('nan') if missing else _ratio(
                _total(views, 'depth_correct'), pairs))
            cue = _ratio(_total(views, 'depth_cue_correct'), pairs)
            metrics.update({
                f'depth_order_accuracy{suffix}': depth,
                f'depth_order_cue_accuracy{suffix}': cue,
                f'depth_order_margin{suffix}': depth - cue,
                f'depth_order_pairs{suffix}': pairs,
            })
        return metrics

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """Fractions over visible (person, view) pairs, predicted instances
        (precision) and person pairs (depth order) of the labelled samples;
        the slot statistics of all samples."""
        metrics = _slot_statistics(results)
        labelled = [result for result in results if result['labelled']]
        if len(labelled) < len(results) and not self._warned_unlabelled:
            MMLogger.get_current_instance().warning(
                f'DecompositionMetric: {len(results) - len(labelled)} of '
                f'{len(results)} samples carry no gt_masks, gt_bboxes or 3D '
                'poses: detection, mask, precision, crop-box and depth-order '
                'metrics are computed on the labelled samples only (none '
                'without any); box_area and mask_area cover all samples. '
                'NovelViewMetric validates without labels.')
            self._warned_unlabelled = True
        if labelled:
            metrics.update(self._labelled_metrics(labelled))
        return metrics

    def _labelled_metrics(self, results: list) -> Dict[str, float]:
        """The metrics against the labels (see the class doc)."""
        views = [view for result in results for view in result['views']]
        total = _total(views, 'num_gt')
        has_masks = all(result['has_masks'] for result in results)
        has_boxes = all(result['has_boxes'] for result in results)
        if total == 0:
            MMLogger.get_current_instance().warning(
                'DecompositionMetric: no visible person in the evaluated '
                'views; metrics are NaN.')
        metrics = {}
        if has_masks:
            metrics.update(
                detection_rate=_ratio(_total(views, 'detected'), total),
                mask_iou=_ratio(_total(views, 'mask_iou'), total),
                overlap_mask_iou=_ratio(
                    _total(views, 'overlap_mask_iou'),
                    _total(views, 'num_overlap')),
                precision=_ratio(
                    _total(views, 'true_positives'),
                    _total(views, 'num_predicted')))
            metrics['false_positive_rate'] = 1.0 - metrics['precision']
        if has_boxes:
            metrics.update(
                crop_box_iou=_ratio(_total(views, 'crop_iou'), total),
                crop_detection_rate=_ratio(
                    _total(views, 'crop_detected'), total))
        if all(result['has_gt_depths'] for result in results):
            metrics.update(self._depth_metrics(results))
        return metrics


def _match(binary: Optional[np.ndarray], pred_boxes: Optional[np.ndarray],
           gt_boxes: np.ndarray):
    """IoU [N, G] of each slot's thresholded mask's box (else its crop box)
    with the visible GT boxes [G, 4] of a view, and the Hungarian
    ``(slot, person)`` pairs [P, 2] that maximise it."""
    boxes = pred_boxes if binary is None else mask_to_box(binary)
    match_iou = box_iou(boxes, gt_boxes)
    return match_iou, match_instances(match_iou, maximize=True)


def _slot_statistics(results: list) -> Dict[str, float]:
    """Mean ``box_area`` and ``mask_area`` over all slots of all views."""
    metrics = {}
    for key in ('box_area', 'mask_area'):
        values = np.concatenate([np.zeros(0)] +
                                [result[key] for result in results])
        if values.size:
            metrics[key] = float(values.mean())
    return metrics


def _total(views: list, key: str):
    """Sum of one statistic over views."""
    return sum(view[key] for view in views)


def _ratio(numerator, denominator) -> float:
    """``numerator / denominator``, NaN when nothing was counted."""
    return float(numerator / denominator) if denominator else float('nan')
