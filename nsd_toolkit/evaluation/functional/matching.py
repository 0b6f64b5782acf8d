"""Optimal one-to-one assignment of predictions to ground truth."""
import numpy as np
from scipy.optimize import linear_sum_assignment

from ._utils import to_numpy

__all__ = ['match_instances']


def match_instances(scores, maximize: bool = True) -> np.ndarray:
    """Hungarian matching of K predictions to L ground-truth instances.

    Args:
        scores: [K, L] similarity (e.g. IoU, ``maximize=True``) or cost
            (``maximize=False``). NaN entries count as the worst value.
        maximize: Maximise the summed score (IoU) instead of minimising it.

    Returns:
        int64 [P, 2] pairs ``(prediction index, gt index)``, P = min(K, L),
        sorted by gt index.
    """
    s = to_numpy(scores, np.float64)
    if s.ndim != 2:
        raise ValueError(f'scores must be [K, L], got shape {s.shape}')
    if s.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    finite = s[np.isfinite(s)]
    if finite.size == 0:
        s = np.zeros_like(s)
    elif not np.isfinite(s).all():
        worst = finite.min() - 1 if maximize else finite.max() + 1
        s = np.where(np.isfinite(s), s, worst)
    rows, cols = linear_sum_assignment(s, maximize=maximize)
    pairs = np.stack([rows, cols], axis=1).astype(np.int64)
    return pairs[np.argsort(pairs[:, 1], kind='stable')]
