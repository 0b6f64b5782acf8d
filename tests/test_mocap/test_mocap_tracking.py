import numpy as np
import pytest
from mocap_fixtures import (camera_poses, joint_boxes, ring_cameras,
                            walking_bodies)

from nsd_toolkit.evaluation.functional import facing_directions
from nsd_toolkit.mocap import (Track, Tracker, associate_views, fuse_moment,
                               smooth_track, track_facing, tracks_to_arrays)

POSE = np.random.default_rng(0).normal(0, 300, (17, 3))
POSE[0] = 0  # root-relative


def _person(root, appearance=None, views=(0, 1)):
    root = np.asarray(root, float)
    person = dict(root=root, joints=root + POSE, confidence=np.ones(17),
                  views=list(views))
    if appearance is not None:
        person['appearance'] = np.asarray(appearance, float)
    return person


def _crossing(frame):
    """Roots of two people walking past each other diagonally: A passes the
    origin at frame 10, B half a step later, 70 mm apart."""
    a = np.array([-1000.0 + 100 * frame, -1000.0 + 100 * frame, 900.0])
    b = np.array([-950.0 + 100 * frame, 950.0 - 100 * frame, 900.0])
    return a, b


def _run(tracker, frames, people_of):
    """Feeds shuffled people; returns {frame: {person name: track id}}."""
    rng = np.random.default_rng(1)
    ids = {}
    for frame in frames:
        named = people_of(frame)
        order = rng.permutation(len(named))
        names = [list(named)[i] for i in order]
        out = tracker.update(frame, [named[n] for n in names])
        for name, tracked in zip(names, out):
            np.testing.assert_array_equal(tracked.views, named[name]['views'])
        ids[frame] = {name: tracked.track_id for name, tracked in zip(names, out)}
    return ids


@pytest.mark.parametrize('appearances', [
    ([1.0, 0.15, 0.0], [1.0, -0.15, 0.0]),  # similar but distinguishable
    ([1.0, 0.0, 0.0], [1.0, 0.0, 0.0]),  # identical: motion alone
])
def test_ids_are_kept_through_a_crossing(appearances):
    tracker = Tracker(max_distance=400.0, smoothing=None)

    def people(frame):
        a, b = _crossing(frame)
        return dict(a=_person(a, appearances[0]), b=_person(b, appearances[1]))

    ids = _run(tracker, range(21), people)
    assert all(frame_ids == ids[0] for frame_ids in ids.values())
    tracks = tracker.finish()
    assert [t.track_id for t in tracks] == [0, 1]
    for track in tracks:
        name = {i: n for n, i in ids[0].items()}[track.track_id]
        roots = np.array([_crossing(f)['ab'.index(name)] for f in range(21)])
        np.testing.assert_array_equal(track.joints[:, 0], roots)
        np.testing.assert_array_equal(track.joints, roots[:, None] + POSE)
        np.testing.assert_array_equal(track.frames, np.arange(21))


def test_new_people_get_new_ids_and_leaving_tracks_end():
    tracker = Tracker(max_missed=2)

    def people(frame):
        a, b = _crossing(frame)
        named = dict(a=_person(a))
        if frame <= 12:
            named['b'] = _person(b)
        if frame >= 5:
            named['c'] = _person([2000.0, 2000.0 - 50 * frame, 900.0])
        return named

    ids = _run(tracker, range(15), people)
    assert ids[4] == ids[0] and ids[5] == dict(ids[0], c=2)
    assert ids[14] == dict(a=ids[0]['a'], c=2)
    assert ids[0]['b'] in [t.track_id for t in tracker.live]  # missed twice
    _run(tracker, [15], people)
    assert [t.track_id for t in tracker.finished] == [ids[0]['b']]
    assert tracker.finished[0].frames.tolist() == list(range(13))
    out = tracker.update(16, [_person(_crossing(12)[1])])  # b comes back
    assert out[0].track_id == 3  # a new track: the old one has ended
    assert [t.track_id for t in tracker.finish()] == [0, 1, 2, 3]


