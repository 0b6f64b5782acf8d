import numpy as np
import pytest
import torch

from nsd_toolkit.models.priors import expected_box_scale
from nsd_toolkit.registry import MODELS


def prior():
    return MODELS.build(
        dict(type='BoxPrior', loss_weight=0.1, aspect=1.5, scale_target=0.4))


def test_zero_at_target():
    ratio = 16 / 9
    center = torch.tensor([[[0.5, -0.2]], [[-0.5, 0.2]]])  # batch mean 0
    scale = torch.tensor([[[0.4 / (ratio * 1.5), 0.4]]]).expand(2, 1, 2)
    assert prior()(center, scale, ratio).item() == pytest.approx(0, abs=1e-12)


def test_value_away_from_target():
    center = torch.tensor([[[0.2, 0.0]]])
    scale = torch.tensor([[[0.4 / 1.5, 0.6]]])
    # mean over (x, y) of (0.2 * 1.5)^2, 0 and 0, (0.6 - 0.4)^2
    expected = 0.1 * ((0.3**2 + 0) / 2 + (0 + 0.2**2) / 2)
    assert prior()(center, scale, 1.0).item() == pytest.approx(expected)


def test_independent_slots():
    center = torch.tensor([[[0.3, 0.0], [-0.3, 0.0]]])  # slots do not cancel
    scale = torch.full((1, 2, 2), 0.4)
    assert prior()(center, scale, 1 / 1.5).item() > 0


def test_expected_box_scale_analytic():
    f, dist, W, H = 1000., 5000., 1000, 800
    K = np.array([[f, 0, W / 2], [0, f, H / 2], [0, 0, 1]])
    # camera looking along world +y from (0, -dist, 0), world z up
    R = np.array([[1., 0, 0], [0, 0, -1], [0, 1, 0]])
    t = -R @ np.array([0., -dist, 0])
    sx, sy = expected_box_scale(K, R, t, (W, H), person_height=1750.)
    height_px = f * 1750 / dist
    assert sy == pytest.approx(height_px / H)
    assert sx == pytest.approx(height_px / (1.5 * W))
    with pytest.raises(ValueError):
        expected_box_scale(K, R, -t, (W, H))
