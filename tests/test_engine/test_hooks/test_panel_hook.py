"""NSDPanelHook evaluation panels, with and without predicted depths."""
from types import SimpleNamespace

import cv2
import pytest
import torch

from nsd_toolkit.engine.hooks import NSDPanelHook
from nsd_toolkit.structures import MultiViewDataSample


@pytest.mark.parametrize('with_depth', [True, False])
def test_eval_panel_with_and_without_depths(tmp_path, with_depth):
    """A model without depth (NSD stage 1) predicts no pred_depths."""
    sample = MultiViewDataSample(metainfo=dict(cameras=['cam_a', 'cam_b']))
    sample.pred_bboxes = torch.tensor([[[2.0, 2.0, 20.0, 20.0]]]).repeat(
        2, 1, 1)
    sample.pred_masks = torch.zeros(2, 1, 24, 32)
    if with_depth:
        sample.pred_depths = torch.tensor([[0.5], [0.25]])
    data_batch = dict(inputs=dict(
        img=[torch.zeros(2, 3, 24, 32, dtype=torch.uint8)]))
    runner = SimpleNamespace(work_dir=str(tmp_path), iter=3)
    NSDPanelHook(max_batches=1).after_test_iter(runner, 0, data_batch,
                                                [sample])
    panel = cv2.imread(str(tmp_path / 'panels' / 'test' / 'batch_0.png'))
    assert panel is not None and panel.shape[1] > 4 * 32
