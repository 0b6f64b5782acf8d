"""ProposalPrior: matched L1 pull towards background-subtraction proposals."""
import math

import torch

from nsd_toolkit.models.priors import ProposalPrior, proposals_to_boxes

WIDTH, HEIGHT = 100, 50


def test_proposal_conversion_matches_detector_convention():
    center, scale = proposals_to_boxes(
        torch.tensor([[25., 10., 75., 40.]]), WIDTH, HEIGHT, margin=1.0)
    torch.testing.assert_close(center, torch.tensor([[0.0, 0.0]]))
    torch.testing.assert_close(scale, torch.tensor([[0.5, 0.6]]))


def test_zero_at_the_proposals_whatever_the_slot_order():
    prior = ProposalPrior(loss_weight=1.0, margin=1.0)
    proposals = torch.tensor([[[0., 0., 50., 50.], [50., 0., 100., 50.],
                               [math.nan] * 4]])
    center, scale = proposals_to_boxes(proposals[:, :2], WIDTH, HEIGHT, 1.0)
    swapped = prior(center.flip(1), scale.flip(1), proposals, WIDTH, HEIGHT)
    assert swapped.item() == 0.0


def test_only_matched_slots_are_pulled_with_finite_gradients():
    prior = ProposalPrior(loss_weight=2.0, margin=1.0)
    proposals = torch.tensor([[[0., 0., 50., 50.], [math.nan] * 4],
                              [[math.nan] * 4, [math.nan] * 4]])
    center = torch.zeros(2, 2, 2, requires_grad=True)
    scale = torch.full((2, 2, 2), 0.5, requires_grad=True)
    with torch.no_grad():
        center[0, 1] = torch.tensor([-0.4, 0.1])  # slot 1 is the closer one
    loss = prior(center, scale, proposals, WIDTH, HEIGHT)
    # target: centre (-0.5, 0), scale (0.5, 1); slot 1 differs by 0.1, 0.1, 0, 0.5
    torch.testing.assert_close(loss, torch.tensor(2.0 * 0.7 / 4))
    loss.backward()
    assert torch.isfinite(center.grad).all() and torch.isfinite(scale.grad).all()
    assert center.grad[0, 1].abs().sum() > 0
    assert center.grad[0, 0].abs().sum() == 0 and center.grad[1].abs().sum() == 0


def test_no_proposals_gives_zero_with_a_graph():
    center = torch.zeros(1, 2, 2, requires_grad=True)
    loss = ProposalPrior()(center, torch.ones(1, 2, 2),
                           torch.full((1, 3, 4), math.nan), WIDTH, HEIGHT)
    assert loss.item() == 0.0
    loss.backward()
