"""Pairwise depth-order counts of overlapping people (hand-made cases)."""
import numpy as np
import pytest
import torch

from nsd_toolkit.evaluation.functional import depth_order_counts

ALL = np.ones((3, 3), bool)


def test_correct_order_counts_every_overlapping_pair():
    # GT order 1 < 0 < 2; predictions in another unit, same order
    assert depth_order_counts([0.2, -1.0, 3.0], [2000., 1000., 4000.],
                              ALL) == (3, 3)


def test_wrong_orders_are_counted():
    # reversed prediction: every pair wrong
    assert depth_order_counts([3., 2., 1.], [1., 2., 3.], ALL) == (0, 3)
    # person 2 placed in front of person 1 only: pairs (0,1), (0,2) right
    assert depth_order_counts([1., 3., 2.], [1., 2., 3.], ALL) == (2, 3)
    # predicted ties cannot order a pair
    assert depth_order_counts([1., 1., 1.], [1., 2., 3.], ALL) == (0, 3)


def test_pairs_without_overlap_are_ignored():
    overlap = np.zeros((3, 3), bool)
    overlap[0, 2] = overlap[2, 0] = True
    # only the pair (0, 2) is evaluated; it is wrongly ordered
    assert depth_order_counts([3., 2., 1.], [1., 2., 3.], overlap) == (0, 1)
    assert depth_order_counts([1., 2., 3.], [1., 2., 3.],
                              np.eye(3, dtype=bool)) == (0, 0)
    # only the upper triangle is read
    assert depth_order_counts([1., 2., 3.], [1., 2., 3.],
                              np.tril(ALL)) == (0, 0)


def test_nan_depths_and_gt_ties_are_ignored():
    nan = float('nan')
    assert depth_order_counts([1., 2., 3.], [1., nan, 3.], ALL) == (1, 1)
    assert depth_order_counts([nan, 2., 1.], [1., 2., 3.], ALL) == (0, 1)
    assert depth_order_counts([1., 2., 3.], [1., 1., 3.], ALL) == (2, 2)


def test_accepts_tensors_and_checks_shapes():
    assert depth_order_counts(torch.tensor([2., 1.]), torch.tensor([5., 4.]),
                              torch.ones(2, 2, dtype=torch.bool)) == (1, 1)
    assert depth_order_counts([], [], np.zeros((0, 0), bool)) == (0, 0)
    with pytest.raises(ValueError, match=r'overlap \[P, P\]'):
        depth_order_counts([1., 2.], [1., 2.], ALL)
    with pytest.raises(ValueError, match='pred_depths'):
        depth_order_counts([1., 2., 3.], [1., 2.], np.ones((2, 2), bool))
