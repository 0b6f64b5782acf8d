import pytest
import torch
import torchvision

from nsd_toolkit.models.backbones import TorchvisionBackbone
from nsd_toolkit.registry import MODELS


def test_features_model_is_cut_at_out_stage_with_torchvision_keys():
    backbone = TorchvisionBackbone('mobilenet_v3_small', out_stage=3)
    reference = torchvision.models.mobilenet_v3_small(weights=None)
    ours = {k: v.shape for k, v in backbone.state_dict().items()}
    theirs = {k: v.shape for k, v in reference.state_dict().items()
              if k.split('.')[:2] in [['features', str(i)] for i in range(4)]}
    assert ours == theirs
    assert [name for name, _ in backbone.named_layers()] == [
        'features.0', 'features.1', 'features.2', 'features.3']
    out = backbone(torch.randn(2, 3, 64, 96))
    assert out.shape == (2, backbone.out_channels, 8, 12)
    assert backbone.out_channels == reference.features[3].out_channels


def test_model_without_features_drops_pooling_and_classifier():
    backbone = TorchvisionBackbone('resnet18')
    assert [name for name, _ in backbone.named_layers()][-1] == 'layer4'
    assert backbone.out_channels == 512
    assert not hasattr(backbone, 'fc') and not hasattr(backbone, 'avgpool')


def test_pretrained_weights_load_into_widened_first_conv(tmp_path):
    reference = torchvision.models.mobilenet_v3_small(weights=None)
    path = tmp_path / 'mobilenet.pth'
    torch.save(reference.state_dict(), path)
    backbone = TorchvisionBackbone(
        'mobilenet_v3_small', out_stage=2, in_channels=6,
        init_cfg=dict(type='Pretrained', checkpoint=str(path)))
    backbone.init_weights()
    first = backbone.features[0][0].weight
    assert first.shape[1] == 6
    assert torch.equal(first[:, :3], reference.features[0][0].weight)
    assert torch.all(first[:, 3:] == 0)
    assert torch.equal(backbone.features[2].block[0][0].weight,
                       reference.features[2].block[0][0].weight)


def test_frozen_stages_and_named_features():
    backbone = TorchvisionBackbone('mobilenet_v3_small', out_stage=4,
                                   frozen_stages=1).train()
    frozen = [p.requires_grad for p in backbone.features[:2].parameters()]
    assert frozen and not any(frozen)
    assert all(p.requires_grad for p in backbone.features[2].parameters())
    assert not backbone.features[1].training
    assert backbone.features[2].training
    x = torch.randn(1, 3, 64, 64)
    early, last = backbone.layer_outputs(x, ('features.1', 'features.4'))
    assert early.shape[1] == 16 and last.shape[1] == backbone.out_channels


@pytest.mark.parametrize('kwargs, match', [
    (dict(name='no_such_net'), 'unknown torchvision model'),
    (dict(name='mobilenet_v3_small', out_stage=13), 'out_stage'),
    (dict(name='mobilenet_v3_small', out_stage=2, frozen_stages=3),
     'frozen_stages'),
])
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MODELS.build(dict(type='TorchvisionBackbone', **kwargs))


def test_detector_and_encoder_read_the_backbone_width():
    backbone = dict(type='TorchvisionBackbone', name='mobilenet_v3_small',
                    out_stage=3)
    detector = MODELS.build(
        dict(type='BoxDetector', backbone=backbone, num_people=2,
             input_size=(64, 96), use_background_diff=True,
             head_channels=(16, 8)))
    assert detector.backbone.in_channels == 6
    assert detector.head.convs[0].in_channels == 24
    boxes = detector(torch.randn(2, 3, 60, 80), torch.randn(2, 3, 60, 80))
    assert boxes['center'].shape == (2, 2, 2)
    encoder = MODELS.build(
        dict(type='CropEncoder', backbone=backbone, appearance_dim=8,
             num_points=5, head_channels=(16, 8)))
    appearance, points = encoder(torch.randn(3, 3, 32, 32))
    assert appearance.shape == (3, 8) and points.shape == (3, 5, 3)


def test_detector_refuses_a_conflicting_backbone_in_channels():
    with pytest.raises(ValueError, match='backbone.in_channels=3'):
        MODELS.build(
            dict(type='BoxDetector', use_background_diff=True,
                 backbone=dict(type='ResNetTrunk', num_stages=1,
                               in_channels=3)))
