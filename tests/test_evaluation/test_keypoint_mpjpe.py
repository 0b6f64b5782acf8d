import numpy as np
import pytest
import torch
from scipy.spatial.transform import Rotation

from nsd_toolkit.datasets.joint_sets import H36M_JOINTS
from nsd_toolkit.evaluation.functional import (H36M_FACING_JOINTS,
                                               facing_directions,
                                               facing_errors_deg,
                                               keypoint_mpjpe)


def _poses(k=6, j=17, seed=0):
    return np.random.default_rng(seed).normal(size=(k, j, 3)) * 100.0


def test_none_is_mean_euclidean_error_in_input_unit():
    gt = _poses()
    pred = gt + np.array([3.0, 4.0, 0.0])
    assert keypoint_mpjpe(pred, gt) == pytest.approx(5.0)
    assert keypoint_mpjpe(torch.from_numpy(pred), torch.from_numpy(gt)) == \
        pytest.approx(5.0)


def test_mask_and_nan_ground_truth_are_ignored():
    gt = _poses(k=2, j=3)
    pred = gt.copy()
    pred[0, 0] += [0, 0, 1000]  # huge error on a masked-out joint
    pred[1, 2] += [0, 6, 8]  # error 10 on a counted joint
    mask = np.ones((2, 3), dtype=bool)
    mask[0, 0] = False
    assert keypoint_mpjpe(pred, gt, mask) == pytest.approx(10 / 5)
    gt_nan = gt.copy()
    gt_nan[0, 0] = np.nan
    assert keypoint_mpjpe(pred, gt_nan) == pytest.approx(10 / 5)
    assert np.isnan(keypoint_mpjpe(pred, gt, np.zeros((2, 3), bool)))


def test_scale_hand_example():
    gt = np.array([[[1.0, 0, 0], [0, 1.0, 0]]])
    pred = np.array([[[2.0, 0, 0], [0, 0, 0]]])
    # s = <p, g> / <p, p> = 2 / 4 -> aligned [[1,0,0],[0,0,0]] -> errors 0, 1
    assert keypoint_mpjpe(pred, gt, alignment='scale') == pytest.approx(0.5)
    # scale is per sample: each of two differently scaled samples is exact
    gt2 = _poses(k=2)
    pred2 = gt2 * np.array([0.5, 3.0])[:, None, None]
    assert keypoint_mpjpe(pred2, gt2, alignment='scale') == pytest.approx(
        0.0, abs=1e-9)


def test_procrustes_removes_similarity_but_not_reflection():
    gt = _poses()
    rot = Rotation.random(len(gt), random_state=3).as_matrix()
    pred = 0.7 * np.einsum('kij,kpj->kpi', rot, gt) + np.array([10., -5, 2])
    assert keypoint_mpjpe(pred, gt) > 50
    assert keypoint_mpjpe(pred, gt, alignment='procrustes') == pytest.approx(
        0.0, abs=1e-8)
    mirrored = gt * np.array([-1.0, 1.0, 1.0])
    assert keypoint_mpjpe(mirrored, gt, alignment='procrustes') > 1.0


def test_procrustes_hand_example():
    # unit square predicted as a 2 x 1 rectangle (both centred): p0^T g0 =
    # diag(8, 4, 0) -> identity rotation, scale (8 + 4) / |p0|^2 = 12 / 20;
    # corners at (+-1.2, +-0.6, 0), each sqrt(0.2^2 + 0.4^2) off
    gt = np.array([[[1.0, 1, 0], [1, -1, 0], [-1, 1, 0], [-1, -1, 0]]])
    pred = gt * [2.0, 1.0, 1.0] + 7.0
    assert keypoint_mpjpe(pred, gt, alignment='procrustes') == pytest.approx(
        np.sqrt(0.2))


