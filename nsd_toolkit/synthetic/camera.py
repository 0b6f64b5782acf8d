"""Pinhole camera rig: look-at rotations, a ring of cameras, projection, rays.

Conventions of the toolkit's calibration format: world frame in mm with z up,
world-to-camera ``x_cam = R @ X + t`` (camera x right, y down, z forward),
``pixel = K @ x_cam / z`` with pixel centres at integer coordinates.
"""
import numpy as np

#: Nominal person height (mm) used to choose the focal length.
NOMINAL_HEIGHT = 1750.0


def look_at(eye, target, up=(0.0, 0.0, 1.0)):
    """World-to-camera rotation of a camera at ``eye`` looking at ``target``.

    Args:
        eye, target (array-like): [3] world points (mm).
        up (array-like): [3] world up direction.

    Returns:
        np.ndarray: R [3, 3] (rows = camera x, y, z axes in world), det +1.
    """
    forward = np.asarray(target, float) - np.asarray(eye, float)
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, up)
    right /= np.linalg.norm(right)
    down = np.cross(forward, right)
    return np.stack([right, down, forward])


def ring_focal(size, ring_radius, walk_radius, person_fraction=0.55):
    """Focal length (px) so a person at the centre spans ``person_fraction``
    of the image height, capped so the whole walk area stays in view
    (horizontally: the tangents to the walk disk; vertically: a 1.9 m person
    at the nearest point).

    Args:
        size (tuple[int, int]): (W, H) in pixels.
        ring_radius, walk_radius (float): mm.
        person_fraction (float): target height fraction at the ring centre.

    Returns:
        float: focal length in pixels.
    """
    w, h = size
    extent = walk_radius + 450.0  # walk disk plus half a body (mm)
    return min(person_fraction * h * ring_radius / NOMINAL_HEIGHT,
               0.5 * w * np.sqrt(ring_radius**2 - extent**2) / extent,
               0.5 * h * (ring_radius - walk_radius) / 1100.0)


def ring_cameras(rng,
                 num_views,
                 size,
                 ring_radius,
                 camera_height,
                 walk_radius,
                 look_height=950.0,
                 height_jitter=100.0,
                 zoom=1.0):
    """Cameras evenly spread on a ring around the origin, looking at the
    capture-area centre with a slight downward tilt.

    Positions, heights and aim points get small seed-dependent jitter.

    Args:
        rng (np.random.Generator): random stream.
        num_views (int): V.
        size (tuple[int, int]): (W, H) in pixels.
        ring_radius, camera_height, walk_radius, look_height (float): mm.
        height_jitter (float): each camera's height is drawn uniformly in
            ``camera_height +- height_jitter`` (mm).
        zoom (float): factor on the focal length of :func:`ring_focal`;
            above 1 people near a camera are cut at the image border (feet
            included), as with broadcast cameras.

    Returns:
        dict[str, dict]: ``cam_00``... -> dict(K [3, 3], R [3, 3], t [3],
        size [W, H]) as float64 arrays (calibration-file schema).
    """
    w, h = size
    focal = zoom * ring_focal(size, ring_radius, walk_radius)
    K = np.array([[focal, 0.0, (w - 1) / 2], [0.0, focal, (h - 1) / 2],
                  [0.0, 0.0, 1.0]])
    spacing = 2 * np.pi / num_views
    start = rng.uniform(0, 2 * np.pi)
    cameras = {}
    for v in range(num_views):
        angle = start + v * spacing + rng.uniform(-0.1, 0.1) * spacing
        eye = np.array([
            ring_radius * np.cos(angle), ring_radius * np.sin(angle),
            camera_height + rng.uniform(-height_jitter, height_jitter)
        ])
        target = np.array([*rng.uniform(-100, 100, 2), look_height])
        R = look_at(eye, target)
        cameras[f'cam_{v:02d}'] = dict(K=K.copy(),
                                       R=R,
                                       t=-R @ eye,
                                       size=[int(w), int(h)])
    return cameras


def camera_center(cam):
    """Camera centre in world coordinates [3] (mm)."""
    return -cam['R'].T @ cam['t']


def project_points(points, cam):
    """Project world points to pixels.

    Args:
        points (np.ndarray): [..., 3] world (mm).
        cam (dict): with K, R, t.

    Returns:
        tuple[np.ndarray, np.ndarray]: pixels [..., 2] and depths [...] (mm).
    """
    x_cam = points @ np.asarray(cam['R']).T + np.asarray(cam['t'])
    depth = x_cam[..., 2]
    uvw = x_cam @ np.asarray(cam['K']).T
    return uvw[..., :2] / depth[..., None], depth


def pixel_rays(cam):
    """Ray directions through every pixel centre in the camera frame.

    Returns:
        np.ndarray: [H, W, 3] with z = 1, so a ray parameter is the depth (mm).
    """
    w, h = cam['size']
    K = np.asarray(cam['K'])
    u, v = np.meshgrid(np.arange(w, dtype=float), np.arange(h, dtype=float))
    return np.stack([(u - K[0, 2]) / K[0, 0], (v - K[1, 2]) / K[1, 1],
                     np.ones_like(u)],
                    axis=-1)
