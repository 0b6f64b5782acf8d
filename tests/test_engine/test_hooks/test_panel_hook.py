"""NSDPanelHook evaluation panels, with and without depths and presences."""
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import torch

from nsd_toolkit.engine.hooks import NSDPanelHook
from nsd_toolkit.structures import MultiViewDataSample


def _test_panel(work_dir, with_depth, with_scores) -> np.ndarray:
    """The panel of one two-view sample with one slot (96x24 images)."""
    sample = MultiViewDataSample(metainfo=dict(cameras=['cam_a', 'cam_b']))
    sample.pred_bboxes = torch.tensor([[[2.0, 2.0, 20.0, 20.0]]]).repeat(
        2, 1, 1)
    sample.pred_masks = torch.zeros(2, 1, 24, 96)
    if with_depth:
        sample.pred_depths = torch.tensor([[0.5], [0.25]])
    if with_scores:
        sample.pred_scores = torch.tensor([[0.9], [0.1]])
    data_batch = dict(inputs=dict(
        img=[torch.zeros(2, 3, 24, 96, dtype=torch.uint8)]))
    runner = SimpleNamespace(work_dir=str(work_dir), iter=3)
    NSDPanelHook(max_batches=1).after_test_iter(runner, 0, data_batch,
                                                [sample])
    return cv2.imread(str(work_dir / 'panels' / 'test' / 'batch_0.png'))


@pytest.mark.parametrize('with_depth', [True, False])
@pytest.mark.parametrize('with_scores', [True, False])
def test_eval_panel_with_and_without_depths(tmp_path, with_depth,
                                            with_scores):
    """A model without depth (NSD stage 1) predicts no pred_depths; one
    without presence no pred_scores."""
    panel = _test_panel(tmp_path, with_depth, with_scores)
    assert panel is not None and panel.shape[1] > 4 * 96


def test_eval_panel_writes_the_presence_on_the_boxes(tmp_path):
    without, with_scores = (_test_panel(tmp_path / str(scores), True, scores)
                            for scores in (False, True))
    assert without.shape == with_scores.shape
    assert (without != with_scores).any()
