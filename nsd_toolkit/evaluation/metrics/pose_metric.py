"""3D pose error of the people found in single images."""
from typing import Any, Dict, Optional, Sequence, Tuple

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from nsd_toolkit.registry import METRICS
from ..functional import (H36M_FACING_JOINTS, facing_errors_deg,
                          keypoint_mpjpe, match_slots_per_view)
from nsd_toolkit.structures.array_utils import to_numpy
from ._utils import get_field

__all__ = ['PoseMetric', 'POSE_ERROR_NAMES']

# metric key -> (its name in tables, keypoint_mpjpe alignment, whether the root
# joint is averaged)
ERRORS = dict(
    mpjpe_mm=('MPJPE', 'none', True),
    n_mpjpe_mm=('N-MPJPE', 'scale', False),
    pa_mpjpe_mm=('P-MPJPE', 'procrustes', True),
    n_mpjpe_linear_mm=('NMPJPE*', 'linear', False))
# metric key -> its name in tables, in the order PoseMetric reports them
POSE_ERROR_NAMES = dict(
    {key: name
     for key, (name, _, _) in ERRORS.items()},
    facing_error_deg='facing error (deg)',
    facing_flipped_pct='facing flipped (%)')


@METRICS.register_module()
class PoseMetric(BaseMetric):
    """MPJPE and its aligned variants, in mm, over the people of every view.

    Each view is evaluated as a single image. Its people (those with a
    joint in front of the camera and their mean projected joint inside the
    image, :func:`~nsd_toolkit.evaluation.functional.person_centers`) are
    matched one to one to the predicted slots by the Hungarian algorithm on
    the distance between the slot's box centre and the person's centre, as
    in training; so the multi-person evaluation does not depend on slot
    order. Poses are compared root-relative in the view's camera frame, so
    the root's error is 0 without alignment. Joints averaged:

    - ``mpjpe_mm``: mean joint distance over all J joints, the root (error 0)
      included, as the research code (kept for comparison with the paper);
    - ``n_mpjpe_mm``: after a per-pose least-squares scale ``s = <p, g> /
      <p, p>``, over the J - 1 non-root joints (N-MPJPE; the research code's
      value: its mean over all J joints times J / (J - 1));
    - ``pa_mpjpe_mm``: after a per-pose similarity transform, over all J
      joints (P-MPJPE as commonly reported: the translation moves the root);
    - ``n_mpjpe_linear_mm``: after one J x J linear map over joints fitted on
      the whole set (the paper's NMPJPE*), over the J - 1 non-root joints
      (the root is 0 on both sides and would only dilute the mean);
    - ``facing_error_deg``: mean angle between the predicted and true
      facing directions (the normal of the hip-thorax plane,
      :func:`~nsd_toolkit.evaluation.functional.facing_errors_deg`), in
      degrees: the orientation error that the aligned variants remove;
    - ``facing_flipped_pct``: the share of poses whose facing error exceeds
      90 degrees (front and back confused), in percent;
    - ``matched_fraction``: matched people / people (people left without a
      slot are not in the errors);
    - ``root_error_px`` (models with a root head, ``pred_root_2d``
      [V, N, 2]): mean distance in pixels between the matched slots'
      predicted root pixels and the people's projected roots.

    The alignments are fitted on the joints that are averaged. Errors are in
    the calibration units, mm in the toolkit's format. NaN when nothing was
    matched.

    Expected fields (``MultiViewDataSample`` or its ``to_dict()``), V views,
    N slots, G people, J joints: ``pred_joints_3d`` [V, N, J, 3]
    root-relative, ``pred_bboxes`` [V, N, 4] xyxy pixels, ``gt_joints_cam``
    [V, G, J, 3], ``gt_keypoints_2d`` [V, G, J, 2] and ``img_shape`` (H, W).

    Args:
        root_index: the root joint (0 = pelvis in Human3.6M order).
        facing_joints: the (left hip, right hip, thorax) joints of the
            facing direction (Human3.6M order by default); None: the facing
            metrics are NaN (joint sets without them).
        collect_device: ``'cpu'`` or ``'gpu'``, as in ``BaseMetric``.
        prefix: Metric name prefix. Defaults to ``'pose'``.
    """

    default_prefix: Optional[str] = 'pose'

    def __init__(self,
                 root_index: int = 0,
                 facing_joints: Optional[Tuple[int, int,
                                               int]] = H36M_FACING_JOINTS,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.root_index = root_index
        self.facing_joints = facing_joints

    def process(self, data_batch: Any, data_samples: Sequence) -> None:
        """Keep the matched (prediction, ground truth) poses of every view."""
        for sample in data_samples:
            fields = {}
            for key in ('pred_joints_3d', 'pred_bboxes', 'gt_joints_cam',
                        'gt_keypoints_2d'):
                value = get_field(sample, key)
                if value is None:
                    raise KeyError(f'PoseMetric needs {key} in the data '
                                   'samples (3D ground truth and a pose '
                                   'model)')
                fields[key] = to_numpy(value, np.float64)
            height, width = get_field(sample, 'img_shape')[:2]
            gt = fields['gt_joints_cam']
            gt = gt - gt[..., self.root_index:self.root_index + 1, :]
            pairs, present = match_slots_per_view(
                fields['pred_bboxes'], fields['gt_keypoints_2d'],
                fields['gt_joints_cam'], width, height)
            pred = [fields['pred_joints_3d'][view, pair[:, 0]]
                    for view, pair in enumerate(pairs)]
            target = [gt[view, pair[:, 1]] for view, pair in enumerate(pairs)]
            result = dict(pred=np.concatenate(pred),
                          gt=np.concatenate(target),
                          people=int(present.sum()))
            root_2d = get_field(sample, 'pred_root_2d')
            if root_2d is not None:
                root_2d = to_numpy(root_2d, np.float64)
                keypoints = fields['gt_keypoints_2d'][..., self.root_index, :]
                result['root_error_px'] = np.concatenate([
                    np.linalg.norm(root_2d[view, pair[:, 0]] -
                                   keypoints[view, pair[:, 1]], axis=-1)
                    for view, pair in enumerate(pairs)])
            self.results.append(result)

    def compute_metrics(self, results: list) -> Dict[str, float]:
        pred = np.concatenate([r['pred'] for r in results])
        gt = np.concatenate([r['gt'] for r in results])
        people = sum(r['people'] for r in results)
        if len(pred) == 0:
            MMLogger.get_current_instance().warning(
                'PoseMetric: no person was matched; errors are NaN.')
        non_root = np.ones(pred.shape[:2], dtype=bool)
        non_root[:, self.root_index] = False
        metrics = {
            name: keypoint_mpjpe(
                pred, gt, None if with_root else non_root, alignment)
            if len(pred) else float('nan')
            for name, (_, alignment, with_root) in ERRORS.items()
        }
        metrics.update(self._facing_metrics(pred, gt))
        metrics['matched_fraction'] = (
            len(pred) / people if people else float('nan'))
        if all('root_error_px' in r for r in results):
            errors = np.concatenate([r['root_error_px'] for r in results])
            metrics['root_error_px'] = (float(errors.mean()) if len(errors)
                                        else float('nan'))
        return metrics

    def _facing_metrics(self, pred: np.ndarray,
                        gt: np.ndarray) -> Dict[str, float]:
        """``facing_error_deg`` and ``facing_flipped_pct`` of [K, J, 3]
        poses (NaN without ``facing_joints`` or a defined direction)."""
        angles = np.array([])
        if self.facing_joints is not None and len(pred):
            if max(self.facing_joints) >= pred.shape[1]:
                raise ValueError(
                    f'PoseMetric: facing_joints={self.facing_joints} does not '
                    f'index the {pred.shape[1]} joints of the poses; set it '
                    'to their (left hip, right hip, thorax) or None')
            angles = facing_errors_deg(pred, gt, self.facing_joints)
            angles = angles[np.isfinite(angles)]
        if not len(angles):
            return dict(facing_error_deg=float('nan'),
                        facing_flipped_pct=float('nan'))
        return dict(facing_error_deg=float(angles.mean()),
                    facing_flipped_pct=float(100.0 * (angles > 90).mean()))
