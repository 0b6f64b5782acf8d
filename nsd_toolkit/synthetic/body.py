"""Capsule body model on the 17-joint skeleton.

Each primitive is a capsule (segment + radius); a sphere is a capsule with
equal endpoints. Endpoints are derived from the joints, so the joints lie
inside the rendered silhouette.
"""
import numpy as np

from .people import FOREARM, HEAD, SHIRT, SHOES, SKIN, TROUSERS
from .skeleton import BONES_HEIGHT, J

# (start, end, radius at 1750 mm, part); start/end are joint names or
# (joint a, joint b, weight of b) blends.
_CAPSULES = (
    (('pelvis', 'r_hip', 0.6), ('thorax', 'r_shoulder', 0.45), 105.0, SHIRT),
    (('pelvis', 'l_hip', 0.6), ('thorax', 'l_shoulder', 0.45), 105.0, SHIRT),
    ('r_hip', 'l_hip', 100.0, TROUSERS),
    ('r_shoulder', 'l_shoulder', 60.0, SHIRT),
    ('thorax', 'neck_nose', 52.0, SKIN),
    (('neck_nose', 'head_top', 0.45), ('neck_nose', 'head_top', 0.55), 105.0,
     HEAD),
    ('r_hip', 'r_knee', 72.0, TROUSERS),
    ('l_hip', 'l_knee', 72.0, TROUSERS),
    ('r_knee', 'r_ankle', 56.0, TROUSERS),
    ('l_knee', 'l_ankle', 56.0, TROUSERS),
    ('r_shoulder', 'r_elbow', 46.0, SHIRT),
    ('l_shoulder', 'l_elbow', 46.0, SHIRT),
    ('r_elbow', 'r_wrist', 38.0, FOREARM),
    ('l_elbow', 'l_wrist', 38.0, FOREARM),
    ('r_wrist', 'r_wrist', 45.0, SKIN),
    ('l_wrist', 'l_wrist', 45.0, SKIN),
)
_FEET = ('r_ankle', 'l_ankle')
FOOT_RADIUS, FOOT_LENGTH = 42.0, 150.0
PART_IDS = np.array([c[3] for c in _CAPSULES] + [SHOES] * len(_FEET))


def _point(joints, spec):
    if isinstance(spec, str):
        return joints[..., J[spec], :]
    a, b, w = spec
    return (1 - w) * joints[..., J[a], :] + w * joints[..., J[b], :]


def forward_direction(joints):
    """Unit horizontal facing direction [..., 3] from the hip line."""
    left = joints[..., J['l_hip'], :] - joints[..., J['r_hip'], :]
    forward = np.stack(
        [left[..., 1], -left[..., 0],
         np.zeros_like(left[..., 0])], axis=-1)
    return forward / np.linalg.norm(forward, axis=-1, keepdims=True)


def body_capsules(joints, height):
    """Capsules of one person.

    Args:
        joints (np.ndarray): [..., 17, 3] world joints (mm).
        height (float): person height (mm), scales the radii.

    Returns:
        tuple: start [..., P, 3], end [..., P, 3], radius [P] (mm), and the
        part ids [P] (:data:`PART_IDS`).
    """
    scale = height / BONES_HEIGHT
    starts = [_point(joints, c[0]) for c in _CAPSULES]
    ends = [_point(joints, c[1]) for c in _CAPSULES]
    forward = forward_direction(joints)
    for ankle in _FEET:
        heel = joints[..., J[ankle], :] - 30.0 * scale * forward
        heel[..., 2] = np.maximum(heel[..., 2] - 20.0 * scale,
                                  FOOT_RADIUS * scale)
        toe = heel + FOOT_LENGTH * scale * forward
        starts.append(heel)
        ends.append(toe)
    radius = scale * np.array([c[2] for c in _CAPSULES] +
                              [FOOT_RADIUS] * len(_FEET))
    return (np.stack(starts, axis=-2), np.stack(ends,
                                                axis=-2), radius, PART_IDS)
