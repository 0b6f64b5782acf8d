"""Conversion helpers shared by the metric functions."""
import numpy as np


def to_numpy(x, dtype=None) -> np.ndarray:
    """numpy array of ``x`` (torch tensors are detached and moved to CPU)."""
    if hasattr(x, 'detach'):
        x = x.detach().cpu().numpy()
    return np.asarray(x, dtype=dtype)