def test_linear_is_one_map_over_the_whole_set():
    # J = 1: the map is one scalar m = sum <p, g> / sum <p, p> = (2 + 4) / 2
    pred = np.array([[[1.0, 0, 0]], [[1.0, 0, 0]]])
    gt = np.array([[[2.0, 0, 0]], [[4.0, 0, 0]]])
    assert keypoint_mpjpe(pred, gt, alignment='linear') == pytest.approx(1.0)
    assert keypoint_mpjpe(pred, gt, alignment='scale') == pytest.approx(0.0)
    # a joint permutation + mixing is recovered exactly from enough samples
    gt = _poses(k=20, j=5)
    mixing = np.random.default_rng(1).normal(size=(5, 5)) + 3 * np.eye(5)
    pred = np.einsum('ij,kjc->kic', np.linalg.inv(mixing), gt)
    assert keypoint_mpjpe(pred, gt, alignment='linear') == pytest.approx(
        0.0, abs=1e-8)
    assert keypoint_mpjpe(pred, gt, alignment='scale') > 1.0


def test_bad_arguments():
    gt = _poses(k=2, j=3)
    with pytest.raises(ValueError, match='alignment'):
        keypoint_mpjpe(gt, gt, alignment='affine')
    with pytest.raises(ValueError, match=r'\[K, J, 3\]'):
        keypoint_mpjpe(gt[..., :2], gt[..., :2])
    with pytest.raises(ValueError, match='mask'):
        keypoint_mpjpe(gt, gt, mask=np.ones((3, 2), bool))


def _standing(yaw_deg):
    """[17, 3] pose facing +y turned by ``yaw_deg`` about +z: only the hips
    (joints 1, 4) and the thorax (8) matter; the rest sit at the root."""
    pose = np.zeros((17, 3))
    pose[1] = [100.0, 0, 0]  # right hip: +x for a person facing +y
    pose[4] = [-100.0, 0, 0]
    pose[8] = [0, 0, 500.0]
    return pose @ Rotation.from_euler('z', yaw_deg,
                                      degrees=True).as_matrix().T


def test_facing_joints_name_the_hips_and_thorax_of_the_joint_set():
    assert [H36M_JOINTS[i] for i in H36M_FACING_JOINTS] == [
        'l_hip', 'r_hip', 'thorax'
    ]


def test_facing_direction_of_a_standing_person():
    np.testing.assert_allclose(
        facing_directions(_standing(0.0)[None]), [[0.0, 1.0, 0.0]],
        atol=1e-12)
    np.testing.assert_allclose(
        facing_directions(_standing(90.0)[None]), [[-1.0, 0.0, 0.0]],
        atol=1e-12)


def test_facing_error_is_the_turn_and_180_for_a_mirror():
    gt = np.stack([_standing(0.0), _standing(10.0), _standing(0.0)])
    pred = np.stack([_standing(30.0), _standing(-50.0), _standing(180.0)])
    np.testing.assert_allclose(facing_errors_deg(pred, gt), [30, 60, 180],
                               atol=1e-9)
    mirrored = _standing(0.0)[[0, 4, 2, 3, 1, 5, 6, 7, 8, 9, 10, 11, 12, 13,
                               14, 15, 16]]  # left and right hips swapped
    assert facing_errors_deg(mirrored[None], gt[:1])[0] == pytest.approx(180)
    # a 3D tilt counts too, and scale and translation do not
    tilted = _standing(0.0) @ Rotation.from_euler(
        'x', 20, degrees=True).as_matrix().T
    assert facing_errors_deg(3 * tilted[None] + 7, gt[:1])[0] == \
        pytest.approx(20)


def test_facing_error_is_nan_where_the_direction_is_undefined():
    flat = np.zeros((1, 17, 3))
    unknown = _standing(0.0)[None].copy()
    unknown[0, 8] = np.nan
    errors = facing_errors_deg(np.concatenate([flat, unknown]),
                               np.stack([_standing(0.0)] * 2))
    assert np.isnan(errors).all()
