import numpy as np
from mocap_fixtures import walking_bodies

from nsd_toolkit.datasets.joint_sets import H36M_JOINTS
from nsd_toolkit.mocap import (H36M_PARENTS, bone_vectors,
                               median_bone_lengths, rigid_bones)


def _walk(num_frames=12):
    return walking_bodies(num_frames, step=(40.0, 10.0))[:, 0]


def _stretched(joints, factors):
    """Joints [F, 17, 3] rebuilt with every bone scaled by factors [F, 16]."""
    bones = bone_vectors(joints) * factors[..., None]
    out = joints.copy()
    for joint in range(1, 17):
        out[:, joint] = out[:, H36M_PARENTS[joint]] + bones[:, joint - 1]
    return out


def _unit(vectors):
    return vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)


def test_parents_follow_the_h36m_tree():
    names = [H36M_JOINTS[p] if p >= 0 else None for p in H36M_PARENTS]
    assert names[:4] == [None, 'pelvis', 'r_hip', 'r_knee']
    assert names[H36M_JOINTS.index('l_shoulder')] == 'thorax'
    assert (H36M_PARENTS[1:] < np.arange(1, 17)).all()


def test_a_skeleton_with_constant_bones_is_kept():
    joints = _walk()
    np.testing.assert_allclose(rigid_bones(joints), joints, atol=1e-9)


def test_bones_get_their_median_length_along_their_own_direction():
    truth = _walk(13)  # odd: the median is the middle frame's, 1
    factors = np.random.default_rng(0).uniform(0.8, 1.2, (len(truth), 16))
    factors[len(truth) // 2] = 1.0
    factors[:len(truth) // 2] = 1.0 + np.abs(factors[:len(truth) // 2] - 1)
    factors[len(truth) // 2 + 1:] = 1.0 - np.abs(
        factors[len(truth) // 2 + 1:] - 1)
    noisy = _stretched(truth, factors)
    rigid = rigid_bones(noisy)
    np.testing.assert_allclose(rigid, truth, atol=1e-9)
    np.testing.assert_allclose(rigid[:, 0], noisy[:, 0])
    np.testing.assert_allclose(_unit(bone_vectors(rigid)),
                               _unit(bone_vectors(noisy)), atol=1e-12)


def test_unknown_bones_leave_their_subtree_unknown():
    joints = _walk()
    joints[3, H36M_JOINTS.index('r_knee')] = np.nan
    lengths = median_bone_lengths(joints)
    np.testing.assert_allclose(lengths, median_bone_lengths(_walk()))
    rigid = rigid_bones(joints)
    unknown = [H36M_JOINTS.index(name) for name in ('r_knee', 'r_ankle')]
    assert np.isnan(rigid[3, unknown]).all()
    known = np.delete(np.arange(17), unknown)
    assert np.isfinite(rigid[3, known]).all()
    assert np.isfinite(np.delete(rigid, 3, axis=0)).all()
