import numpy as np
import pytest
from mocap_fixtures import (PRINCIPAL, camera_poses, joint_boxes, ring_cameras,
                            walking_bodies)

from nsd_toolkit.evaluation.functional import facing_directions
from nsd_toolkit.mocap import (fuse_moment, fuse_poses, refit_person,
                               triangulate_point, triangulate_robust,
                               weighted_median)
from nsd_toolkit.mocap.fusion import reprojection_residual
from nsd_toolkit.utils.geometry import project_points

A_ROOT, B_ROOT = np.array([300.0, -200.0, 900.0]), np.array([-800.0, 600, 950])


def test_triangulate_point_by_hand():
    # Ring at 5 m, 1.5 m high, looking at the origin: the origin is at the
    # principal point; (0, 0, 1500), at the cameras' height, lies
    # f * tan(atan(1500 / 5000)) = 30 px above it in every view.
    K, R, t = ring_cameras()
    for point, pixel in (((0.0, 0.0, 0.0), PRINCIPAL),
                         ((0.0, 0.0, 1500.0), (PRINCIPAL[0], PRINCIPAL[1] - 30))):
        pixels = np.tile(pixel, (3, 1))
        np.testing.assert_allclose(
            project_points(np.array([point]), K, R, t)[:, 0], pixels, atol=1e-9)
        np.testing.assert_allclose(triangulate_point(pixels, K, R, t), point,
                                   atol=1e-6)


def test_triangulate_point_weights():
    K, R, t = ring_cameras()
    pixels = project_points(A_ROOT[None], K, R, t)[:, 0]
    np.testing.assert_allclose(triangulate_point(pixels, K, R, t), A_ROOT,
                               atol=1e-6)
    pixels[2] += 5.0  # a wrong view
    biased = triangulate_point(pixels, K, R, t)
    assert np.linalg.norm(biased - A_ROOT) > 10
    batch = triangulate_point(pixels, K, R, t,
                              weights=[[1, 1, 0], [2, 2, 2], [1, 0, 0]])
    np.testing.assert_allclose(batch[0], A_ROOT, atol=1e-6)
    np.testing.assert_allclose(batch[1], biased, atol=1e-9)  # scale-free
    assert np.isnan(batch[2]).all()  # one view cannot triangulate
    pixels[0] = np.nan
    np.testing.assert_allclose(
        triangulate_point(pixels, K, R, t, [1, 1, 0.0]), np.nan)


@pytest.mark.parametrize('num_views, wrong', [(3, 1), (3, 0), (4, 2)])
def test_triangulate_robust_ignores_a_view_on_the_wrong_person(num_views, wrong):
    K, R, t = ring_cameras(num_views)
    pixels = project_points(A_ROOT[None], K, R, t)[:, 0]
    pixels[wrong] = project_points(B_ROOT[None], K, R, t)[wrong, 0]
    point, inliers = triangulate_robust(pixels, K, R, t)
    np.testing.assert_allclose(point, A_ROOT, atol=1e-6)
    assert inliers.tolist() == [v != wrong for v in range(num_views)]


def test_triangulate_robust_without_enough_views():
    K, R, t = ring_cameras()
    pixels = project_points(A_ROOT[None], K, R, t)[:, 0]
    pixels[:2] = np.nan
    point, inliers = triangulate_robust(pixels, K, R, t)
    assert np.isnan(point).all() and not inliers.any()


def test_weighted_median_by_hand():
    values = np.array([[1.0, 1.0, 1.0, 1.0], [2.0, 2.0, 2.0, np.nan],
                       [10.0, 10.0, 10.0, 10.0]])
    weights = np.array([[1, 1, 1, 0], [1, 1, 1, 1], [1, 5, 0, 0]])
    np.testing.assert_allclose(weighted_median(values, weights),
                               [2.0, 10.0, 1.5, np.nan])


def _pose_views(num_views=3):
    K, R, t = ring_cameras(num_views)
    joints = walking_bodies()[0, 0]
    return joints, camera_poses(joints, R, t), K, R, t


def test_fuse_poses_recovers_a_known_pose():
    joints, poses, _, R, _ = _pose_views()
    fused = fuse_poses(poses, R, joints[0])
    np.testing.assert_allclose(fused.joints, joints, atol=1e-3)
    np.testing.assert_allclose(fused.confidence, 1.0)
    assert fused.inliers.all()


