"""Viewing rays of pixels and how well a 3D point fits a bundle of them.

Camera convention of :mod:`nsd_toolkit.utils.geometry`: world-to-camera
``x_cam = R @ X + t`` (mm), pixels ``K @ x_cam / z`` with integer coordinates
at pixel centres. Lens distortion is not modelled: pass undistorted pixels.
"""
import numpy as np

from nsd_toolkit.utils.geometry import triangulate_rays


def unit_vectors(vectors):
    """Vectors [..., D] scaled to length 1 (zero vectors stay zero)."""
    vectors = np.asarray(vectors, np.float64)
    return vectors / np.maximum(
        np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-12)


def box_centers(boxes):
    """Centres [..., 2] (pixel-centre coordinates) of xyxy boxes [..., 4] in
    pixel-edge coordinates, as in :func:`~nsd_toolkit.utils.geometry.
    box_center_depths`."""
    boxes = np.asarray(boxes, np.float64)
    return (boxes[..., :2] + boxes[..., 2:]) / 2 - 0.5


def pixel_rays(pixels, K, R, t):
    """World rays through pixels.

    Args:
        pixels: [..., V, 2] pixel coordinates, one per camera.
        K, R, t: [V, 3, 3], [V, 3, 3], [V, 3] intrinsics and world-to-camera
            extrinsics.

    Returns:
        tuple: origins [..., V, 3] (camera centres, mm) and unit directions
        [..., V, 3] pointing forward (into the scene).
    """
    K, R, t = (np.asarray(x, np.float64) for x in (K, R, t))
    pixels = np.asarray(pixels, np.float64)
    homogeneous = np.concatenate([pixels, np.ones_like(pixels[..., :1])], -1)
    rays_cam = (np.linalg.inv(K) @ homogeneous[..., None])[..., 0]
    directions = unit_vectors(
        (R.swapaxes(-1, -2) @ rays_cam[..., None])[..., 0])
    origins = -(R.swapaxes(-1, -2) @ t[..., None])[..., 0]
    return np.broadcast_to(origins, directions.shape), directions


def ray_residuals(points, origins, directions):
    """Distance (mm) of points to rays and whether they lie in front.

    Args:
        points: [..., 3] world points.
        origins, directions: [..., K, 3] rays (unit directions).

    Returns:
        tuple: distances [..., K] and bool [..., K], True where the point is
        in front of the ray's camera (positive ray parameter).
    """
    offsets = np.asarray(points)[..., None, :] - origins
    along = (offsets * directions).sum(-1)
    across = offsets - along[..., None] * directions
    return np.linalg.norm(across, axis=-1), along > 0


def fit_rays(origins, directions):
    """Least-squares point of rays and its worst residual.

    Args:
        origins, directions: [..., K, 3] rays (unit directions; NaN rays are
            left out).

    Returns:
        tuple: point [..., 3] (NaN where unsolvable) and the largest distance
        (mm) from it to a valid ray [...], +inf where the point is behind a
        camera or unsolvable.
    """
    point = triangulate_rays(origins, directions)
    distance, in_front = ray_residuals(point, origins, directions)
    valid = np.isfinite(distance)
    bad = (valid & ~in_front).any(-1) | ~np.isfinite(point).all(-1)
    worst = np.where(valid, distance, 0.0).max(-1)
    return point, np.where(bad, np.inf, worst)
