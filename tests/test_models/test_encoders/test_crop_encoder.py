import torch

from nsd_toolkit.registry import MODELS


def build(**backbone):
    trunk = dict(type='ResNetTrunk', depth=18, num_stages=3, base_channels=8)
    return MODELS.build(
        dict(type='CropEncoder', backbone=dict(trunk, **backbone),
             appearance_dim=16, num_points=10, head_channels=(16, 8)))


def test_output_shapes():
    enc = build()
    appearance, points = enc(torch.randn(5, 3, 64, 48))
    assert appearance.shape == (5, 16)
    assert points.shape == (5, 10, 3)


def test_resnet50_backbone_shapes():
    enc = build(depth=50, num_stages=2)
    assert enc.backbone.out_channels == 8 * 2 * 4
    appearance, points = enc(torch.randn(2, 3, 32, 32))
    assert appearance.shape == (2, 16) and points.shape == (2, 10, 3)


def test_frozen_stages_not_updated():
    enc = build(frozen_stages=2)
    enc.train()
    before = {k: v.clone() for k, v in enc.state_dict().items()}
    opt = torch.optim.Adam(
        [p for p in enc.parameters() if p.requires_grad], lr=0.1)
    appearance, points = enc(torch.randn(4, 3, 32, 32))
    (appearance.pow(2).sum() + points.pow(2).sum()).backward()
    opt.step()
    after = enc.state_dict()
    frozen = ('backbone.conv1', 'backbone.bn1', 'backbone.layer1',
              'backbone.layer2')
    for k, v in before.items():
        if k.startswith(frozen):
            assert torch.equal(after[k], v), k
    assert not torch.equal(after['backbone.layer3.0.conv1.weight'],
                           before['backbone.layer3.0.conv1.weight'])
    assert not enc.backbone.layer2[0].bn1.training
    assert enc.backbone.layer3[0].bn1.training
