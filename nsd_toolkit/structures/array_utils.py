"""Conversion helpers shared by the metric functions."""
import numpy as np


def to_numpy(x, dtype=None) -> np.ndarray:
    """numpy array of ``x`` (torch tensors are detached and moved to CPU)."""
    if hasattr(x, 'detach'):
        x = x.detach().cpu().numpy()
    return np.asarray(x, dtype=dtype)


def joints_in_front(keypoints, joints_cam):
    """Pixels [..., J, 2] float64 and a mask [..., J] of the joints that are
    finite and in front of the camera (camera-frame z > 0)."""
    xy = to_numpy(keypoints, np.float64)
    z = to_numpy(joints_cam, np.float64)[..., 2]
    return xy, np.isfinite(xy).all(-1) & (np.nan_to_num(z, nan=-1.0) > 0)
