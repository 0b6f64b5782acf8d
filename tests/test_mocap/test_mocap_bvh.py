import numpy as np
import pytest
from mocap_fixtures import walking_bodies

from nsd_toolkit.mocap import (H36M_PARENTS, bvh_positions, bvh_to_h36m,
                               local_rotations, read_bvh, write_bvh)
from nsd_toolkit.mocap.bvh import (align_rotation, axis_rotation, euler_zxy,
                                   kabsch_rotation, rest_offsets)


def _walk(num_frames=20):
    return walking_bodies(num_frames, step=(40.0, 10.0))[:, 0]


def _random_rotations(count, seed=0):
    q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(count, 3, 3)))
    q = q * np.sign(np.diagonal(r, axis1=-2, axis2=-1))[:, None]
    return q * np.linalg.det(q)[:, None, None]


def test_rotation_helpers():
    a = np.array([0.0, 0.0, 1.0])
    b = np.array([[0.6, 0.0, 0.8], [0.0, 0.0, -1.0], [0.0, 0.0, 1.0]])
    rotations = align_rotation(a, b)
    np.testing.assert_allclose(rotations @ a, b, atol=1e-12)
    np.testing.assert_allclose(np.linalg.det(rotations), 1.0)
    truth = _random_rotations(4)
    rest = np.random.default_rng(1).normal(size=(3, 3))
    np.testing.assert_allclose(kabsch_rotation(rest, rest @ truth.swapaxes(1, 2)),
                               truth, atol=1e-12)
    z, x, y = np.radians([30.0, -50.0, 120.0])
    rz = np.array([[np.cos(z), -np.sin(z), 0], [np.sin(z), np.cos(z), 0],
                   [0, 0, 1]])
    rx = np.array([[1, 0, 0], [0, np.cos(x), -np.sin(x)],
                   [0, np.sin(x), np.cos(x)]])
    ry = np.array([[np.cos(y), 0, np.sin(y)], [0, 1, 0],
                   [-np.sin(y), 0, np.cos(y)]])
    np.testing.assert_allclose(euler_zxy(rz @ rx @ ry), [30.0, -50.0, 120.0])
    for x_degrees in (90.0, -90.0):  # gimbal lock: only z + y or z - y counts
        locked = axis_rotation('Z', 25.0) @ axis_rotation('X', x_degrees) @ \
            axis_rotation('Y', 15.0)
        z, x, y = euler_zxy(locked)
        np.testing.assert_allclose(
            axis_rotation('Z', z) @ axis_rotation('X', x) @
            axis_rotation('Y', y), locked, atol=1e-12)
        np.testing.assert_allclose([x, y], [x_degrees, 0.0])


def test_local_rotations_reproduce_the_joints():
    joints = _walk()
    offsets = rest_offsets(joints)
    local = local_rotations(joints, offsets)
    np.testing.assert_allclose(local[0], np.broadcast_to(np.eye(3), (17, 3, 3)),
                               atol=1e-9)  # the rest pose is the first frame
    world = np.zeros_like(local)
    positions = np.zeros_like(joints)
    positions[:, 0] = joints[:, 0]
    for j, parent in enumerate(H36M_PARENTS):
        world[:, j] = local[:, j] if parent < 0 else world[:, parent] @ local[:, j]
        if parent >= 0:
            positions[:, j] = positions[:, parent] + world[:, parent] @ offsets[j]
    np.testing.assert_allclose(positions, joints, atol=1e-6)


def test_bvh_parses_back_to_the_same_joints(tmp_path):
    joints = _walk()
    path = tmp_path / 'person.bvh'
    write_bvh(path, joints, fps=25)
    bvh = read_bvh(path)
    assert bvh.frame_time == pytest.approx(0.04)
    assert bvh.motion.shape == (20, 6 + 11 * 3)
    assert bvh.names[:3] == ['pelvis', 'r_hip', 'r_knee']
    assert 'r_knee_end' in bvh.names and 'r_ankle' not in bvh.names
    assert bvh.channels[0][:3] == ['Xposition', 'Yposition', 'Zposition']
    assert [len(c) for c in bvh.channels].count(3) == 11
    assert np.abs(bvh_to_h36m(bvh) - joints).max() < 1e-3  # mm
    assert bvh_positions(bvh).shape == (20, 17, 3)


def test_bvh_keeps_median_bone_lengths(tmp_path):
    joints = _walk(5)
    joints[2, 3] += 0.2 * (joints[2, 3] - joints[2, 2])  # a longer shin
    write_bvh(tmp_path / 'p.bvh', joints, fps=30)
    back = bvh_to_h36m(read_bvh(tmp_path / 'p.bvh'))
    shin = np.linalg.norm(back[:, 3] - back[:, 2], axis=-1)
    np.testing.assert_allclose(shin, np.linalg.norm(joints[0, 3] - joints[0, 2]),
                               rtol=1e-6)
    assert np.abs(back - joints)[[0, 1, 3, 4]].max() < 1e-3
    direction = (back[2, 3] - back[2, 2]) / shin[2]
    expected = joints[2, 3] - joints[2, 2]
    np.testing.assert_allclose(direction, expected / np.linalg.norm(expected),
                               atol=1e-6)


def test_bvh_errors_name_the_file(tmp_path):
    with pytest.raises(ValueError, match='finite'):
        write_bvh(tmp_path / 'nan.bvh', np.full((2, 17, 3), np.nan), fps=25)
    path = tmp_path / 'bad.bvh'
    path.write_text('HIERARCHY\nROOT pelvis\n{\nOFFSET 0 0 zero\n')
    with pytest.raises(ValueError, match=f'{path}: non-numeric'):
        read_bvh(path)
    path.write_text('HIERARCHY\nROOT pelvis\n{\nOFFSET 0 0 0\n')
    with pytest.raises(ValueError, match=f'{path}: BVH ends early'):
        read_bvh(path)