def test_fuse_poses_flags_a_view_with_a_wrong_pose():
    joints, poses, _, R, t = _pose_views()
    other = walking_bodies(roots=((0.0, 0.0), ), headings=(2.5, ), seed=3)[0, 0]
    poses[1] = camera_poses(other, R, t)[1]
    fused = fuse_poses(poses, R, joints[0])
    np.testing.assert_allclose(fused.joints, joints, atol=1e-3)
    assert fused.inliers.tolist() == [True, False, True]
    moved = np.linalg.norm(other - other[0] - joints + joints[0], axis=-1) > 150
    np.testing.assert_allclose(fused.confidence[moved], 2 / 3, atol=2e-3)


def _facing_mirrored(num_views):
    """Views of a known pose, the view that sees the body from the front
    mirrored left to right (camera x negated): its body faces backwards."""
    joints, poses, _, R, t = _pose_views(num_views)
    front = np.argmax(np.abs(R[:, 2] @ facing_directions(joints[None])[0]))
    poses[front] *= [-1.0, 1.0, 1.0]
    return joints, poses, R, front


def test_fuse_poses_leaves_out_a_view_facing_the_other_way():
    joints, poses, R, front = _facing_mirrored(4)
    # every joint moved by less than outlier_mm: only the facing rejects it
    fused = fuse_poses(poses, R, joints[0], outlier_mm=600.0)
    np.testing.assert_allclose(fused.joints, joints, atol=1e-3)
    assert fused.inliers.tolist() == [v != front for v in range(4)]
    kept = fuse_poses(poses, R, joints[0], outlier_mm=600.0,
                      facing_joints=None)
    assert kept.inliers.all()
    assert np.abs(kept.joints - joints).max() > 10  # pulled by the mirror


def test_fuse_poses_checks_the_facing_against_a_given_one():
    joints, poses, R, front = _facing_mirrored(4)
    back = (front + 2) % 4  # the view from behind, mirrored too
    poses[back] *= [-1.0, 1.0, 1.0]
    # two of four views turned: the estimate's own facing keeps them all
    own = fuse_poses(poses, R, joints[0], outlier_mm=600.0)
    assert own.inliers.all() and np.abs(own.joints - joints).max() > 100
    facing = facing_directions(joints[None])[0]
    given = fuse_poses(poses, R, joints[0], outlier_mm=600.0, facing=facing)
    np.testing.assert_allclose(given.joints, joints, atol=1e-3)
    assert given.inliers.tolist() == [v not in (front, back) for v in range(4)]


def test_fuse_poses_of_world_frame_poses():
    joints, poses, _, R, _ = _pose_views()
    world = poses @ R  # rows: R^T x
    fused = fuse_poses(world, None, joints[0])
    np.testing.assert_allclose(fused.joints, joints, atol=1e-3)


def test_fuse_poses_keeps_a_view_whose_facing_is_unknown():
    joints, poses, R, front = _facing_mirrored(4)
    poses[front, 1] = np.nan  # without its right hip the view faces nowhere
    fused = fuse_poses(poses, R, joints[0], outlier_mm=600.0)
    assert fused.inliers.all()


def test_fuse_poses_keeps_two_views_facing_apart():
    joints, poses, R, _ = _facing_mirrored(2)
    fused = fuse_poses(poses, R, joints[0], outlier_mm=600.0)
    assert fused.inliers.all()  # nobody to tell which of the two is right


def test_fuse_poses_visibility_weights():
    joints, poses, _, R, _ = _pose_views()
    weights = np.ones((3, 17))
    weights[1:, 13] = 0  # l_wrist seen by view 0 only
    poses[1:, 13] += 400  # ... and wrong elsewhere
    fused = fuse_poses(poses, R, joints[0], weights)
    np.testing.assert_allclose(fused.joints, joints, atol=1e-3)
    assert fused.confidence[13] == 0  # nobody to agree with
    assert fused.confidence[12] == 1


