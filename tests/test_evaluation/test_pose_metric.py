"""PoseMetric and the slot-person matching it shares with training."""
import numpy as np
import pytest
import torch

from nsd_toolkit.evaluation import PoseMetric
from nsd_toolkit.evaluation.functional import (match_slots_per_view,
                                               match_slots_to_people,
                                               person_centers)

HEIGHT, WIDTH, JOINTS = 48, 64, 5
K = np.array([[40.0, 0, WIDTH / 2], [0, 40.0, HEIGHT / 2], [0, 0, 1]])


def person(x_mm, depth=4000.0, seed=0):
    gen = np.random.default_rng(seed)
    return gen.normal(size=(JOINTS, 3)) * 200 + [x_mm, 0.0, depth]


def project(joints):
    uvw = joints @ K.T
    return uvw[..., :2] / uvw[..., 2:]


def box_around(center, half=5.0):
    return np.concatenate([center - half, center + half])


def sample(people, pred_poses, pred_centers):
    """One view: GT people [G, J, 3]; slot poses [N, J, 3] and centres [N, 2]."""
    joints = np.stack(people)[None]
    return dict(
        img_shape=(HEIGHT, WIDTH),
        gt_joints_cam=torch.as_tensor(joints),
        gt_keypoints_2d=torch.as_tensor(project(joints)),
        pred_joints_3d=torch.as_tensor(np.stack(pred_poses)[None]),
        pred_bboxes=torch.as_tensor(
            np.stack([box_around(c) for c in pred_centers])[None]))


def evaluate(samples):
    metric = PoseMetric(facing_joints=None)  # 5 joints: no hips
    metric.process({}, samples)
    return metric.compute_metrics(metric.results)


def relative(joints):
    return joints - joints[0]


def test_exact_poses_in_any_slot_order_give_zero_error():
    left, right = person(-800.0), person(800.0, seed=1)
    centers = person_centers(project(np.stack([left, right])),
                             np.stack([left, right]), WIDTH, HEIGHT)
    # slot 0 sits on the right person, slot 1 on the left one
    metrics = evaluate([
        sample([left, right], [relative(right), relative(left)],
               centers[::-1])
    ])
    for name in ('mpjpe_mm', 'n_mpjpe_mm', 'pa_mpjpe_mm'):
        assert metrics[name] == pytest.approx(0.0, abs=1e-6)
    assert metrics['matched_fraction'] == 1.0


def test_scaled_poses_cost_mpjpe_but_not_n_mpjpe():
    samples = []
    for seed in range(4):
        gt = person(0.0, seed=seed)
        center = person_centers(project(gt[None]), gt[None], WIDTH, HEIGHT)
        samples.append(sample([gt], [2.0 * relative(gt)], center))
    metrics = evaluate(samples)
    expected = np.mean([np.linalg.norm(relative(person(0.0, seed=s)), axis=-1)
                        for s in range(4)])
    assert metrics['mpjpe_mm'] == pytest.approx(expected)
    assert metrics['n_mpjpe_mm'] == pytest.approx(0.0, abs=1e-6)
    assert metrics['pa_mpjpe_mm'] == pytest.approx(0.0, abs=1e-6)


# A root-relative pose of JOINTS = 5: the root and four joints 100 mm from it.
AXES = np.array([[0.0, 0, 0], [100, 0, 0], [0, 100, 0], [0, 0, 100],
                 [-100, 0, 0]])
IN_FRONT = np.array([0.0, 0.0, 4000.0])


def single_person(gt_relative, pred):
    """One view: a person with root-relative joints ``gt_relative`` at 4 m
    and one slot predicting ``pred`` on it."""
    gt = gt_relative + IN_FRONT
    center = person_centers(project(gt[None]), gt[None], WIDTH, HEIGHT)
    return sample([gt], [pred], center)


def test_mpjpe_averages_all_joints_root_included():
    pred = AXES.copy()
    pred[2] += [30.0, 40.0, 0.0]  # 50 mm off on one of five joints
    metrics = evaluate([single_person(AXES, pred)])
    assert metrics['mpjpe_mm'] == pytest.approx(50.0 / 5)


