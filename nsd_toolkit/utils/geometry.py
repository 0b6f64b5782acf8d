"""Camera geometry shared by datasets, models and metrics.

Conventions (DESIGN.md): world-to-camera ``x_cam = R @ X_world + t``; pixels
``K @ x_cam / z`` with integer coordinates at pixel centres (OpenCV's lens
distortion applied to ``x_cam / z`` first where a calibration has ``dist``).
All functions accept torch tensors or numpy arrays and broadcast over leading
dimensions.
"""
import numpy as np
import torch


def relative_rotation(R_src, R_tgt):
    """Rotation from camera ``src``'s frame to camera ``tgt``'s frame.

    Args:
        R_src, R_tgt: world-to-camera rotations [..., 3, 3].

    Returns:
        ``R_tgt @ R_src^T`` [..., 3, 3]: a direction ``x_src`` in the source
        camera's frame is ``R @ x_src`` in the target camera's frame.
    """
    return R_tgt @ R_src.swapaxes(-1, -2)


def world_to_camera(points, R, t):
    """Points [..., P, 3] in world units -> camera frame [..., P, 3].

    ``R`` is [..., 3, 3] and ``t`` [..., 3] (world-to-camera).
    """
    return points @ R.swapaxes(-1, -2) + t[..., None, :]


def apply_distortion(xy, dist):
    """OpenCV's lens model on normalised image coordinates.

    Args:
        xy: undistorted ``(x / z, y / z)`` [..., P, 2].
        dist: ``(k1, k2, p1, p2, k3)`` [..., 5] (radial k, tangential p),
            leading dimensions broadcasting with those of ``xy``.

    Returns:
        Distorted normalised coordinates [..., P, 2]. The polynomial is a
        model of the calibrated field of view; far outside it, points may
        fold back towards the image.
    """
    x, y = xy[..., 0], xy[..., 1]
    k1, k2, p1, p2, k3 = (dist[..., i, None] for i in range(5))
    r2 = x * x + y * y
    radial = 1 + r2 * (k1 + r2 * (k2 + r2 * k3))
    x_d = x * radial + 2 * p1 * x * y + p2 * (r2 + 2 * x * x)
    y_d = y * radial + p1 * (r2 + 2 * y * y) + 2 * p2 * x * y
    if isinstance(xy, torch.Tensor):
        return torch.stack([x_d, y_d], dim=-1)
    return np.stack([x_d, y_d], axis=-1)


def project_points(points, K, R, t, dist=None):
    """Project world points [..., P, 3] to pixels [..., P, 2].

    ``K`` [..., 3, 3] intrinsics, ``R`` [..., 3, 3], ``t`` [..., 3]
    world-to-camera, ``dist`` [..., 5] optional lens distortion
    ``(k1, k2, p1, p2, k3)`` applied as in ``cv2.projectPoints``
    (:func:`apply_distortion`; None or zeros: pinhole). ``K``'s last row
    must be ``(0, 0, 1)``; unlike OpenCV, a skew ``K[0, 1]`` is honoured.
    Points behind the camera are projected as well (their depth is
    negative).
    """
    x_cam = world_to_camera(points, R, t)
    if dist is None:
        uvw = x_cam @ K.swapaxes(-1, -2)
        return uvw[..., :2] / uvw[..., 2:]
    xy = apply_distortion(x_cam[..., :2] / x_cam[..., 2:], dist)
    return xy @ K[..., :2, :2].swapaxes(-1, -2) + K[..., None, :2, 2]


def scale_intrinsics(K, scale_x, scale_y):
    """Intrinsics [..., 3, 3] of an image resized by ``(scale_x, scale_y)``.

    Uses the pixel-centre convention of ``cv2.resize``: a point at ``u`` in the
    source lies at ``(u + 0.5) * scale_x - 0.5`` in the resized image. The
    scales may be arrays (e.g. [V], one per view) broadcasting with ``K``'s
    leading dimensions.
    """
    scale_x, scale_y = np.broadcast_arrays(
        np.asarray(scale_x, float), np.asarray(scale_y, float))
    S = np.zeros(scale_x.shape + (3, 3))
    S[..., 0, 0], S[..., 0, 2] = scale_x, 0.5 * scale_x - 0.5
    S[..., 1, 1], S[..., 1, 2] = scale_y, 0.5 * scale_y - 0.5
    S[..., 2, 2] = 1.0
    if isinstance(K, torch.Tensor):
        S = torch.as_tensor(S, dtype=K.dtype, device=K.device)
    else:
        S = S.astype(K.dtype)
    return S @ K


def masks_to_bboxes(masks, num_people):
    """Boxes of each person's instance mask.

    Args:
        masks (Tensor): instance ids [..., H, W] (0 background, ``i + 1``
            person ``i``).
        num_people (int): N, the number of boxes per image.

    Returns:
        Tensor [..., N, 4] float32 xyxy in pixel-edge coordinates: a mask
        covering columns ``a..b`` gives ``x1 = a, x2 = b + 1`` (a full-frame
        mask is ``[0, 0, W, H]``, matching ``(x_norm + 1) / 2 * W`` for
        ``align_corners=False``). Rows of people absent from an image are NaN.
    """
    ids = torch.arange(1, num_people + 1, device=masks.device)
    person = masks[..., None, :, :] == ids[:, None, None]  # [..., N, H, W]
    cols = person.any(dim=-2)  # [..., N, W]
    rows = person.any(dim=-1)  # [..., N, H]

    def extent(occupied):
        size = occupied.shape[-1]
        first = occupied.int().argmax(dim=-1)
        last = size - occupied.flip(-1).int().argmax(dim=-1)
        return first, last

    x1, x2 = extent(cols)
    y1, y2 = extent(rows)
    boxes = torch.stack([x1, y1, x2, y2], dim=-1).float()
    return boxes.masked_fill(~cols.any(dim=-1)[..., None], float('nan'))
