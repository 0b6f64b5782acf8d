"""PosePanelHook: predicted skeletons drawn at the matched person's root."""
from types import SimpleNamespace

import cv2
import numpy as np
import torch

from nsd_toolkit.engine.hooks import PosePanelHook
from nsd_toolkit.structures import MultiViewDataSample
from nsd_toolkit.visualization import PALETTE

HEIGHT, WIDTH = 64, 80
K = torch.tensor([[60.0, 0, WIDTH / 2], [0, 60.0, HEIGHT / 2], [0, 0, 1]])


def test_prediction_is_drawn_where_the_matched_person_stands(tmp_path):
    gen = torch.Generator().manual_seed(0)
    joints = torch.randn(1, 1, 17, 3, generator=gen) * 150 + torch.tensor(
        [300.0, 0.0, 3000.0])
    uvw = joints @ K.T
    keypoints = uvw[..., :2] / uvw[..., 2:]
    sample = MultiViewDataSample(metainfo=dict(cameras=['cam_a']))
    sample.gt_joints_cam = joints
    sample.gt_keypoints_2d = keypoints
    # two slots: slot 1 sits on the person and predicts its pose exactly
    center = keypoints[0, 0].mean(0)
    sample.pred_bboxes = torch.stack([
        torch.tensor([0.0, 0.0, 4.0, 4.0]),
        torch.cat([center - 10, center + 10])
    ])[None]
    sample.pred_joints_3d = torch.stack(
        [torch.zeros(17, 3), joints[0, 0] - joints[0, 0, :1]])[None]
    data_batch = dict(inputs=dict(
        img=[torch.zeros(1, 3, HEIGHT, WIDTH, dtype=torch.uint8)], K=[K[None]]))
    runner = SimpleNamespace(work_dir=str(tmp_path), iter=7)
    PosePanelHook(max_batches=1).after_val_iter(runner, 0, data_batch,
                                                [sample])
    panel = cv2.cvtColor(
        cv2.imread(str(tmp_path / 'panels' / 'val' /
                       'iter_0000007_batch_0.png')), cv2.COLOR_BGR2RGB)
    # the 'P' tile is the second one (the first shows the boxes in slot
    # colours): there the slot-1 colour lies on the person's projected
    # joints, and slot 0 (matched to nobody) is not drawn
    left = 4 + 2 * WIDTH + 4  # tiles are drawn at twice the size, pad 4
    pose_tile = panel[:, left:]
    drawn = (pose_tile == PALETTE[1]).all(-1)
    assert drawn.sum() > 20
    assert not (pose_tile == PALETTE[0]).all(-1).any()
    columns = np.flatnonzero(drawn.any(0))
    joint_x = 2 * keypoints[0, 0, :, 0].numpy()
    assert abs(columns.min() - joint_x.min()) <= 4
    assert abs(columns.max() - joint_x.max()) <= 4
