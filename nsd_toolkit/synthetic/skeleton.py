"""17-joint Human3.6M skeleton: bone lengths and vectorised forward kinematics.

Local body frame: x forward, y left, z up (mm); the body is then rotated by
its heading about world z and placed at its root position on the floor.
"""
import numpy as np

JOINT_NAMES = ('pelvis', 'r_hip', 'r_knee', 'r_ankle', 'l_hip', 'l_knee',
               'l_ankle', 'spine', 'thorax', 'neck_nose', 'head_top',
               'l_shoulder', 'l_elbow', 'l_wrist', 'r_shoulder', 'r_elbow',
               'r_wrist')
NUM_JOINTS = len(JOINT_NAMES)
J = {name: i for i, name in enumerate(JOINT_NAMES)}

#: Bone lengths (mm) of a 1750 mm tall person; multiplied by height / 1750.
BONES = dict(ankle_height=80.0,
             shin=430.0,
             thigh=440.0,
             hip_width=200.0,
             pelvis_spine=230.0,
             spine_thorax=250.0,
             thorax_neck=150.0,
             neck_head=170.0,
             shoulder_width=340.0,
             shoulder_drop=20.0,
             upper_arm=290.0,
             forearm=260.0)
#: Nominal standing height (mm) of :data:`BONES` incl. the head cap.
BONES_HEIGHT = 1750.0

#: Angle names of :func:`forward_kinematics` (radians, each [F, N]).
ANGLE_NAMES = ('r_hip', 'l_hip', 'r_knee', 'l_knee', 'r_shoulder',
               'l_shoulder', 'r_elbow', 'l_elbow')
LEG_ABDUCTION = 0.03
ARM_ABDUCTION = 0.14


def _limb_direction(flexion, abduction, side):
    """Unit local direction [..., 3] of a limb swung forward by ``flexion``
    from hanging straight down and ``abduction`` outwards (side +1 = left)."""
    c = np.cos(abduction)
    return np.stack([
        np.sin(flexion) * c,
        np.broadcast_to(side * np.sin(abduction), flexion.shape),
        -np.cos(flexion) * c
    ],
                    axis=-1)


def forward_kinematics(root, heading, angles, scale):
    """World joints of walking/boxing bodies.

    Knee angles flex the shin backwards, elbow angles flex the forearm
    forwards. The pelvis height is chosen so the lower ankle is at
    ``ankle_height`` above the floor (z = 0).

    Args:
        root (np.ndarray): [F, N, 2] floor position (mm).
        heading (np.ndarray): [F, N] facing angle about z (rad, 0 = +x).
        angles (dict[str, np.ndarray]): :data:`ANGLE_NAMES` -> [F, N] (rad).
        scale (np.ndarray): [N] height / :data:`BONES_HEIGHT` per person.

    Returns:
        np.ndarray: float64 [F, N, 17, 3] world joints (mm), H36M order.
    """
    b = {k: v * scale for k, v in BONES.items()}  # each [N]
    out = np.zeros(heading.shape + (NUM_JOINTS, 3))
    up = np.array([0.0, 0.0, 1.0])
    lat = np.array([0.0, 1.0, 0.0])
    legs = {}
    for side, sign in (('r', -1), ('l', 1)):
        thigh = _limb_direction(angles[f'{side}_hip'], LEG_ABDUCTION, sign)
        shin = _limb_direction(angles[f'{side}_hip'] - angles[f'{side}_knee'],
                               LEG_ABDUCTION, sign)
        legs[side] = (b['thigh'][:, None] * thigh, b['shin'][:, None] * shin)
    drop = np.maximum(*[-(t[..., 2] + s[..., 2]) for t, s in legs.values()])
    pelvis_z = b['ankle_height'] + drop
    out[..., J['pelvis'], 2] = pelvis_z
    pelvis = out[..., J['pelvis'], :]
    for side, sign in (('r', -1), ('l', 1)):
        hip = pelvis + sign * 0.5 * b['hip_width'][:, None] * lat
        thigh, shin = legs[side]
        out[..., J[f'{side}_hip'], :] = hip
        out[..., J[f'{side}_knee'], :] = hip + thigh
        out[..., J[f'{side}_ankle'], :] = hip + thigh + shin
    out[..., J['spine'], :] = pelvis + b['pelvis_spine'][:, None] * up
    thorax = out[..., J['spine'], :] + b['spine_thorax'][:, None] * up
    out[..., J['thorax'], :] = thorax
    neck = thorax + b['thorax_neck'][:, None] * np.array([0.15, 0, 0.99])
    out[..., J['neck_nose'], :] = neck
    out[..., J['head_top'], :] = neck + b['neck_head'][:, None] * np.array(
        [-0.1, 0, 0.995])
    for side, sign in (('r', -1), ('l', 1)):
        shoulder = thorax + (sign * 0.5 * b['shoulder_width'][:, None] * lat -
                             b['shoulder_drop'][:, None] * up)
        flex = angles[f'{side}_shoulder']
        upper = _limb_direction(flex, ARM_ABDUCTION, sign)
        fore = _limb_direction(flex + angles[f'{side}_elbow'],
                               0.5 * ARM_ABDUCTION, sign)
        elbow = shoulder + b['upper_arm'][:, None] * upper
        out[..., J[f'{side}_shoulder'], :] = shoulder
        out[..., J[f'{side}_elbow'], :] = elbow
        out[..., J[f'{side}_wrist'], :] = elbow + b['forearm'][:, None] * fore
    cos, sin = np.cos(heading)[..., None], np.sin(heading)[..., None]
    x, y = out[..., 0].copy(), out[..., 1]
    out[..., 0] = cos * x - sin * y + root[..., 0:1]
    out[..., 1] = sin * x + cos * y + root[..., 1:2]
    return out
