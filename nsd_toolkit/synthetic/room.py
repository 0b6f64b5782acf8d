"""Static textured room (tiled floor, panelled walls, ceiling) ray-cast once
per camera; the result is the empty-room background of that view."""
import numpy as np

from .camera import camera_center, pixel_rays
from .shading import lambert
from .textures import hash_uniform, value_noise


def sample_room(rng, ring_radius):
    """Random room description (colours, salts, extent) for a ring radius.

    Returns:
        dict: half_size, height, tile (mm); floor [2, 3], walls [4, 3],
        ceiling [3] RGB in [0, 1]; salt (int).
    """
    floor = rng.uniform(0.35, 0.75, (1, 3)) * [[1.0, 0.95, 0.85]]
    return dict(half_size=float(ring_radius) + 1500.0,
                height=3200.0,
                tile=float(rng.choice([400.0, 500.0, 600.0])),
                floor=np.concatenate([floor, floor * rng.uniform(0.55, 0.8)]),
                walls=rng.uniform(0.3, 0.85, (4, 3)),
                ceiling=np.full(3, 0.85),
                salt=int(rng.integers(2**31)))


def _floor_albedo(x, y, room):
    tile, salt = room['tile'], room['salt']
    ix, iy = np.floor(x / tile).astype(np.int64), np.floor(y / tile).astype(
        np.int64)
    albedo = room['floor'][(ix + iy) % 2]
    albedo = albedo * (0.8 + 0.3 * hash_uniform(ix, iy, salt))[..., None]
    fx, fy = x / tile - ix, y / tile - iy
    grout = np.minimum(np.minimum(fx, 1 - fx), np.minimum(fy, 1 - fy)) < 0.03
    albedo[grout] *= 0.55
    grain = 0.85 + 0.2 * value_noise(x, y, 90.0, salt + 1) + \
        0.1 * value_noise(x, y, 25.0, salt + 2)
    return albedo * grain[..., None]


def _wall_albedo(along, z, wall, room):
    """Panelled wall: skirting, panel seams, posters, plaster noise."""
    salt = room['salt'] + 10 * (wall + 1)
    albedo = np.broadcast_to(room['walls'][wall], along.shape + (3, )).copy()
    panel = np.floor(along / 1000.0).astype(np.int64)
    frac = along / 1000.0 - panel
    albedo[np.minimum(frac, 1 - frac) < 0.01] *= 0.7
    albedo[z < 150] *= 0.45
    poster = (hash_uniform(panel, wall, salt) < 0.45) & (np.abs(frac - 0.5)
                                                         < 0.3)
    poster &= (z > 1100) & (z < 1900)
    colour = np.stack(
        [hash_uniform(panel, wall + 7 * k, salt + 3) for k in range(3)],
        axis=-1)
    stripes = 0.75 + 0.25 * (np.sin(z / 40.0 + 6 * frac) > 0)
    albedo[poster] = (colour * stripes[..., None])[poster]
    return albedo * (0.85 +
                     0.25 * value_noise(along, z, 150.0, salt + 4))[..., None]


def render_room(cam, room):
    """Empty-room image seen by one camera.

    Args:
        cam (dict): K, R, t, size (calibration schema).
        room (dict): from :func:`sample_room`.

    Returns:
        np.ndarray: uint8 RGB [H, W, 3].
    """
    R = np.asarray(cam['R'])
    eye = camera_center(cam)
    dirs = pixel_rays(cam) @ R  # world directions [H, W, 3]
    s, top = room['half_size'], room['height']
    with np.errstate(divide='ignore', invalid='ignore'):
        # ray parameter to the six planes; surfaces behind the eye -> inf
        planes = np.stack([
            (np.where(dirs[..., 0] > 0, s, -s) - eye[0]) / dirs[..., 0],
            (np.where(dirs[..., 1] > 0, s, -s) - eye[1]) / dirs[..., 1],
            (np.where(dirs[..., 2] > 0, top, 0.0) - eye[2]) / dirs[..., 2],
        ])
    planes = np.where(np.isfinite(planes) & (planes > 0), planes, np.inf)
    axis = planes.argmin(0)
    hit = eye + dirs * planes.min(0)[..., None]
    positive = np.take_along_axis(dirs, axis[..., None], -1)[..., 0] > 0

    albedo = np.empty(hit.shape)
    normals = np.zeros(hit.shape)
    floor = (axis == 2) & ~positive
    albedo[floor] = _floor_albedo(hit[floor, 0], hit[floor, 1], room)
    normals[floor, 2] = 1.0
    ceiling = (axis == 2) & positive
    albedo[ceiling] = room['ceiling'] * (0.9 + 0.1 * value_noise(
        hit[ceiling, 0], hit[ceiling, 1], 300.0, room['salt'] + 5))[..., None]
    normals[ceiling, 2] = -1.0
    for a in range(2):
        for wall_sign in range(2):
            sel = (axis == a) & (positive == bool(wall_sign))
            wall = 2 * a + wall_sign
            albedo[sel] = _wall_albedo(hit[sel, 1 - a], hit[sel, 2], wall,
                                       room)
            normals[sel, a] = -1.0 if wall_sign else 1.0
    return lambert(albedo, normals)
