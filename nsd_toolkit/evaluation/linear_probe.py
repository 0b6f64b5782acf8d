"""Linear probe of a representation: ridge regression to 3D pose."""
from typing import Dict, Sequence, Tuple

import numpy as np

__all__ = ['RidgeProbe', 'choose_ridge_probe']


class RidgeProbe:
    """Ridge regression from standardised features to flattened targets.

    Args:
        alpha (float): L2 penalty on the weights of the standardised
            features (> 0).
    """

    def __init__(self, alpha: float):
        if not alpha > 0:
            raise ValueError(f'RidgeProbe: alpha must be > 0, got {alpha}')
        self.alpha = float(alpha)

    def fit(self, features: np.ndarray, targets: np.ndarray) -> 'RidgeProbe':
        """Fit on ``features`` [K, F] and ``targets`` [K, ...] (any shape
        after the first axis)."""
        features = np.asarray(features, np.float64)
        self._target_shape = np.shape(targets)[1:]
        targets = np.asarray(targets, np.float64).reshape(len(features), -1)
        self._mean = features.mean(0)
        self._std = features.std(0) + 1e-8  # constant features stay 0
        self._target_mean = targets.mean(0)
        x = (features - self._mean) / self._std
        gram = x.T @ x + self.alpha * np.eye(x.shape[1])
        self._weights = np.linalg.solve(gram,
                                        x.T @ (targets - self._target_mean))
        return self

    def predict(self, features: np.ndarray) -> np.ndarray:
        """Targets [K, ...] of ``features`` [K, F]."""
        x = (np.asarray(features, np.float64) - self._mean) / self._std
        out = x @ self._weights + self._target_mean
        return out.reshape(len(out), *self._target_shape)


def choose_ridge_probe(train: Tuple[np.ndarray, np.ndarray],
                       val: Tuple[np.ndarray, np.ndarray],
                       alphas: Sequence[float]
                       ) -> Tuple[RidgeProbe, Dict[float, float]]:
    """The probe of the penalty with the lowest validation MPJPE.

    Args:
        train, val: ``(features [K, F], poses [K, J, 3])`` (mm).
        alphas: penalties tried.

    Returns:
        tuple: the probe fitted on ``train`` with the chosen penalty, and
        the validation MPJPE (mm, mean joint distance) of every penalty.
    """
    errors, probes = {}, {}
    for alpha in alphas:
        probes[alpha] = RidgeProbe(alpha).fit(*train)
        pred = probes[alpha].predict(val[0])
        errors[alpha] = float(np.linalg.norm(pred - val[1], axis=-1).mean())
    best = min(errors, key=errors.get)
    return probes[best], errors
