"""Hook drawing predicted and ground-truth 3D poses over the evaluated views."""
import os.path as osp
from typing import Optional, Sequence

import numpy as np

from nsd_toolkit.structures import match_slots_per_view
from nsd_toolkit.registry import HOOKS
from nsd_toolkit.utils import project_points
from nsd_toolkit.visualization import (draw_boxes, draw_skeletons, grid,
                                       label, save_rgb, to_uint8_image)
from .panel_hook import NSDPanelHook

GT_COLOR = (255, 255, 255)
# the poses are in the camera frame already
IDENTITY_R, ZERO_T = np.eye(3), np.zeros(3)


@HOOKS.register_module()
class PosePanelHook(NSDPanelHook):
    """Pictures of :class:`NSDPoseEstimator` on the validation / test views.

    Per view (first ``max_batches`` batches, ``max_samples`` samples each):
    the image with B's boxes and the ground-truth skeletons (white), and the
    image with each slot's predicted skeleton (slot colour), placed at the
    root of the person the slot is matched to as in
    :class:`~nsd_toolkit.evaluation.PoseMetric` (P predicts root-relative
    poses) and projected with the view's intrinsics. With a root head
    (``pred_root_2d``) the skeleton's root is the head's pixel at the true
    root's depth, so the picture shows where the head puts the person. Files go to
    ``<work_dir>/<out_dir>/{val,test}/``; no training pictures.

    Args:
        root_index (int): the root joint (0 = pelvis in Human3.6M order).
        **kwargs: ``max_samples``, ``max_batches``, ``out_dir`` of
            :class:`NSDPanelHook`.
    """

    def __init__(self, root_index: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.root_index = root_index

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        """No training pictures: P's input is not an image."""

    def _eval_panel(self, runner, phase: str, batch_idx: int, data_batch,
                    outputs: Optional[Sequence]) -> None:
        if batch_idx >= self.max_batches or not outputs:
            return
        rows = []
        inputs = data_batch['inputs']
        for views, intrinsics, sample in zip(inputs['img'][:self.max_samples],
                                             inputs['K'][:self.max_samples],
                                             outputs[:self.max_samples]):
            gt = sample.gt_joints_cam.numpy().astype(np.float64)
            pred = sample.pred_joints_3d.numpy().astype(np.float64)
            boxes = sample.pred_bboxes.numpy()
            height, width = views.shape[-2:]
            pairs, _ = match_slots_per_view(boxes, sample.gt_keypoints_2d,
                                            gt, width, height)
            row = []
            for view, img in enumerate(views):
                img = to_uint8_image(img)
                K = intrinsics[view].numpy().astype(np.float64)
                slots, people = pairs[view].T
                placed = np.full_like(pred[view], np.nan)
                roots = gt[view, people, self.root_index]  # [P, 3]
                if 'pred_root_2d' in sample:  # the head's pixel, true depth
                    pixels = sample.pred_root_2d[view, slots].numpy()
                    homogeneous = np.concatenate(
                        [pixels, np.ones((len(slots), 1))], -1)
                    roots = homogeneous @ np.linalg.inv(K).T * roots[:, 2:]
                placed[slots] = pred[view, slots] + roots[:, None]
                truth = draw_skeletons(
                    draw_boxes(img, boxes[view]),
                    project_points(gt[view], K, IDENTITY_R, ZERO_T),
                    colors=[GT_COLOR] * gt.shape[1])
                guess = draw_skeletons(
                    img, project_points(placed, K, IDENTITY_R, ZERO_T))
                row += [label(truth, f'{sample.cameras[view]} GT'),
                        label(guess, 'P at R' if 'pred_root_2d' in sample
                              else 'P')]
            rows.append(row)
        name = (f'iter_{runner.iter:07d}_batch_{batch_idx}.png'
                if phase == 'val' else f'batch_{batch_idx}.png')
        save_rgb(osp.join(self._folder(runner, phase), name), grid(rows))