def test_a_jump_beyond_the_gate_starts_a_new_track():
    tracker = Tracker(max_distance=500.0)
    assert tracker.update(0, [_person([0.0, 0, 900])])[0].track_id == 0
    assert tracker.update(1, [_person([400.0, 0, 900])])[0].track_id == 0
    # constant-velocity prediction: 800 expected, 1150 is within the gate
    assert tracker.update(2, [_person([1150.0, 0, 900])])[0].track_id == 0
    # 1900 expected: a sudden stop at 1150 is beyond it
    assert tracker.update(3, [_person([1150.0, 0, 900])])[0].track_id == 1


def test_smoothing_on_and_off():
    roots = np.array([[0.0, 0, 900], [30.0, 0, 900], [90.0, 0, 900]])
    raw, smooth = Tracker(smoothing=None), Tracker(smoothing=0.25)
    for frame, root in enumerate(roots):
        person = _person(root)
        np.testing.assert_array_equal(
            raw.update(frame, [person])[0].joints, person['joints'])
        out = smooth.update(frame, [person])[0].joints
    s = roots[0]
    for root in roots[1:]:
        s = 0.25 * root + 0.75 * s  # exponential smoothing by hand
    np.testing.assert_allclose(out, s + POSE)
    np.testing.assert_allclose(smooth.finish()[0].joints[:, 0, 0],
                               [0.0, 7.5, 28.125])
    with pytest.raises(ValueError, match='smoothing'):
        Tracker(smoothing=0.0)


def _track(frames, joints):
    frames = np.asarray(frames)
    return Track(3, frames, joints, np.ones(joints.shape[:2]),
                 [[0, 1]] * len(frames))


def test_lag_free_smoothing_keeps_steady_motion_and_removes_noise():
    frames = np.array([0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15, 16])
    line = frames[:, None, None] * np.array([40.0, -10.0, 0.0]) + POSE
    smooth = smooth_track(_track(frames, line), 1.5)
    assert smooth.track_id == 3 and smooth.views == [[0, 1]] * len(frames)
    np.testing.assert_array_equal(smooth.frames, frames)
    # a straight walk is kept at every moment, ends and gap included (no
    # lag, unlike Tracker's smoothing)
    np.testing.assert_allclose(smooth.joints, line, atol=1e-6)
    noise = np.random.default_rng(2).normal(0, 20, line.shape)
    noisy = smooth_track(_track(frames, line + noise), 1.5)
    error = np.linalg.norm(noisy.joints - line, axis=-1).mean()
    assert error < 0.6 * np.linalg.norm(noise, axis=-1).mean()


def test_lag_free_smoothing_leaves_unknown_joints_unknown():
    joints = np.tile(POSE, (5, 1, 1))
    joints[2, 4] = np.nan
    smooth = smooth_track(_track(range(5), joints), 1.0)
    assert np.isnan(smooth.joints[2, 4]).all()
    np.testing.assert_allclose(np.delete(smooth.joints, 2, 0),
                               np.delete(joints, 2, 0), atol=1e-9)
    single = smooth_track(_track([7], joints[:1]), 2.0)
    np.testing.assert_allclose(single.joints, joints[:1])
    # a window longer than the track
    short = smooth_track(_track([4, 5, 7], joints[:3]), 3.0)
    np.testing.assert_allclose(short.joints, joints[:3], atol=1e-6)
    with pytest.raises(ValueError, match='sigma'):
        smooth_track(_track(range(5), joints), 0.0)


def test_facing_vote_outweighs_moments_that_turned():
    frames = np.array([0, 1, 2, 3, 4, 5, 6, 9, 10, 11])
    joints = walking_bodies(num_frames=len(frames))[:, 0]
    turned = joints.copy()
    # moments 3 and 9 turned front to back about the vertical (z)
    for row in (3, 7):
        turned[row] = (joints[row] - joints[row, 0]) * [-1, -1, 1] + \
            joints[row, 0]
    own = facing_directions(joints)
    vote = track_facing(_track(frames, turned), 2.0)
    np.testing.assert_allclose(np.linalg.norm(vote, axis=-1), 1.0)
    # every moment, the turned ones too, within a few degrees of the truth
    assert ((vote * own).sum(-1) > np.cos(np.radians(10))).all()
    assert (facing_directions(turned)[[3, 7]] * own[[3, 7]]).sum(-1).max() < 0
    # a short window follows the turned moment alone
    alone = track_facing(_track(frames, turned), 0.1)
    np.testing.assert_allclose(alone, facing_directions(turned), atol=1e-9)


