import numpy as np
import pytest
import torch

from nsd_toolkit.evaluation.functional import (box_iou, mask_iou, mask_to_box,
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
