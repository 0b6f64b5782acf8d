"""The Human3.6M skeleton tree and bone lengths that stay constant over a
track (numpy, mm).

A person's bones keep their lengths; a pose model's skeletons do not, from
moment to moment. :func:`rigid_bones` gives every moment of a track the
track's median bone lengths along that moment's bone directions, the
skeleton the BVH export writes (:func:`~nsd_toolkit.mocap.write_bvh`).
"""
import numpy as np

from nsd_toolkit.datasets.joint_sets import H36M_JOINTS
from nsd_toolkit.visualization.panels import H36M_BONES

#: Parent of each Human3.6M joint (-1: the root); parents come before their
#: children.
H36M_PARENTS = np.full(len(H36M_JOINTS), -1, np.int64)
H36M_PARENTS[[child for _, child in H36M_BONES]] = [
    parent for parent, _ in H36M_BONES]


def bone_vectors(joints, parents=H36M_PARENTS):
    """Bones [..., J - 1, 3] from each non-root joint's parent to the joint,
    of ``joints`` [..., J, 3] (root first)."""
    return joints[..., 1:, :] - joints[..., parents[1:], :]


def median_bone_lengths(joints, parents=H36M_PARENTS):
    """Median over frames of each bone's length [J - 1] (mm) of ``joints``
    [F, J, 3]; frames where a bone is unknown (NaN) are left out."""
    lengths = np.linalg.norm(bone_vectors(joints, parents), axis=-1)
    known = np.isfinite(lengths).any(0)
    lengths = np.where(known, lengths, 0.0)  # all-NaN bones: no warning
    return np.where(known, np.nanmedian(lengths, axis=0), np.nan)


def rigid_bones(joints, parents=H36M_PARENTS):
    """Skeletons whose bones have their median lengths over the frames.

    From the root outwards, each joint is placed at its (new) parent plus the
    frame's bone direction times the bone's median length
    (:func:`median_bone_lengths`); the root stays. A bone unknown in a frame
    (NaN) leaves its joint and the joints below it NaN there; a zero-length
    bone keeps its joint at its parent.

    Args:
        joints: [F, J, 3] (mm), one person over time.
        parents: [J] parent indices, parents before children.

    Returns:
        np.ndarray: [F, J, 3] float64.
    """
    joints = np.asarray(joints, np.float64)
    bones = bone_vectors(joints, parents)
    lengths = np.linalg.norm(bones, axis=-1, keepdims=True)
    scaled = bones * (median_bone_lengths(joints, parents)[:, None] /
                      np.where(lengths > 0, lengths, 1.0))
    rigid = joints.copy()
    for joint in range(1, len(parents)):  # tree walk, vectorised over frames
        rigid[:, joint] = rigid[:, parents[joint]] + scaled[:, joint - 1]
    return rigid
