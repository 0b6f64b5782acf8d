import pytest
import torch
import torchvision

from nsd_toolkit.models.backbones import ResNetTrunk


@pytest.mark.parametrize('depth', [18, 50])
def test_trunk_keys_match_torchvision(depth):
    trunk = ResNetTrunk(depth=depth, num_stages=4)
    ref = getattr(torchvision.models, f'resnet{depth}')(weights=None)
    ours = {k: v.shape for k, v in trunk.state_dict().items()}
    theirs = {k: v.shape for k, v in ref.state_dict().items()}
    assert ours == {k: s for k, s in theirs.items() if not k.startswith('fc.')}


def test_pretrained_init_cfg_loads_torchvision_checkpoint(tmp_path):
    ref = torchvision.models.resnet18(weights=None)
    path = tmp_path / 'resnet18.pth'
    torch.save(ref.state_dict(), path)
    trunk = ResNetTrunk(
        depth=18,
        num_stages=2,
        in_channels=6,
        init_cfg=dict(type='Pretrained', checkpoint=str(path)))
    trunk.init_weights()
    assert torch.equal(trunk.layer2[1].conv2.weight,
                       ref.layer2[1].conv2.weight)
    # 3-channel ImageNet conv1 fills the image channels, extra ones are zero.
    assert torch.equal(trunk.conv1.weight[:, :3], ref.conv1.weight)
    assert torch.all(trunk.conv1.weight[:, 3:] == 0)


def test_trunk_output_channels_and_stride():
    trunk = ResNetTrunk(depth=18, num_stages=3, base_channels=16)
    out = trunk(torch.randn(2, 3, 64, 96))
    assert out.shape == (2, trunk.out_channels, 4, 6)
    assert trunk.out_channels == 64


def test_trunk_features_in_forward_order():
    trunk = ResNetTrunk(depth=18, num_stages=2, base_channels=8).eval()
    x = torch.randn(1, 3, 32, 32)
    relu, layer2 = trunk.layer_outputs(x, ('relu', 'layer2'))
    assert relu.shape == (1, 8, 16, 16)
    assert torch.allclose(layer2, trunk(x))
    with pytest.raises(KeyError):
        trunk.layer_outputs(x, ('layer3', ))


def test_frozen_stages_stay_fixed():
    trunk = ResNetTrunk(depth=18, num_stages=3, base_channels=8,
                        frozen_stages=1)
    trunk.train()
    assert not trunk.bn1.training and not trunk.layer1[0].bn1.training
    assert trunk.layer2[0].bn1.training
    frozen = {k: v.clone() for k, v in trunk.state_dict().items()
              if k.startswith(('conv1', 'bn1', 'layer1'))}
    opt = torch.optim.SGD(trunk.parameters(), lr=0.1)
    trunk(torch.randn(4, 3, 32, 32)).pow(2).mean().backward()
    opt.step()
    for k, v in frozen.items():  # weights and running statistics
        assert torch.equal(trunk.state_dict()[k], v), k
    assert trunk.layer2[0].conv1.weight.grad is not None


def test_unreachable_imagenet_weights_end_in_a_clear_message(
        tmp_path, monkeypatch):
    """Nothing is fetched: an empty hub cache and a download that fails."""
    from urllib.error import URLError

    def no_network(url, *args, **kwargs):
        raise URLError(f'no network for {url}')

    monkeypatch.setenv('TORCH_HOME', str(tmp_path))
    monkeypatch.setattr(torch.hub, 'download_url_to_file', no_network)
    trunk = ResNetTrunk(
        depth=50,
        num_stages=1,
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50'))
    with pytest.raises(FileNotFoundError) as info:
        trunk.init_weights()
    message = str(info.value)
    assert "'torchvision://resnet50'" in message
    assert 'https://download.pytorch.org/models/resnet50-' in message
    assert str(tmp_path / 'hub' / 'checkpoints') in message
    assert 'imagenet_pretrained=False' in message
    assert 'no network' in str(info.value.__cause__)  # the patched download


def test_missing_local_checkpoint_error_is_left_alone(tmp_path):
    trunk = ResNetTrunk(
        depth=18,
        num_stages=1,
        init_cfg=dict(type='Pretrained', checkpoint=str(tmp_path / 'no.pth')))
    with pytest.raises(FileNotFoundError, match='no.pth') as info:
        trunk.init_weights()
    assert 'imagenet_pretrained' not in str(info.value)
