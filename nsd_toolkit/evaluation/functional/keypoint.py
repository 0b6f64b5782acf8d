"""3D pose errors (MPJPE and its aligned variants).

All errors are in the unit of the inputs (the toolkit's data is in mm), never
rescaled here.
"""
import numpy as np

from nsd_toolkit.structures.array_utils import to_numpy

__all__ = ['keypoint_mpjpe', 'ALIGNMENTS', 'facing_directions',
           'facing_errors_deg', 'H36M_FACING_JOINTS']

ALIGNMENTS = ('none', 'scale', 'procrustes', 'linear')
#: (left hip, right hip, thorax) in the toolkit's Human3.6M joint order
H36M_FACING_JOINTS = (4, 1, 8)


def _align_scale(pred, gt, mask):
    """Per-sample least-squares scale s = <p, g> / <p, p> over valid joints."""
    w = mask[..., None]
    num = (pred * gt * w).sum(axis=(1, 2))
    den = (pred * pred * w).sum(axis=(1, 2))
    scale = np.divide(num, den, out=np.ones_like(num), where=den > 0)
    return pred * scale[:, None, None]


def _align_procrustes(pred, gt, mask):
    """Per-sample similarity transform (rotation, translation, scale)."""
    w = mask[..., None].astype(np.float64)
    count = np.maximum(w.sum(axis=1, keepdims=True), 1)
    mu_p = (pred * w).sum(axis=1, keepdims=True) / count
    mu_g = (gt * w).sum(axis=1, keepdims=True) / count
    p0 = (pred - mu_p) * w
    g0 = (gt - mu_g) * w
    h = np.einsum('kji,kjl->kil', p0, g0)  # [K, 3, 3] = p0^T g0
    u, s, vt = np.linalg.svd(h)
    v = np.swapaxes(vt, 1, 2)
    # no reflections: flip the last singular direction where det < 0
    sign = np.sign(np.linalg.det(v @ np.swapaxes(u, 1, 2)))
    sign[sign == 0] = 1
    d = np.ones_like(s)
    d[:, -1] = sign
    rot = (v * d[:, None, :]) @ np.swapaxes(u, 1, 2)  # R = V D U^T
    norm = (p0**2).sum(axis=(1, 2))
    scale = np.divide((s * d).sum(1), norm, out=np.ones_like(norm),
                      where=norm > 0)
    aligned = scale[:, None, None] * np.einsum('kil,kjl->kji', rot,
                                               pred - mu_p)
    return aligned + mu_g


def _align_linear(pred, gt, mask):
    """One J x J map M over joints for the whole set: pred_k -> M @ pred_k.

    Row j of M is fitted by least squares on the samples where joint j has
    ground truth (all three coordinates of all K samples otherwise).
    """
    num_joints = pred.shape[1]
    design = np.transpose(pred, (0, 2, 1))  # [K, 3, J]: rows pred_k[:, c]
    matrix = np.zeros((num_joints, num_joints))
    for j in range(num_joints):
        valid = mask[:, j]
        if not valid.any():
            continue
        a = design[valid].reshape(-1, num_joints)
        b = gt[valid, j, :].reshape(-1)
        matrix[j] = np.linalg.lstsq(a, b, rcond=None)[0]
    return np.einsum('ij,kjc->kic', matrix, pred)


_ALIGN = dict(
    none=lambda p, g, m: p,
    scale=_align_scale,
    procrustes=_align_procrustes,
    linear=_align_linear)


def keypoint_mpjpe(pred, gt, mask=None, alignment: str = 'none') -> float:
    """Mean per-joint position error, optionally after an alignment.

    Args:
        pred: [K, J, 3] predicted joints (numpy or torch).
        gt: [K, J, 3] ground truth in the same unit (mm in this toolkit).
        mask: bool [K, J], True where the ground-truth joint counts. None:
            every joint whose ground truth is finite (NaN marks unknown).
        alignment: ``'none'``; ``'scale'`` per-sample least-squares scale
            ``s = <p, g> / <p, p>`` over the valid joints (N-MPJPE, no
            centring, no 17/16 factor: mask the root to leave it out);
            ``'procrustes'`` per-sample similarity transform (P-MPJPE);
            ``'linear'`` one J x J linear map over joints fitted on the whole
            set by least squares (the paper's NMPJPE*).

    Returns:
        The mean Euclidean error over valid joints, as a float in the unit of
        the inputs; NaN when no joint is valid.
    """
    if alignment not in _ALIGN:
        raise ValueError(f'alignment must be one of {ALIGNMENTS}, '
                         f'got {alignment!r}')
    pred = to_numpy(pred, np.float64)
    gt = to_numpy(gt, np.float64)
    if pred.shape != gt.shape or pred.ndim != 3 or pred.shape[-1] != 3:
        raise ValueError('pred and gt must both be [K, J, 3], got '
                         f'{pred.shape} and {gt.shape}')
    finite = np.isfinite(gt).all(-1)
    if mask is None:
        mask = finite
    else:
        mask = to_numpy(mask).astype(bool)
        if mask.shape != pred.shape[:2]:
            raise ValueError(f'mask must be [K, J] = {pred.shape[:2]}, '
                             f'got {mask.shape}')
        mask = mask & finite
    if not mask.any():
        return float('nan')
    gt = np.where(mask[..., None], gt, 0.0)
    aligned = _ALIGN[alignment](pred, gt, mask)
    errors = np.linalg.norm(aligned - gt, axis=-1)
    return float(errors[mask].mean())


def facing_directions(poses, joints=H36M_FACING_JOINTS) -> np.ndarray:
    """Which way each body faces: the unit normal of its hip-thorax plane.

    Args:
        poses: [K, J, 3] joints (numpy or torch), any frame and unit.
        joints: indices of the (left hip, right hip, thorax).

    Returns:
        [K, 3] unit vectors ``(l_hip - r_hip) x (thorax - mid-hip)``
        normalised (forward for a person standing upright); NaN where the
        three joints are unknown or on one line.
    """
    poses = to_numpy(poses, np.float64)
    left, right, upper = (poses[:, index] for index in joints)
    forward = np.cross(left - right, upper - (left + right) / 2)
    norm = np.linalg.norm(forward, axis=-1, keepdims=True)
    return np.divide(forward, norm, out=np.full_like(forward, np.nan),
                     where=norm > 0)


def facing_errors_deg(pred, gt, joints=H36M_FACING_JOINTS) -> np.ndarray:
    """Angle between the predicted and true facing directions of each pose.

    Args:
        pred, gt: [K, J, 3] poses in one frame (numpy or torch).
        joints: indices of the (left hip, right hip, thorax).

    Returns:
        [K] angles in degrees in [0, 180] (:func:`facing_directions`); NaN
        where either direction is undefined. 180 is a person predicted
        facing the opposite way (or mirrored left to right).
    """
    cosine = (facing_directions(pred, joints) *
              facing_directions(gt, joints)).sum(-1)
    return np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0)))