def test_n_mpjpe_averages_the_non_root_joints_after_the_scale():
    # p = AXES with the last joint mirrored to +x: s = <p, g> / <p, p>
    # = (3 - 1) * 100^2 / (4 * 100^2) = 0.5, so s * p puts joints 1-3 at
    # 50 mm from their truth and joint 4 at (50, 0, 0) vs (-100, 0, 0)
    pred = AXES.copy()
    pred[4] = [100.0, 0.0, 0.0]
    metrics = evaluate([single_person(AXES, pred)])
    assert metrics['n_mpjpe_mm'] == pytest.approx((3 * 50.0 + 150.0) / 4)
    # the root (error 0) counted would give (3 * 50 + 150) / 5 = 60 mm;
    # the research code reports that mean times 5 / 4: the same 75 mm
    assert metrics['n_mpjpe_mm'] != pytest.approx((3 * 50.0 + 150.0) / 5)
    metrics = evaluate([single_person(AXES, 2.0 * AXES)])
    assert metrics['n_mpjpe_mm'] == pytest.approx(0.0, abs=1e-9)


def test_pa_mpjpe_hand_computed_and_similarity_invariant():
    # a square of side 200 mm around the root, predicted as a 400 x 200 mm
    # rectangle: p0^T g0 = diag(4 * 200 * 100, 4 * 100 * 100, 0), so the
    # rotation is the identity and the scale (80000 + 40000) / |p0|^2 =
    # 120000 / 200000 = 0.6; the corners land at (+-120, +-60, 0), each
    # sqrt(20^2 + 40^2) from its truth, and the root stays at its truth
    square = np.array([[0.0, 0, 0], [100, 100, 0], [100, -100, 0],
                       [-100, 100, 0], [-100, -100, 0]])
    pred = square * [2.0, 1.0, 1.0]
    metrics = evaluate([single_person(square, pred)])
    assert metrics['pa_mpjpe_mm'] == pytest.approx(4 * np.sqrt(2000.0) / 5)
    # a rotated, scaled and shifted copy aligns exactly
    c, s = np.cos(0.7), np.sin(0.7)
    rot = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
    pred = 1.7 * person(0.0) @ rot.T + [5.0, -3.0, 2.0]
    metrics = evaluate([single_person(relative(person(0.0)), pred)])
    assert metrics['mpjpe_mm'] > 50.0
    assert metrics['pa_mpjpe_mm'] == pytest.approx(0.0, abs=1e-6)


def test_n_mpjpe_linear_is_one_map_over_the_set_without_the_root():
    # the same predicted pose for two people, one the prediction's size and
    # one three times larger: the best single map is 2 x identity, 100 mm off
    # on every non-root joint of both; a per-pose scale is exact
    samples = [single_person(AXES, AXES), single_person(3.0 * AXES, AXES)]
    metrics = evaluate(samples)
    assert metrics['n_mpjpe_linear_mm'] == pytest.approx(100.0)
    assert metrics['n_mpjpe_mm'] == pytest.approx(0.0, abs=1e-9)
    assert metrics['pa_mpjpe_mm'] == pytest.approx(0.0, abs=1e-6)
    # no alignment: the larger person is 200 mm off on 4 of its 5 joints
    assert metrics['mpjpe_mm'] == pytest.approx(4 * 200.0 / 10)


def test_people_left_without_a_slot_lower_the_matched_fraction():
    left, right = person(-800.0), person(800.0, seed=1)
    behind = person(0.0, depth=-3000.0, seed=2)
    centers = person_centers(project(np.stack([left, right])),
                             np.stack([left, right]), WIDTH, HEIGHT)
    metrics = evaluate(
        [sample([left, right, behind], [relative(left)], centers[:1])])
    assert metrics['matched_fraction'] == 0.5
    assert metrics['mpjpe_mm'] == pytest.approx(0.0, abs=1e-6)


def test_missing_prediction_field_is_named():
    gt = person(0.0)
    bad = sample([gt], [relative(gt)], np.array([[WIDTH / 2, HEIGHT / 2]]))
    del bad['pred_joints_3d']
    with pytest.raises(KeyError, match='pred_joints_3d'):
        evaluate([bad])


