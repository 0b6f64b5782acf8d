import itertools

import pytest
import torch
from torch import nn

from nsd_toolkit.utils import complexity
from nsd_toolkit.utils.complexity import (loss_forward_flops,
                                          matmul_flops_per_second,
                                          random_train_inputs)


class LinearModel(nn.Module):
    """A 'model' whose loss is one linear layer (named like a component)."""

    proposal_prior = None

    def __init__(self):
        super().__init__()
        self.decoder = nn.Linear(6, 5)

    def loss(self, inputs):
        out = self.decoder(inputs['img'].flatten(1)[:, :6])
        return dict(loss_a=out.sum(), loss_b=out.mean())


def test_flops_are_twice_the_multiply_adds_per_component():
    inputs = dict(img=torch.randn(4, 2, 3, 2, 2))
    flops = loss_forward_flops(LinearModel(), inputs)
    # 4 rows x 6 inputs x 5 outputs multiply-adds, 2 FLOPs each
    assert flops == dict(total=2 * 4 * 6 * 5, decoder=2 * 4 * 6 * 5)


def test_random_train_inputs_match_the_model():
    class WithProposals(LinearModel):
        proposal_prior = object()
        detector = type('Detector', (), dict(num_people=3))

    inputs = random_train_inputs(WithProposals(), 2, 16, 8)
    assert inputs['img'].shape == (2, 2, 3, 8, 16)
    assert inputs['background'].shape == (2, 2, 3, 8, 16)
    rotation = inputs['R']
    torch.testing.assert_close(rotation @ rotation.transpose(-1, -2),
                               torch.eye(3).expand(2, 2, 3, 3))
    boxes = inputs['proposals']
    assert boxes.shape == (2, 2, 3, 4)
    assert (boxes[..., 2:] >= boxes[..., :2]).all()
    assert boxes[..., 0::2].max() <= 16 and boxes[..., 1::2].max() <= 8
    assert 'proposals' not in random_train_inputs(LinearModel(), 2, 16, 8)


def test_matmul_rate_is_the_median(monkeypatch):
    # perf_counter pairs 0.5 s apart for every product: 2 n^3 / 0.5
    ticks = itertools.count(step=0.5)
    monkeypatch.setattr(complexity.time, 'perf_counter',
                        lambda: next(ticks))
    rate = matmul_flops_per_second(torch.device('cpu'), size=8, iters=3)
    assert rate == pytest.approx(2 * 8**3 / 0.5)
