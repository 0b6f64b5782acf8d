"""Packing of a transformed item into the model's input contract."""
import numpy as np
import torch
from mmcv.transforms import BaseTransform

from nsd_toolkit.registry import TRANSFORMS
from nsd_toolkit.structures import MultiViewDataSample
from nsd_toolkit.utils import masks_to_bboxes, project_points, world_to_camera


def person_depths(joints_cam: torch.Tensor) -> torch.Tensor:
    """Mean camera-space z of each person's finite joints.

    Args:
        joints_cam: [V, N, J, 3] camera frames (NaN where unknown).

    Returns:
        [V, N] depths in the units of ``joints_cam``; NaN without a finite
        joint.
    """
    valid = torch.isfinite(joints_cam).all(dim=-1)  # [V, N, J]
    depth = joints_cam[..., 2]
    total = torch.where(valid, depth, torch.zeros_like(depth)).sum(dim=-1)
    return total / valid.sum(dim=-1)


def _distortion(results):
    """[V, 1, 5] lens distortion of the views, or None (pinhole)."""
    dist = results.get('dist')
    if dist is None:
        return None
    return np.asarray(dist, dtype=np.float64)[:, None]


@TRANSFORMS.register_module()
class PackMultiViewInputs(BaseTransform):
    """Pack an item as ``dict(inputs=..., data_samples=MultiViewDataSample)``.

    ``inputs``: ``img`` and ``background`` uint8 [V, 3, H, W] RGB, ``K``
    float32 [V, 3, 3] (pixels of the transformed image), ``R`` float32
    [V, 3, 3], ``t`` float32 [V, 3] (world-to-camera, calibration units)
    and, when present, ``proposals`` float32 [V, K, 4]
    (:class:`BackgroundProposals`).

    ``data_samples`` metainfo: ``meta_keys`` of the results. Data fields when
    available: ``gt_masks`` LongTensor [V, H, W], ``gt_bboxes`` float32
    [V, N, 4] xyxy pixel boxes of each person's mask (NaN rows for invisible
    people, N = ``num_people``), ``gt_joints_3d`` float32 [N, 17, 3],
    ``gt_joints_cam`` float32 [V, N, 17, 3] (the joints in each view's camera
    frame), ``gt_keypoints_2d`` float32 [V, N, 17, 2] (their pixels in the
    transformed image, lens distortion applied) and ``gt_depths`` float32
    [V, N]: the camera-space depth (z, calibration units) of each person in
    each view, the mean over the person's finite joints, NaN for people
    without one.
    """

    def __init__(self,
                 meta_keys=('seq', 'frame', 'cameras', 'img_shape',
                            'ori_shape', 'num_people')):
        self.meta_keys = tuple(meta_keys)

    def transform(self, results):
        if isinstance(results['img'], list):
            raise ValueError(
                f'PackMultiViewInputs: the views have different sizes '
                f'{results["img_shape"]}; add dict(type="ResizeMultiView", '
                'size=(W, H)) to the pipeline before packing')
        inputs = {
            key: torch.from_numpy(np.ascontiguousarray(
                results[key].transpose(0, 3, 1, 2)))
            for key in ('img', 'background')
        }
        for key in ('K', 'R', 't'):
            inputs[key] = torch.as_tensor(results[key], dtype=torch.float32)
        if 'proposals' in results:
            inputs['proposals'] = torch.as_tensor(results['proposals'],
                                                  dtype=torch.float32)

        sample = MultiViewDataSample(
            metainfo={key: results[key] for key in self.meta_keys})
        if 'gt_masks' in results:
            sample.gt_masks = torch.from_numpy(
                results['gt_masks'].astype(np.int64))
            sample.gt_bboxes = masks_to_bboxes(sample.gt_masks,
                                               results['num_people'])
        if results.get('joints_3d') is not None:
            sample.gt_joints_3d = torch.as_tensor(
                results['joints_3d'], dtype=torch.float32)
            joints = np.asarray(results['joints_3d'], dtype=np.float64)
            R, t = (np.asarray(results[key], np.float64) for key in 'Rt')
            sample.gt_joints_cam = torch.as_tensor(
                world_to_camera(joints, R[:, None], t[:, None]),
                dtype=torch.float32)
            sample.gt_keypoints_2d = torch.as_tensor(
                project_points(joints, np.asarray(results['K'])[:, None],
                               R[:, None], t[:, None],
                               _distortion(results)), dtype=torch.float32)
            sample.gt_depths = person_depths(sample.gt_joints_cam)
        return dict(inputs=inputs, data_samples=sample)

    def __repr__(self):
        return f'{self.__class__.__name__}(meta_keys={self.meta_keys})'
