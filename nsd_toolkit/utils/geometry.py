"""Camera geometry shared by datasets, models and metrics.

Conventions (docs/en/advanced_guides/design.md): world-to-camera
``x_cam = R @ X_world + t``; pixels ``K @ x_cam / z`` with integer coordinates
at pixel centres (OpenCV's lens distortion applied to ``x_cam / z`` first where
a calibration has ``dist``).
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


def axis_angle_to_matrix(axis, angle):
    """Rotations by ``angle`` about ``axis`` (Rodrigues' formula).

    Args:
        axis: unit vectors [..., 3].
        angle: radians [...] (right-handed about ``axis``).

    Returns:
        [..., 3, 3] matrices acting on column vectors, of ``axis``'s type
        (numpy array or torch tensor), dtype and device.
    """
    torch_input = isinstance(axis, torch.Tensor)
    lib = torch if torch_input else np
    x, y, z = axis[..., 0], axis[..., 1], axis[..., 2]
    zero = lib.zeros_like(x)
    cross = lib.stack([
        lib.stack([zero, -z, y], -1),
        lib.stack([z, zero, -x], -1),
        lib.stack([-y, x, zero], -1)
    ], -2)
    eye = (torch.eye(3, dtype=axis.dtype, device=axis.device)
           if torch_input else np.eye(3, dtype=axis.dtype))
    sin = lib.sin(angle)[..., None, None]
    cos = lib.cos(angle)[..., None, None]
    return (cos * eye + sin * cross +
            (1 - cos) * axis[..., :, None] * axis[..., None, :])


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


def triangulate_rays(origins, directions):
    """Least-squares point nearest to K rays (numpy).

    Minimises the summed squared distance to the lines; rays with a NaN are
    left out.

    Args:
        origins: [..., K, 3] ray origins (world units).
        directions: [..., K, 3] non-zero ray directions.

    Returns:
        np.ndarray [..., 3]: the point; NaN where fewer than two rays are
        valid or they are (nearly) parallel.
    """
    origins = np.asarray(origins, np.float64)
    directions = np.asarray(directions, np.float64)
    directions = directions / np.linalg.norm(directions, axis=-1,
                                             keepdims=True)
    valid = np.isfinite(origins).all(-1) & np.isfinite(directions).all(-1)
    directions = np.where(valid[..., None], directions, 0.0)
    origins = np.where(valid[..., None], origins, 0.0)
    # distance to a line: |(I - d d^T)(X - o)|; the normal equations sum it
    normal = np.eye(3) - directions[..., :, None] * directions[..., None, :]
    normal = normal * valid[..., None, None]  # [..., K, 3, 3]
    A = normal.sum(axis=-3)
    b = (normal @ origins[..., None]).sum(axis=-3)  # [..., 3, 1]
    solvable = (valid.sum(-1) >= 2) & (np.linalg.cond(A) < 1e8)
    A = np.where(solvable[..., None, None], A, np.eye(3))
    points = np.linalg.solve(A, b)[..., 0]
    return np.where(solvable[..., None], points, np.nan)


def box_center_depths(boxes, K, R, t):
    """Depth of each person in every view from their boxes in all views.

    A self-supervised geometric cue (no labels, calibrated cameras): the
    rays through a person's box centres in the views that see them are
    triangulated and the point's camera depth is returned for every view.
    It stays informative where a box's lower edge does not (feet cut by
    the image border or hidden), but a box cut by the border shifts its
    centre, and lens distortion is ignored. Numpy; leading dimensions
    ``...`` (e.g. samples) broadcast.

    Args:
        boxes: [..., V, P, 4] xyxy boxes in pixel-edge coordinates
            (:func:`masks_to_bboxes`) of the same P people in V views, NaN
            where a person is not seen.
        K, R, t: [..., V, 3, 3], [..., V, 3, 3], [..., V, 3] intrinsics and
            world-to-camera extrinsics of the views.

    Returns:
        np.ndarray [..., V, P]: camera depth (world units, e.g. mm) of each
        person's triangulated centre; NaN for people seen in fewer than two
        views.
    """
    boxes, K, R, t = (np.asarray(x, np.float64) for x in (boxes, K, R, t))
    centers = (boxes[..., :2] + boxes[..., 2:]) / 2 - 0.5  # pixel centres
    pixels = np.concatenate([centers, np.ones_like(centers[..., :1])], -1)
    rays_cam = pixels @ np.linalg.inv(K).swapaxes(-1, -2)  # [..., V, P, 3]
    rays_world = rays_cam @ R  # R^T applied to each row
    eyes = -(R.swapaxes(-1, -2) @ t[..., None])[..., 0]  # [..., V, 3]
    origins = np.broadcast_to(eyes[..., None, :], rays_world.shape)
    points = triangulate_rays(origins.swapaxes(-3, -2),
                              rays_world.swapaxes(-3, -2))  # [..., P, 3]
    return world_to_camera(points[..., None, :, :], R, t)[..., 2]
