import pytest
import torch

from nsd_toolkit.models.losses import standardize_like
from nsd_toolkit.registry import MODELS

RESNET18_LAYER2 = dict(type='ResNetTrunk', depth=18, num_stages=2)


def test_pixel_loss_value():
    loss = MODELS.build(dict(type='PixelLoss', loss_weight=2.0))
    pred, target = torch.zeros(2, 3, 4, 4), torch.ones(2, 3, 4, 4)
    assert loss(pred, target).item() == pytest.approx(2.0)


@pytest.mark.parametrize('type_', ['PixelLoss', 'PerceptualLoss'])
def test_standardize_invariance(type_):
    cfg = dict(type=type_, standardize=True)
    if type_ == 'PerceptualLoss':
        cfg['backbone'] = RESNET18_LAYER2
    loss = MODELS.build(cfg)
    target = torch.randn(2, 3, 32, 32)
    a = torch.tensor([2., 0.5, 3.])[None, :, None, None]
    b = torch.tensor([-1., 4., 0.2])[None, :, None, None]
    assert loss(a * target + b, target).item() < 1e-6
    plain = MODELS.build(dict(cfg, standardize=False))
    assert plain(a * target + b, target).item() > 1e-2


def test_standardize_like_statistics():
    pred, target = torch.randn(2, 3, 8, 8) * 5 + 2, torch.randn(2, 3, 8, 8)
    out = standardize_like(pred, target)
    assert torch.allclose(out.mean((-2, -1)), target.mean((-2, -1)), atol=1e-5)
    assert torch.allclose(out.std((-2, -1)), target.std((-2, -1)), atol=1e-4)


def test_perceptual_loss_frozen_and_zero_for_identical():
    loss = MODELS.build(
        dict(type='PerceptualLoss', backbone=RESNET18_LAYER2, loss_weight=2.0))
    assert loss.backbone.out_channels == 128  # up to layer2 of resnet18
    assert not any(p.requires_grad for p in loss.parameters())
    loss.train()
    assert not any(m.training for m in loss.backbone.modules())
    img = torch.randn(2, 3, 32, 32)
    assert loss(img, img).item() == 0
    before = {k: v.clone() for k, v in loss.state_dict().items()}
    pred = torch.randn(2, 3, 32, 32, requires_grad=True)
    value = loss(pred, img)
    value.backward()
    assert value.item() > 0 and pred.grad.abs().sum() > 0
    for k, v in loss.state_dict().items():  # running statistics untouched
        assert torch.equal(v, before[k]), k


def test_perceptual_loss_layers():
    loss = MODELS.build(
        dict(type='PerceptualLoss',
             backbone=dict(RESNET18_LAYER2, num_stages=0),
             layers=('relu', )))
    assert loss.backbone.out_channels == 64
    assert not hasattr(loss.backbone, 'layer1')
    pred, target = torch.randn(1, 3, 16, 16), torch.randn(1, 3, 16, 16)
    feats = loss.backbone.layer_outputs
    expected = torch.nn.functional.mse_loss(
        feats(pred, ('relu', ))[0], feats(target, ('relu', ))[0]) * 2.0
    assert loss(pred, target).item() == pytest.approx(expected.item())
