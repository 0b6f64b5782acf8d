"""PoseLoss: masked mean squared error in loss units."""
import pytest
import torch

from nsd_toolkit.models.losses import PoseLoss


def test_mean_over_known_coordinates_in_units():
    pred = torch.tensor([[[1000.0, 0.0, 0.0], [0.0, 2000.0, 0.0]]],
                        requires_grad=True)
    target = torch.tensor([[[0.0, 0.0, 0.0], [0.0, float('nan'), 0.0]]])
    loss = PoseLoss(loss_weight=2.0, unit=1000.0)(pred, target)
    # known: 5 coordinates, squared errors in metres: 1, 0, 0, 0, 0
    assert loss.item() == pytest.approx(2.0 * 1.0 / 5)
    loss.backward()
    assert pred.grad[0, 1, 1] == 0 and pred.grad[0, 0, 0] > 0


def test_nothing_known_gives_zero_with_a_graph():
    pred = torch.ones(2, 3, 3, requires_grad=True)
    loss = PoseLoss()(pred, torch.full((2, 3, 3), float('nan')))
    assert loss.item() == 0.0
    loss.backward()
    assert torch.equal(pred.grad, torch.zeros_like(pred))
