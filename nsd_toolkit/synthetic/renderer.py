"""Ray-cast capsule people over a pre-rendered room with a z-buffer.

Rays are cast only inside each person's projected bounding box; all capsules
of a person are intersected at once with numpy broadcasting.
"""
import numpy as np

from .body import body_capsules, forward_direction
from .people import HEAD, HAIR, SHIRT
from .shading import lambert

NEAR = 100.0  # mm


def _sphere_hit(dd, d_c, cc, r2):
    """Front hit parameter of rays t * d (from the camera centre) with
    spheres; inf on a miss. dd [M], d_c [P, M], cc [P], r2 [P]."""
    disc = d_c**2 - dd * (cc - r2)[:, None]
    with np.errstate(invalid='ignore'):
        t = (d_c - np.sqrt(disc)) / dd
    return np.where((disc >= 0) & (t > NEAR), t, np.inf)


def intersect_capsules(dirs, start, end, radius):
    """Front intersection of camera rays with capsules.

    Args:
        dirs (np.ndarray): [M, 3] camera-frame ray directions with z = 1.
        start, end (np.ndarray): [P, 3] camera-frame capsule endpoints (mm).
        radius (np.ndarray): [P] (mm).

    Returns:
        tuple: depth [M] (mm, inf on a miss) and capsule index [M].
    """
    dd = np.einsum('mi,mi->m', dirs, dirs)
    d_a, d_b = start @ dirs.T, end @ dirs.T  # [P, M]
    r2 = radius**2
    hits = [
        _sphere_hit(dd, d_a, np.einsum('pi,pi->p', start, start), r2),
        _sphere_hit(dd, d_b, np.einsum('pi,pi->p', end, end), r2)
    ]
    axis = end - start
    length = np.linalg.norm(axis, axis=1)
    tube = length > 1e-6
    if tube.any():
        u = axis[tube] / length[tube, None]
        a = start[tube]
        d_u = u @ dirs.T
        a_u = np.einsum('pi,pi->p', a, u)
        qa = dd - d_u**2
        qb = d_a[tube] - d_u * a_u[:, None]  # d_perp . a_perp
        qc = np.einsum('pi,pi->p', a, a) - a_u**2 - r2[tube]
        disc = qb**2 - qa * qc[:, None]
        with np.errstate(invalid='ignore', divide='ignore'):
            t = (qb - np.sqrt(disc)) / qa
        s = t * d_u - a_u[:, None]
        cyl = np.full_like(d_a, np.inf)
        cyl[tube] = np.where(
            (disc >= 0) & (t > NEAR) & (s >= 0) & (s <= length[tube, None]), t,
            np.inf)
        hits.append(cyl)
    hits = np.minimum.reduce(hits)
    index = hits.argmin(0)
    return hits[index, np.arange(dirs.shape[0])], index


def _person_box(start, end, radius, K, size):
    """Pixel box (x0, y0, x1, y1) covering the capsules, or None."""
    pts = np.concatenate([start, end])
    z = pts[:, 2]
    if (z < NEAR + np.tile(radius, 2)).any():
        return 0, 0, size[0], size[1]
    uv = pts[:, :2] / z[:, None] * K[[0, 1], [0, 1]] + K[[0, 1], [2, 2]]
    pad = np.tile(radius, 2) * K[0, 0] / (z - np.tile(radius, 2)) + 1
    x0 = int(max(np.floor((uv[:, 0] - pad).min()), 0))
    y0 = int(max(np.floor((uv[:, 1] - pad).min()), 0))
    x1 = int(min(np.ceil((uv[:, 0] + pad).max()) + 1, size[0]))
    y1 = int(min(np.ceil((uv[:, 1] + pad).max()) + 1, size[1]))
    return (x0, y0, x1, y1) if x0 < x1 and y0 < y1 else None


def _albedo(person, parts, point_world, normal_world, forward):
    """Clothing colour [M, 3] of hit points: shirt stripes in world height,
    hair on the top and back of the head."""
    albedo = person['palette'][parts]
    if person['stripe_period'] > 0:
        stripe = (parts == SHIRT) & (np.sin(
            2 * np.pi * point_world[:, 2] / person['stripe_period']) > 0)
        albedo[stripe] = person['stripe_colour']
    hair = (parts == HEAD) & ((normal_world[:, 2] > 0.45) |
                              (normal_world @ forward < -0.2))
    albedo[hair] = person['palette'][HAIR]
    return albedo


def render_people(background, cam, rays, joints, people, ids=None):
    """Composite people over a background for one camera and frame.

    Args:
        background (np.ndarray): uint8 [H, W, 3] empty room of this camera.
        cam (dict): K, R, t, size (calibration schema, float arrays).
        rays (np.ndarray): [H, W, 3] from :func:`~.camera.pixel_rays`.
        joints (np.ndarray): [N, 17, 3] world joints (mm).
        people (list[dict]): from :func:`~.people.sample_people`.
        ids (np.ndarray, optional): int [N] mask id of each person (1..255),
            e.g. to render a subset of people under their own ids; default
            ``i + 1`` for person ``i``.

    Returns:
        tuple: image uint8 [H, W, 3] RGB and mask uint8 [H, W] (0 background,
        ``ids[i]`` = person i, nearest surface wins).
    """
    R, t, K = cam['R'], cam['t'], cam['K']
    image = background.copy()
    mask = np.zeros(background.shape[:2], np.uint8)
    zbuf = np.full(background.shape[:2], np.inf)
    if ids is None:
        ids = np.arange(1, len(people) + 1)
    for i, person in enumerate(people):
        start, end, radius, parts = body_capsules(joints[i], person['height'])
        start_c, end_c = start @ R.T + t, end @ R.T + t
        box = _person_box(start_c, end_c, radius, K, cam['size'])
        if box is None:
            continue
        x0, y0, x1, y1 = box
        dirs = rays[y0:y1, x0:x1].reshape(-1, 3)
        depth, index = intersect_capsules(dirs, start_c, end_c, radius)
        region = zbuf[y0:y1, x0:x1].reshape(-1)
        win = depth < region
        if not win.any():
            continue
        depth, index, dirs = depth[win], index[win], dirs[win]
        point = dirs * depth[:, None]
        axis = end_c[index] - start_c[index]
        along = np.einsum('mi,mi->m', point - start_c[index], axis) / \
            np.maximum(np.einsum('mi,mi->m', axis, axis), 1e-9)
        closest = start_c[index] + np.clip(along, 0, 1)[:, None] * axis
        normal = (point - closest) / radius[index, None]
        point_world = (point - t) @ R
        albedo = _albedo(person, parts[index], point_world, normal @ R,
                         forward_direction(joints[i]))
        rows, cols = np.divmod(np.flatnonzero(win), x1 - x0)
        rows, cols = rows + y0, cols + x0
        image[rows, cols] = lambert(albedo, normal @ R)
        mask[rows, cols] = ids[i]
        zbuf[rows, cols] = depth
    return image, mask