def test_fuse_poses_two_disagreeing_views_are_averaged():
    joints, poses, _, R, _ = _pose_views(2)
    shift = np.array([0.0, 0.0, 400.0])
    poses[0, 13] += R[0] @ shift
    fused = fuse_poses(poses, R, joints[0])
    np.testing.assert_allclose(fused.joints[13], joints[13] + shift / 2,
                               atol=1e-6)
    assert fused.confidence[13] < 0.01 and fused.inliers.all()


def _moment(num_views=3):
    """Two people seen by every view; slots are people in order."""
    K, R, t = ring_cameras(num_views)
    bodies = walking_bodies(roots=((300.0, -200.0), (-800.0, 600.0)),
                            headings=(0.4, 2.0))[0]
    per_view = [[camera_poses(b, R, t)[v] for b in bodies]
                for v in range(num_views)]
    boxes = [[joint_boxes(b, K, R, t)[v] for b in bodies]
             for v in range(num_views)]
    roots = project_points(bodies[:, 0], K, R, t)  # [V, 2, 2]
    return bodies, np.array(per_view), np.array(boxes), roots, K, R, t


def test_fuse_moment_recovers_both_people():
    bodies, poses, boxes, roots, K, R, t = _moment()
    groups = [{0: 0, 1: 0, 2: 0}, {0: 1, 1: 1, 2: 1}]
    appearance = np.tile(np.eye(2), (3, 1, 1)) * [[[1.0], [2.0]]]
    people = fuse_moment(groups, boxes, poses, K, R, t, root_2d=roots,
                         appearance=appearance)
    assert len(people) == 2
    for person, body, unit in zip(people, bodies, np.eye(2)):
        np.testing.assert_allclose(person['joints'], body, atol=1e-3)
        np.testing.assert_allclose(person['root'], body[0], atol=1e-3)
        assert person['views'] == [0, 1, 2]
        np.testing.assert_allclose(person['appearance'], unit)
    from_boxes = fuse_moment(groups, boxes, poses, K, R, t)
    for person, body in zip(from_boxes, bodies):
        error = np.linalg.norm(person['joints'] - body, axis=-1).max()
        assert error < 1e-3, error
        np.testing.assert_allclose(person['joints'] - person['root'],
                                   body - body[0], atol=1e-3)


def test_reprojection_residual_by_hand():
    # the origin projects to the principal point of every ring camera
    K, R, t = ring_cameras()
    pixels = np.array(PRINCIPAL) + [[3.0, 4.0], [0.0, 0.0], [-6.0, 8.0]]
    assert reprojection_residual(np.zeros(3), pixels, K, R, t) == \
        pytest.approx((5.0 + 0.0 + 10.0) / 3)


def test_fuse_moment_reports_how_well_the_root_pixels_agree():
    bodies, poses, boxes, roots, K, R, t = _moment()
    groups = [{0: 0, 1: 0, 2: 0}, {0: 1, 1: 1, 2: 1}]
    exact = fuse_moment(groups, boxes, poses, K, R, t, root_2d=roots)
    assert max(person['root_residual_px'] for person in exact) < 1e-6
    moved = roots.copy()
    moved[0, 0] += (0.0, 6.0)  # person 0's pixel in view 0, 6 px down
    people = fuse_moment(groups, boxes, poses, K, R, t, root_2d=moved)
    # the triangulation spreads the disagreement over the three views
    assert 1.0 < people[0]['root_residual_px'] < 6.0
    assert people[1]['root_residual_px'] < 1e-6


def test_fuse_moment_shares_the_poses_of_the_same_root_views():
    bodies, poses, boxes, roots, K, R, t = _moment()
    groups = [{0: 0, 1: 0, 2: 0}, {0: 1, 1: 1, 2: 1}]
    shared = {}
    first = fuse_moment(groups, boxes, poses, K, R, t, root_2d=roots,
                        fused_poses=shared)
    assert len(shared) == 2
    moved = roots + 2.0  # another root, the same inlier views
    again = fuse_moment(groups, boxes, poses, K, R, t, root_2d=moved,
                        fused_poses=shared)
    alone = fuse_moment(groups, boxes, poses, K, R, t, root_2d=moved)
    assert len(shared) == 2
    for reused, fresh, earlier in zip(again, alone, first):
        assert reused['view_poses'] is earlier['view_poses']
        assert not np.allclose(reused['root'], earlier['root'])
        for key, value in fresh.items():
            np.testing.assert_array_equal(reused[key], value, err_msg=key)


