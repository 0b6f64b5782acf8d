"""Ridge probe: a hand-computed fit, exact recovery and the choice on val."""
import numpy as np
import pytest

from nsd_toolkit.evaluation import RidgeProbe, choose_ridge_probe


def test_hand_computed_penalised_fit():
    """x = -1, 1 (standardised as is), y = -1, 1: w = x.y / (x.x + alpha)
    = 2 / (2 + 2) = 0.5 at alpha 2, so x = 1 predicts 0.5."""
    x = np.array([[-1.0], [1.0]])
    y = np.array([[[-1.0, -2.0, 0.0]], [[1.0, 2.0, 0.0]]])  # [K, J=1, 3]
    probe = RidgeProbe(alpha=2.0).fit(x, y)
    pred = probe.predict(np.array([[1.0], [3.0]]))
    assert pred.shape == (2, 1, 3)
    np.testing.assert_allclose(pred[0, 0], [0.5, 1.0, 0.0])
    np.testing.assert_allclose(pred[1, 0], [1.5, 3.0, 0.0])


def test_linear_poses_are_recovered_and_constant_features_ignored():
    rng = np.random.default_rng(0)
    weights = rng.normal(size=(4, 2 * 3))
    x = np.concatenate([rng.normal(size=(50, 4)), np.ones((50, 1))], 1)
    y = (x[:, :4] @ weights + 7.0).reshape(50, 2, 3)
    probe = RidgeProbe(alpha=1e-6).fit(x[:40], y[:40])
    pred = probe.predict(x[40:])
    assert np.isfinite(pred).all()
    np.testing.assert_allclose(pred, y[40:], atol=1e-4)


def test_penalty_is_chosen_on_validation():
    rng = np.random.default_rng(1)
    weights = rng.normal(size=(8, 3))
    x = rng.normal(size=(60, 8))
    clean = (x @ weights).reshape(60, 1, 3)
    # clean poses: the least penalised fit wins
    probe, errors = choose_ridge_probe((x[:40], clean[:40]),
                                       (x[40:], clean[40:]), [0.01, 1, 100])
    assert probe.alpha == 0.01 and set(errors) == {0.01, 1, 100}
    assert errors[0.01] < errors[1] < errors[100]
    # features unrelated to the poses: shrinking to the mean wins
    noise = rng.normal(size=(60, 1, 3))
    probe, errors = choose_ridge_probe((x[:40], noise[:40]),
                                       (x[40:], noise[40:]), [0.01, 1e6])
    assert probe.alpha == 1e6 and errors[1e6] < errors[0.01]


@pytest.mark.parametrize('alpha', [0, -1])
def test_penalty_must_be_positive(alpha):
    with pytest.raises(ValueError, match='alpha must be > 0'):
        RidgeProbe(alpha)