def test_facing_vote_without_a_known_facing_is_zero():
    joints = walking_bodies(num_frames=3)[:, 0]
    joints[:, 1] = np.nan  # no right hip: no facing
    vote = track_facing(_track(range(3), joints), 2.0)
    np.testing.assert_array_equal(vote, 0.0)
    with pytest.raises(ValueError, match='sigma'):
        track_facing(_track(range(3), joints), 0.0)


def test_tracks_to_arrays_fills_absence_with_nan():
    tracker = Tracker(max_missed=0, smoothing=None)
    tracker.update(0, [_person([0.0, 0, 900])])
    tracker.update(1, [_person([0.0, 0, 900]), _person([3000.0, 0, 900])])
    tracker.update(2, [_person([3000.0, 0, 900])])
    ids, joints, confidence = tracks_to_arrays(tracker.finish(), num_frames=4)
    assert ids.tolist() == [0, 1] and joints.shape == (2, 4, 17, 3)
    present = np.isfinite(joints).all((-1, -2))
    assert present.tolist() == [[True, True, False, False],
                                [False, True, True, False]]
    np.testing.assert_array_equal(np.isfinite(confidence).all(-1), present)
    np.testing.assert_array_equal(joints[1, 2], [3000.0, 0, 900] + POSE)


@pytest.mark.parametrize('order', [(0, 1), (1, 0)])
def test_appearance_decides_between_equally_near_people(order):
    tracker = Tracker(max_distance=400.0)
    looks = ([1.0, 0.3, 0.0], [1.0, -0.3, 0.0])
    for frame in range(2):  # standing still, 300 mm apart
        tracker.update(frame, [_person([0.0, 0, 900], looks[0]),
                               _person([300.0, 0, 900], looks[1])])
    # both step to points 180 mm from either track
    people = [_person([150.0, 100, 900], looks[0]),
              _person([150.0, -100, 900], looks[1])]
    out = tracker.update(2, [people[i] for i in order])
    assert [tracked.track_id for tracked in out] == list(order)


def test_associated_and_fused_moments_are_tracked():
    K, R, t = ring_cameras(4)
    bodies = walking_bodies(8, roots=((-600.0, -300.0), (600.0, 300.0)),
                            headings=(0.0, 3.1), step=(100.0, 0.0))
    bodies[:, 1, :, 0] -= 200.0 * np.arange(8)[:, None]  # walks back
    looks = np.array([[1.0, 0.3, 0, 0], [1.0, -0.3, 0, 0]])
    rng = np.random.default_rng(0)
    tracker = Tracker(smoothing=None)
    for frame, pair in enumerate(bodies):
        slots = [rng.permutation(2) for _ in range(4)]  # shuffled per view
        boxes = [np.stack([joint_boxes(pair[p], K, R, t)[v] for p in slots[v]])
                 for v in range(4)]
        poses = [np.stack([camera_poses(pair[p], R, t)[v] for p in slots[v]])
                 for v in range(4)]
        looks_seen = [looks[s] + rng.normal(0, 0.02, (2, 4)) for s in slots]
        groups = associate_views(looks_seen, boxes, K, R, t)
        tracker.update(frame, fuse_moment(groups, boxes, poses, K, R, t,
                                          appearance=looks_seen))
    ids, joints, _ = tracks_to_arrays(tracker.finish())
    assert ids.tolist() == [0, 1]
    first = np.argmin(np.abs(joints[0, 0, 0] - bodies[0, :, 0]).sum(-1))
    for track, person in ((0, first), (1, 1 - first)):
        np.testing.assert_allclose(joints[track], bodies[:, person], atol=1e-3)