def test_fuse_moment_drops_a_view_on_the_wrong_person():
    bodies, poses, boxes, roots, K, R, t = _moment()
    groups = [{0: 0, 1: 0, 2: 1}, {0: 1, 1: 1}]  # view 2 took B for A
    weights = np.ones((3, 2, 17))
    people = fuse_moment(groups, boxes, poses, K, R, t, weights=weights,
                         root_2d=roots)
    np.testing.assert_allclose(people[0]['joints'], bodies[0], atol=1e-3)
    assert people[0]['views'] == [0, 1]
    np.testing.assert_allclose(people[1]['joints'], bodies[1], atol=1e-3)
    assert fuse_moment([{2: 0}], boxes, poses, K, R, t) == []  # one view


@pytest.mark.parametrize('ratios, scale', [
    ([1.2, 1.2, 1.2], 1.2),
    ([1.2, 3.0, 1.2], 1.2),  # the median over the views
    ([2.0, 2.0, np.nan], 1.25),  # clipped to 1 + max_size_change
    ([np.nan] * 3, 1.0),  # unknown: the skeleton's own size
])
def test_fuse_moment_scales_the_skeleton_by_the_size_ratios(ratios, scale):
    bodies, poses, boxes, roots, K, R, t = _moment()
    size_ratios = np.stack([np.full(2, r) for r in ratios])  # [V, N]
    people = fuse_moment([{0: 0, 1: 0, 2: 0}], boxes, poses, K, R, t,
                         root_2d=roots, size_ratios=size_ratios,
                         max_size_change=0.25)
    np.testing.assert_allclose(people[0]['root'], bodies[0, 0], atol=1e-3)
    np.testing.assert_allclose(people[0]['joints'] - people[0]['root'],
                               scale * (bodies[0] - bodies[0, 0]), atol=1e-3)


def test_refit_person_leaves_out_the_views_facing_away_from_a_given_facing():
    bodies, poses, boxes, roots, K, R, t = _moment(4)
    facing = facing_directions(bodies[:1])[0]
    front = np.argmax(np.abs(R[:, 2] @ facing))
    poses[front, 0] *= [-1.0, 1.0, 1.0]  # mirrored: faces backwards
    groups = [{v: 0 for v in range(4)}]
    fused = fuse_moment(groups, boxes, poses, K, R, t, root_2d=roots,
                        outlier_mm=600.0, facing_joints=None)[0]
    assert fused['views'] == [0, 1, 2, 3]  # no check: the mirror pulls
    assert np.abs(fused['joints'] - bodies[0]).max() > 10
    assert fused['view_poses'].shape == (4, 17, 3) and fused['scale'] == 1.0
    refit = refit_person(fused, facing, outlier_mm=600.0)
    np.testing.assert_allclose(refit['joints'], bodies[0], atol=1e-3)
    assert refit['views'] == [v for v in range(4) if v != front]
    np.testing.assert_array_equal(refit['root'], fused['root'])
    assert fused['views'] == [0, 1, 2, 3]  # the input is left as it was
    # a view left out: fused again, to the same result
    again = refit_person(refit, facing, outlier_mm=600.0)
    assert again is not refit and again['views'] == refit['views']
    np.testing.assert_array_equal(again['joints'], refit['joints'])
    # every view kept and facing that way: returned as it is
    poses[front, 0] *= [-1.0, 1.0, 1.0]
    right = fuse_moment(groups, boxes, poses, K, R, t, root_2d=roots)[0]
    assert refit_person(right, facing) is right


def test_fuse_moment_keeps_only_the_root_inliers_evidence():
    bodies, poses, boxes, roots, K, R, t = _moment()
    groups = [{0: 0, 1: 0, 2: 1}]  # view 2 took B for A
    person = fuse_moment(groups, boxes, poses, K, R, t, root_2d=roots,
                         size_ratios=np.full((3, 2), 1.1))[0]
    assert np.isnan(person['view_poses'][2]).all()
    assert (person['view_weights'][2] == 0).all()
    np.testing.assert_allclose(person['view_poses'][:2],
                               np.broadcast_to(bodies[0] - bodies[0, 0],
                                               (2, 17, 3)), atol=1e-6)
    assert person['scale'] == pytest.approx(1.1)
