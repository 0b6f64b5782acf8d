"""Hand-made cameras and bodies of the motion-capture tests (mm)."""
import numpy as np

from nsd_toolkit.synthetic import look_at
from nsd_toolkit.synthetic.skeleton import ANGLE_NAMES, forward_kinematics
from nsd_toolkit.utils.geometry import project_points, world_to_camera

FOCAL, WIDTH, HEIGHT = 100.0, 128, 96
PRINCIPAL = ((WIDTH - 1) / 2, (HEIGHT - 1) / 2)  # pixel-centre coordinates


def ring_cameras(num_views=3, radius=5000.0, height=1500.0):
    """K, R, t [V, ...] of cameras evenly spread on a ring of ``radius`` at
    ``height``, looking at the origin, f = 100 px, 128x96 images."""
    angles = np.arange(num_views) * 2 * np.pi / num_views
    eyes = np.stack([radius * np.cos(angles), radius * np.sin(angles),
                     np.full(num_views, height)], -1)
    R = np.stack([look_at(eye, (0.0, 0.0, 0.0)) for eye in eyes])
    t = -(R @ eyes[..., None])[..., 0]
    K = np.tile([[FOCAL, 0, PRINCIPAL[0]], [0, FOCAL, PRINCIPAL[1]],
                 [0, 0, 1]], (num_views, 1, 1))
    return K, R, t


def walking_bodies(num_frames=1, roots=((300.0, -200.0), ), headings=(0.4, ),
                   step=(0.0, 0.0), seed=0):
    """World joints [F, N, 17, 3] of N people with varied limb angles,
    walking by ``step`` (mm per frame) from their floor ``roots``."""
    rng = np.random.default_rng(seed)
    num_people = len(roots)
    frames = np.arange(num_frames)[:, None, None]
    root = np.asarray(roots, float)[None] + frames * np.asarray(step, float)
    phase = rng.uniform(0, 2 * np.pi, (len(ANGLE_NAMES), num_people))
    angles = {name: 0.5 * np.sin(0.4 * frames[..., 0] + phase[i])
              for i, name in enumerate(ANGLE_NAMES)}
    for name in ('r_knee', 'l_knee', 'r_elbow', 'l_elbow'):
        angles[name] = np.abs(angles[name]) + 0.1
    heading = np.asarray(headings, float)[None] + 0.05 * frames[..., 0]
    scale = np.linspace(1.0, 1.1, num_people)
    return forward_kinematics(root, heading, angles, scale)


def camera_poses(joints, R, t):
    """Root-relative camera-frame poses [V, 17, 3] of world joints [17, 3]."""
    cam = world_to_camera(joints[None], R, t)
    return cam - cam[:, :1]


def joint_boxes(joints, K, R, t):
    """Pixel-edge xyxy boxes [V, 4] around the projected joints [17, 3]."""
    pixels = project_points(joints[None], K, R, t)  # [V, 17, 2]
    return np.concatenate([pixels.min(1), pixels.max(1)], -1) + 0.5
