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


def drawn_columns(tmp_path, root_shift=None):
    """Columns of the 'P' tile where slot 1's skeleton is drawn (in image
    pixels), and the person's projected joints' x; with ``root_shift``
    [2] px the sample has root-head pixels that far from the true root."""
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
    if root_shift is not None:
        sample.pred_root_2d = torch.stack([
            torch.zeros(2), keypoints[0, 0, 0] + torch.tensor(root_shift)
        ])[None]
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
    return np.flatnonzero(drawn.any(0)) / 2, keypoints[0, 0, :, 0].numpy()


def test_prediction_is_drawn_where_the_matched_person_stands(tmp_path):
    columns, joint_x = drawn_columns(tmp_path)
    assert abs(columns.min() - joint_x.min()) <= 2
    assert abs(columns.max() - joint_x.max()) <= 2


def test_with_a_root_head_the_prediction_stands_at_its_root_pixel(tmp_path):
    at_truth, _ = drawn_columns(tmp_path / 'truth', root_shift=[0.0, 0.0])
    shifted, _ = drawn_columns(tmp_path / 'shifted', root_shift=[12.0, 0.0])
    # 12 px at the root's depth: 12 +- 5 % at the joints' depths
    assert abs(shifted.min() - at_truth.min() - 12.0) <= 1.5
    assert abs(shifted.max() - at_truth.max() - 12.0) <= 1.5
