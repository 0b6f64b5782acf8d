"""Packing of a transformed item into the model's input contract."""
import numpy as np
import torch
from mmcv.transforms import BaseTransform

from nsd_toolkit.registry import TRANSFORMS
from nsd_toolkit.structures import MultiViewDataSample
from nsd_toolkit.utils import masks_to_bboxes


@TRANSFORMS.register_module()
class PackMultiViewInputs(BaseTransform):
    """Pack an item as ``dict(inputs=..., data_samples=MultiViewDataSample)``.

    ``inputs``: ``img`` and ``background`` uint8 [V, 3, H, W] RGB, ``K``
    float32 [V, 3, 3] (pixels of the transformed image), ``R`` float32
    [V, 3, 3], ``t`` float32 [V, 3] (world-to-camera, calibration units).

    ``data_samples`` metainfo: ``meta_keys`` of the results. Data fields when
    available: ``gt_masks`` LongTensor [V, H, W], ``gt_bboxes`` float32
    [V, N, 4] xyxy pixel boxes of each person's mask (NaN rows for invisible
    people, N = ``num_people``), ``gt_joints_3d`` float32 [N, 17, 3].
    """

    def __init__(self,
                 meta_keys=('seq', 'frame', 'cameras', 'img_shape',
                            'ori_shape', 'num_people')):
        self.meta_keys = tuple(meta_keys)

    def transform(self, results):
        inputs = {
            key: torch.from_numpy(np.ascontiguousarray(
                results[key].transpose(0, 3, 1, 2)))
            for key in ('img', 'background')
        }
        for key in ('K', 'R', 't'):
            inputs[key] = torch.as_tensor(results[key], dtype=torch.float32)

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
        return dict(inputs=inputs, data_samples=sample)

    def __repr__(self):
        return f'{self.__class__.__name__}(meta_keys={self.meta_keys})'
