import numpy as np
import pytest
import torch

from nsd_toolkit.evaluation.functional import (box_iou, joint_occlusions,
                                               mask_iou, mask_to_box,
                                               match_instances)


def test_box_iou_hand_values():
    a = np.array([[0, 0, 4, 4], [0, 0, 2, 2]], dtype=float)
    b = np.array([[2, 0, 6, 4], [0, 0, 4, 4], [10, 10, 12, 12]], dtype=float)
    iou = box_iou(a, b)
    assert iou.shape == (2, 3)
    # overlap 2x4 = 8, union 16 + 16 - 8 = 24
    np.testing.assert_allclose(iou[0], [8 / 24, 1.0, 0.0])
    # [0,0,2,2] vs [2,0,6,4] touch only: 0; inside [0,0,4,4]: 4 / 16
    np.testing.assert_allclose(iou[1], [0.0, 0.25, 0.0])


def test_box_iou_nan_rows_and_degenerate_give_zero():
    a = np.array([[np.nan] * 4, [1, 1, 1, 1]], dtype=float)
    b = np.array([[0, 0, 4, 4], [np.nan, 0, 1, 1]], dtype=float)
    iou = box_iou(a, b)
    assert np.array_equal(iou, np.zeros((2, 2)))


def test_box_iou_accepts_torch_and_empty():
    iou = box_iou(torch.tensor([[0., 0., 2., 2.]]), torch.zeros(0, 4))
    assert iou.shape == (1, 0)


def test_mask_to_box_pixel_edge_convention_and_empty():
    masks = np.zeros((2, 3, 5, 6), dtype=bool)
    masks[0, 0, 1:3, 2:5] = True  # rows 1-2, cols 2-4
    masks[1, 2, :, :] = True  # full frame
    masks[1, 1, 4, 0] = True  # single pixel at the bottom-left corner
    boxes = mask_to_box(masks)
    assert boxes.shape == (2, 3, 4)
    np.testing.assert_array_equal(boxes[0, 0], [2, 1, 5, 3])
    np.testing.assert_array_equal(boxes[1, 2], [0, 0, 6, 5])
    np.testing.assert_array_equal(boxes[1, 1], [0, 4, 1, 5])
    assert np.isnan(boxes[0, 1]).all() and np.isnan(boxes[0, 2]).all()
    assert np.isnan(boxes[1, 0]).all()


def test_mask_iou_hand_values():
    pred = np.zeros((2, 4, 4), dtype=bool)
    gt = np.zeros((3, 4, 4), dtype=bool)
    pred[0, :2, :] = True  # 8 px
    pred[1, :, :1] = True  # 4 px
    gt[0, :2, :2] = True  # 4 px, inside pred 0
    gt[1, :, :] = True  # 16 px
    # gt[2] empty
    iou = mask_iou(pred, torch.from_numpy(gt))
    np.testing.assert_allclose(iou, [[4 / 8, 8 / 16, 0], [2 / 6, 4 / 16, 0]])


def test_mask_iou_size_mismatch():
    with pytest.raises(ValueError, match='sizes'):
        mask_iou(np.zeros((1, 4, 4)), np.zeros((1, 4, 5)))


def test_match_instances_maximises_total_iou():
    # greedy on the best entry (0.9 at [0, 0]) would leave 0.1 + 0.9 = 1.0;
    # the optimum is 0.8 + 0.8 = 1.6
    iou = np.array([[0.9, 0.8], [0.8, 0.1]])
    pairs = match_instances(iou)
    assert pairs.tolist() == [[1, 0], [0, 1]]


def test_match_instances_rectangular_nan_and_cost():
    iou = np.array([[np.nan, 0.2], [0.7, 0.1], [0.0, 0.6]])
    assert match_instances(iou).tolist() == [[1, 0], [2, 1]]
    cost = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert match_instances(cost, maximize=False).tolist() == [[1, 0], [0, 1]]
    assert match_instances(np.zeros((0, 3))).shape == (0, 2)


def _joints(xy, z):
    """keypoints [..., G, J, 2] and camera joints at person depths ``z``
    [..., G]."""
    keypoints = np.asarray(xy, dtype=float)
    depth = np.broadcast_to(np.asarray(z, dtype=float)[..., None, None],
                            keypoints.shape[:-1] + (1, ))
    return keypoints, np.concatenate([np.zeros_like(keypoints), depth], -1)


def test_joint_occlusions_hand_values():
    ids = np.zeros((4, 6), dtype=np.int64)
    ids[:, 0:3] = 1  # person 0 covers columns 0-2
    ids[:, 3:5] = 2  # person 1 columns 3-4; person 2 is not visible
    keypoints, joints = _joints(
        [[[1.5, 1.5], [2.5, 3.5]],  # person 0: both on its own pixels
         [[2.99, 0.0], [4.0, 2.0]],  # person 1: pixel (2, 0) belongs to 0
         [[3.0, 1.0], [9.0, 1.0]]],  # person 2: (3, 1) is 1's; 2nd outside
        [5.0, 5.0, 5.0])
    occ = joint_occlusions(ids, keypoints, joints)
    assert occ.tolist() == [[False, True, False],
                            [False, False, True],
                            [False, False, False]]
    # joints behind the camera or unknown are not looked up
    joints[1, 0, 2] = -5.0
    keypoints[2, 0] = np.nan
    assert not joint_occlusions(ids, keypoints, joints).any()


def test_joint_occlusions_vectorised_over_views():
    ids = np.zeros((2, 4, 6), dtype=np.int64)
    ids[0, :, :3] = 1
    ids[1, :, :3] = 2  # view 1: person 1 in front
    keypoints, joints = _joints(np.full((2, 2, 1, 2), 1.5),
                                np.full((2, 2), 3.0))
    occ = joint_occlusions(torch.from_numpy(ids), keypoints, joints)
    assert occ.shape == (2, 2, 2)
    assert occ[0].tolist() == [[False, True], [False, False]]
    assert occ[1].tolist() == [[False, False], [True, False]]
    with pytest.raises(ValueError, match='leading'):
        joint_occlusions(ids[:1], keypoints, joints)