def test_person_centers_leave_out_people_behind_or_outside():
    joints = np.stack([person(0.0), person(0.0, depth=-4000.0),
                       person(40000.0)])
    centers = person_centers(project(joints), joints, WIDTH, HEIGHT)
    np.testing.assert_allclose(centers[0], project(joints[0]).mean(0))
    assert np.isnan(centers[1:]).all()


def test_match_slots_skips_absent_people():
    slots = np.array([[10.0, 10.0], [50.0, 40.0]])
    people = np.array([[np.nan, np.nan], [48.0, 41.0], [12.0, 9.0]])
    pairs = match_slots_to_people(slots, people)
    assert pairs.tolist() == [[1, 1], [0, 2]]
    assert match_slots_to_people(slots, people[:1]).shape == (0, 2)


def test_match_slots_per_view_uses_box_centres():
    left, right = person(-800.0), person(800.0, seed=1)
    joints = np.stack([np.stack([left, right]),
                       np.stack([left, person(0.0, depth=-4000.0)])])
    centers = person_centers(project(joints), joints, WIDTH, HEIGHT)
    boxes = np.stack([
        np.stack([box_around(centers[0, 1]), box_around(centers[0, 0])]),
        np.stack([box_around(centers[1, 0]), box_around(centers[1, 0] + 1)])
    ])
    pairs, present = match_slots_per_view(boxes, project(joints), joints,
                                          WIDTH, HEIGHT)
    assert [p.tolist() for p in pairs] == [[[1, 0], [0, 1]], [[0, 0]]]
    assert present.tolist() == [[True, True], [True, False]]


def test_facing_metrics_count_people_facing_the_wrong_way():
    def facing(direction, x_mm):
        """A 17-joint person facing ``direction`` (camera frame, up -y);
        only the hips (1, 4) and the thorax (8) set the direction."""
        pose = np.zeros((17, 3))
        side = np.cross([0.0, -1.0, 0.0], direction)  # the person's right
        pose[1], pose[4] = 100.0 * side, -100.0 * side
        pose[8] = [0.0, -500.0, 0.0]  # up is -y in a camera frame
        pose[2:4] = pose[5:8] = pose[9:] = [0.0, 200.0, 0.0]
        return pose + [x_mm, 0.0, 4000.0]

    left = facing(np.array([0.0, 0.0, -1.0]), -800.0)  # faces the camera
    right = facing(np.array([1.0, 0.0, 0.0]), 800.0)
    centers = person_centers(project(np.stack([left, right])),
                             np.stack([left, right]), WIDTH, HEIGHT)
    backwards = facing(np.array([0.0, 0.0, 1.0]), -800.0)  # 180 degrees off
    metric = PoseMetric()
    metric.process({}, [sample([left, right],
                               [relative(backwards), relative(right)],
                               centers)])
    metrics = metric.compute_metrics(metric.results)
    assert metrics['facing_error_deg'] == pytest.approx((180.0 + 0.0) / 2)
    assert metrics['facing_flipped_pct'] == pytest.approx(50.0)
    with pytest.raises(ValueError, match='facing_joints'):
        PoseMetric(facing_joints=(4, 1, 17)).compute_metrics(metric.results)


def test_root_pixels_are_scored_against_the_matched_persons_root():
    left, right = person(-800.0), person(800.0, seed=1)
    people = np.stack([left, right])
    centers = person_centers(project(people), people, WIDTH, HEIGHT)
    roots = project(people)[:, 0]
    view = sample([left, right], [relative(right), relative(left)],
                  centers[::-1])
    # slot 0 (right person) 3 px off in x, slot 1 (left) 4 px off in y
    view['pred_root_2d'] = torch.as_tensor(
        (roots[::-1] + [[3.0, 0.0], [0.0, 4.0]])[None])
    assert evaluate([view])['root_error_px'] == pytest.approx(3.5)
    del view['pred_root_2d']
    assert 'root_error_px' not in evaluate([view])
