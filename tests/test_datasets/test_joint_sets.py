"""Joint orders and their mapping to the 17 Human3.6M joints."""
import numpy as np
import pytest

from nsd_toolkit.datasets.joint_sets import (CAMPUS_SHELF14_JOINTS,
                                             H36M_JOINTS,
                                             PANOPTIC_COCO19_JOINTS,
                                             shared_h36m_joints, to_h36m)
from nsd_toolkit.synthetic import JOINT_NAMES

LIMBS = ('r_hip', 'r_knee', 'r_ankle', 'l_hip', 'l_knee', 'l_ankle',
         'l_shoulder', 'l_elbow', 'l_wrist', 'r_shoulder', 'r_elbow',
         'r_wrist')


def test_orders_match_the_dataset_documentation():
    assert H36M_JOINTS == JOINT_NAMES
    # CMU Panoptic's joints19 and Campus/Shelf's actorsGT orders
    assert PANOPTIC_COCO19_JOINTS[:3] == ('neck', 'nose', 'body_centre')
    assert PANOPTIC_COCO19_JOINTS[6:9] == ('l_hip', 'l_knee', 'l_ankle')
    assert PANOPTIC_COCO19_JOINTS[12:15] == ('r_hip', 'r_knee', 'r_ankle')
    assert PANOPTIC_COCO19_JOINTS[15:] == ('l_eye', 'l_ear', 'r_eye', 'r_ear')
    assert CAMPUS_SHELF14_JOINTS[:6] == ('r_ankle', 'r_knee', 'r_hip',
                                         'l_hip', 'l_knee', 'l_ankle')
    assert CAMPUS_SHELF14_JOINTS[12:] == ('bottom_head', 'top_head')


def coded(names, batch=(2, )):
    """Joints [*batch, J, 3] whose x is the joint index, y the batch index."""
    joints = np.zeros(batch + (len(names), 3))
    joints[..., 0] = np.arange(len(names))
    joints[..., 1] = np.arange(batch[0])[:, None]
    return joints


@pytest.mark.parametrize('joint_set, names, direct, derived, missing', [
    ('panoptic_coco19', PANOPTIC_COCO19_JOINTS,
     dict(pelvis='body_centre', thorax='neck', neck_nose='nose'), {},
     ('spine', 'head_top')),
    ('campus_shelf14', CAMPUS_SHELF14_JOINTS,
     dict(neck_nose='bottom_head', head_top='top_head'),
     dict(pelvis=('r_hip', 'l_hip')), ('spine', 'thorax')),
])
def test_to_h36m(joint_set, names, direct, derived, missing):
    source = coded(names)
    out = to_h36m(source, joint_set)
    assert out.shape == (2, 17, 3)
    direct = dict(direct, **{name: name for name in LIMBS})
    for target, src in direct.items():
        np.testing.assert_array_equal(out[:, H36M_JOINTS.index(target)],
                                      source[:, names.index(src)])
    for target, (a, b) in derived.items():
        np.testing.assert_array_equal(
            out[:, H36M_JOINTS.index(target)],
            (source[:, names.index(a)] + source[:, names.index(b)]) / 2)
    assert len(direct) + len(derived) + len(missing) == 17
    assert np.isnan(out[:, [H36M_JOINTS.index(m) for m in missing]]).all()
    # unknown source joints stay unknown, float32 stays float32
    source = source.astype(np.float32)
    source[0, names.index('r_hip')] = np.nan
    out = to_h36m(source, joint_set)
    assert out.dtype == np.float32
    assert np.isnan(out[0, H36M_JOINTS.index('r_hip')]).all()
    # a derived pelvis needs both hips
    pelvis_unknown = np.isnan(out[0, H36M_JOINTS.index('pelvis')]).all()
    assert pelvis_unknown == ('pelvis' in derived)
    assert not np.isnan(out[1, H36M_JOINTS.index('pelvis')]).any()


def test_h36m_is_the_identity_and_errors():
    joints = coded(H36M_JOINTS, (3, ))
    np.testing.assert_array_equal(to_h36m(joints, 'h36m'), joints)
    with pytest.raises(ValueError, match=r'\[\.\.\., 19, C\]'):
        to_h36m(np.zeros((17, 3)), 'panoptic_coco19')
    with pytest.raises(KeyError, match='mpii'):
        to_h36m(np.zeros((16, 3)), 'mpii')


def test_shared_h36m_joints():
    assert shared_h36m_joints('h36m') == tuple(range(17))
    assert shared_h36m_joints() == tuple(range(17))
    shared = {H36M_JOINTS[i] for i in shared_h36m_joints(
        'h36m', 'panoptic_coco19', 'campus_shelf14')}
    assert shared == set(LIMBS) | {'pelvis', 'neck_nose'}
    panoptic = {H36M_JOINTS[i] for i in shared_h36m_joints('panoptic_coco19')}
    assert panoptic == set(LIMBS) | {'pelvis', 'thorax', 'neck_nose'}
