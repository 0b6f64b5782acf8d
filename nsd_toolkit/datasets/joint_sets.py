"""Joint orders of the supported datasets and their mapping to Human3.6M.

Every dataset reader returns the 17 Human3.6M joints (:data:`H36M_JOINTS`) so
that poses of all sources share one order; joints a source does not annotate
are NaN. Correspondences of :func:`to_h36m` (``--`` = NaN):

============  ========================  ==============================
Human3.6M     CMU Panoptic (COCO-19)    Campus / Shelf (14 joints)
============  ========================  ==============================
pelvis        body_centre               midpoint of r_hip, l_hip (*)
r_hip         r_hip                     r_hip
r_knee        r_knee                    r_knee
r_ankle       r_ankle                   r_ankle
l_hip         l_hip                     l_hip
l_knee        l_knee                    l_knee
l_ankle       l_ankle                   l_ankle
spine         --                        --
thorax        neck (~)                  --
neck_nose     nose (~)                  bottom_head (~)
head_top      --                        top_head
l_shoulder    l_shoulder                l_shoulder
l_elbow       l_elbow                   l_elbow
l_wrist       l_wrist                   l_wrist
r_shoulder    r_shoulder                r_shoulder
r_elbow       r_elbow                   r_elbow
r_wrist       r_wrist                   r_wrist
============  ========================  ==============================

(*) derived joint. (~) approximate: the source point sits on the same body
part but is defined differently (Panoptic's neck is the base of the neck,
Human3.6M's thorax the top of the sternum; Panoptic's nose is on the face,
Human3.6M's neck/nose joint inside the head; Campus/Shelf's bottom-head is
the chin). The eyes and ears of COCO-19 have no Human3.6M counterpart.
Compare poses of different sources only on :func:`shared_h36m_joints`.
"""
import functools

import numpy as np

H36M_JOINTS = ('pelvis', 'r_hip', 'r_knee', 'r_ankle', 'l_hip', 'l_knee',
               'l_ankle', 'spine', 'thorax', 'neck_nose', 'head_top',
               'l_shoulder', 'l_elbow', 'l_wrist', 'r_shoulder', 'r_elbow',
               'r_wrist')
PANOPTIC_COCO19_JOINTS = ('neck', 'nose', 'body_centre', 'l_shoulder',
                          'l_elbow', 'l_wrist', 'l_hip', 'l_knee', 'l_ankle',
                          'r_shoulder', 'r_elbow', 'r_wrist', 'r_hip',
                          'r_knee', 'r_ankle', 'l_eye', 'l_ear', 'r_eye',
                          'r_ear')
CAMPUS_SHELF14_JOINTS = ('r_ankle', 'r_knee', 'r_hip', 'l_hip', 'l_knee',
                         'l_ankle', 'r_wrist', 'r_elbow', 'r_shoulder',
                         'l_shoulder', 'l_elbow', 'l_wrist', 'bottom_head',
                         'top_head')

#: joint set name -> joint names in the source's order.
JOINT_SETS = {
    'h36m': H36M_JOINTS,
    'panoptic_coco19': PANOPTIC_COCO19_JOINTS,
    'campus_shelf14': CAMPUS_SHELF14_JOINTS,
}

_LIMBS = ('r_hip', 'r_knee', 'r_ankle', 'l_hip', 'l_knee', 'l_ankle',
          'l_shoulder', 'l_elbow', 'l_wrist', 'r_shoulder', 'r_elbow',
          'r_wrist')

#: joint set -> {Human3.6M joint: source joint, or a pair averaged}.
TO_H36M = {
    'h36m': {name: name for name in H36M_JOINTS},
    'panoptic_coco19': dict({name: name for name in _LIMBS},
                            pelvis='body_centre',
                            thorax='neck',
                            neck_nose='nose'),
    'campus_shelf14': dict({name: name for name in _LIMBS},
                           pelvis=('r_hip', 'l_hip'),
                           neck_nose='bottom_head',
                           head_top='top_head'),
}


def _check_joint_set(joint_set):
    if joint_set not in JOINT_SETS:
        raise KeyError(f'unknown joint set {joint_set!r}; known: '
                       f'{sorted(JOINT_SETS)}')


@functools.lru_cache(maxsize=None)
def _gather_table(joint_set):
    """Source indices ``a``, ``b`` [17] (output = mean of both) and the mask
    of defined Human3.6M joints [17]."""
    _check_joint_set(joint_set)
    names, mapping = JOINT_SETS[joint_set], TO_H36M[joint_set]
    pairs = np.zeros((len(H36M_JOINTS), 2), np.int64)
    defined = np.zeros(len(H36M_JOINTS), bool)
    for j, target in enumerate(H36M_JOINTS):
        source = mapping.get(target)
        if source is not None:
            pair = (source, source) if isinstance(source, str) else source
            pairs[j] = [names.index(name) for name in pair]
            defined[j] = True
    return pairs[:, 0], pairs[:, 1], defined


def to_h36m(joints, joint_set):
    """Map joints of ``joint_set`` to the 17 Human3.6M joints.

    Args:
        joints (np.ndarray): [..., J, C] in the order of
            ``JOINT_SETS[joint_set]`` (C coordinates, e.g. 3).
        joint_set (str): a key of :data:`JOINT_SETS`.

    Returns:
        np.ndarray: float [..., 17, C]; NaN for joints without counterpart
        (module docstring), derived joints are the mean of their sources.
    """
    _check_joint_set(joint_set)
    joints = np.asarray(joints)
    num_joints = len(JOINT_SETS[joint_set])
    if joints.ndim < 2 or joints.shape[-2] != num_joints:
        raise ValueError(f'to_h36m: {joint_set!r} joints must have shape '
                         f'[..., {num_joints}, C], got {joints.shape}')
    a, b, defined = _gather_table(joint_set)
    dtype = np.result_type(joints.dtype, np.float32)
    out = 0.5 * (joints[..., a, :].astype(dtype) + joints[..., b, :])
    out[..., ~defined, :] = np.nan
    return out


def shared_h36m_joints(*joint_sets):
    """Indices of the Human3.6M joints defined by every given joint set.

    Example: ``idx = shared_h36m_joints('h36m', 'campus_shelf14')`` then
    ``keypoint_mpjpe(pred[:, idx], gt[:, idx])``.

    Returns:
        tuple[int]: ascending indices into :data:`H36M_JOINTS`.
    """
    defined = np.ones(len(H36M_JOINTS), bool)
    for joint_set in joint_sets:
        defined &= _gather_table(joint_set)[2]
    return tuple(int(i) for i in np.flatnonzero(defined))
