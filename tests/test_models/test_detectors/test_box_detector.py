import pytest
import torch
import torchvision

from nsd_toolkit.models.detectors import BoxDetector
from nsd_toolkit.registry import MODELS


SMALL_TRUNK = dict(type='ResNetTrunk', depth=18, num_stages=2, base_channels=8)
RESNET18 = dict(type='ResNetTrunk', depth=18, num_stages=3)


def small(**kwargs):
    cfg = dict(type='BoxDetector', backbone=SMALL_TRUNK, input_size=(32, 48),
               head_channels=(16, 8))
    cfg.update(kwargs)
    return MODELS.build(cfg)


@pytest.mark.parametrize('num_people', [1, 2, 4])
def test_output_shapes(num_people):
    det = small(num_people=num_people)
    out = det(torch.randn(3, 3, 60, 80))
    assert out['center'].shape == (3, num_people, 2)
    assert out['scale'].shape == (3, num_people, 2)
    assert out['depth'].shape == (3, num_people)


def test_initial_boxes_centred_with_init_scale():
    det = small(num_people=1, init_scale=0.6)
    out = det(torch.randn(2, 3, 40, 40))
    assert torch.allclose(out['center'], torch.zeros(2, 1, 2))
    assert torch.allclose(out['scale'], torch.full((2, 1, 2), 0.6))
    assert torch.allclose(out['depth'], torch.zeros(2, 1))


@pytest.mark.parametrize('num_people', [2, 3])
def test_initial_slots_are_spread_horizontally(num_people):
    det = small(num_people=num_people, init_spread=0.4, init_scale=0.6)
    out = det(torch.randn(2, 3, 40, 40))
    expected_x = torch.linspace(-0.4, 0.4, num_people)
    assert torch.allclose(out['center'][..., 0], expected_x.expand(2, -1),
                          atol=1e-6)
    assert torch.allclose(out['center'][..., 1], torch.zeros(2, num_people))
    assert torch.allclose(out['scale'], torch.full((2, num_people, 2), 0.6))
    with pytest.raises(ValueError, match='init_spread'):
        small(num_people=2, init_spread=0.8)


def test_box_ranges_for_extreme_outputs():
    det = small(num_people=3, center_range=0.8, scale_range=(0.2, 1.0))
    with torch.no_grad():
        det.head.fc.weight.normal_(0, 100)
    out = det(torch.randn(4, 3, 32, 48))
    assert out['center'].abs().max() <= 0.8
    assert out['scale'].min() >= 0.2 and out['scale'].max() <= 1.0
    assert out['center'].abs().max() > 0.5  # the activations saturate


def test_background_difference_input():
    det = small(use_background_diff=True)
    assert det.backbone.conv1.in_channels == 6
    img = torch.randn(2, 3, 32, 48)
    assert det(img, torch.randn_like(img))['center'].shape == (2, 1, 2)
    with pytest.raises(ValueError):
        det(img)


def test_background_difference_is_fed():
    det = small(use_background_diff=True).eval()
    with torch.no_grad():
        det.head.fc.weight.normal_()
    img = torch.randn(1, 3, 32, 48)
    a = det(img, img)['depth']  # depth: no saturating activation
    b = det(img, img + 1)['depth']
    assert not torch.allclose(a, b)


def test_resampling_is_antialiased():
    # A pixel-level checkerboard averages to ~0 when downsampled with
    # antialiasing; plain bilinear sampling would alias it.
    det = small(input_size=(16, 16)).eval()
    seen = {}
    det.backbone.register_forward_pre_hook(
        lambda m, args: seen.setdefault('x', args[0]))
    board = (torch.arange(48)[:, None] + torch.arange(48)[None]) % 2 * 2. - 1
    det(board.expand(1, 3, 48, 48))
    assert seen['x'].shape[-2:] == (16, 16)
    assert seen['x'].abs().max() < 0.1


def test_gradients_reach_backbone():
    det = small()
    with torch.no_grad():
        det.head.fc.weight.normal_(0, 0.1)
    out = det(torch.randn(2, 3, 32, 48))
    (out['center'].sum() + out['scale'].sum()).backward()
    assert det.backbone.conv1.weight.grad.abs().sum() > 0


def test_invalid_init_scale():
    with pytest.raises(ValueError):
        BoxDetector(backbone=RESNET18, scale_range=(0.2, 0.5), init_scale=0.7)


def test_backbone_init_cfg_keeps_head_init(tmp_path):
    ref = torchvision.models.resnet18(weights=None)
    path = tmp_path / 'resnet18.pth'
    torch.save(ref.state_dict(), path)
    det = BoxDetector(
        use_background_diff=True,
        backbone=dict(RESNET18,
                      init_cfg=dict(type='Pretrained', checkpoint=str(path))))
    det.init_weights()
    assert torch.equal(det.backbone.layer3[0].conv1.weight,
                       ref.layer3[0].conv1.weight)
    assert torch.equal(det.backbone.conv1.weight[:, :3], ref.conv1.weight)
    assert torch.all(det.head.fc.weight == 0)
    out = det(torch.randn(2, 3, 64, 64), torch.randn(2, 3, 64, 64))
    assert torch.allclose(out['scale'], torch.full((2, 1, 2), 0.7))


def test_full_image_detector_boxes_the_whole_frame():
    from nsd_toolkit.models.detectors import FullImageDetector
    boxes = FullImageDetector()(torch.randn(3, 3, 20, 30))
    assert torch.equal(boxes['center'], torch.zeros(3, 1, 2))
    assert torch.equal(boxes['scale'], torch.ones(3, 1, 2))
    assert torch.equal(boxes['depth'], torch.zeros(3, 1))


@pytest.mark.parametrize('num_people', [1, 3])
def test_presence_starts_at_init_presence_and_keeps_the_boxes(num_people):
    plain = small(num_people=num_people, init_spread=0.4)
    det = small(num_people=num_people, init_spread=0.4, predict_presence=True,
                init_presence=0.8)
    assert det.head.fc.out_features == num_people * 6
    img = torch.randn(2, 3, 40, 40)
    out, reference = det(img), plain(img)
    assert torch.allclose(out['presence'], torch.full((2, num_people), 0.8))
    for key in ('center', 'scale', 'depth'):
        assert torch.allclose(out[key], reference[key], atol=1e-6), key
    assert 'presence' not in reference


def test_presence_is_a_probability_per_slot():
    det = small(num_people=3, predict_presence=True)
    with torch.no_grad():
        det.head.fc.weight.normal_(0, 100)
    presence = det(torch.randn(4, 3, 32, 48))['presence']
    assert presence.shape == (4, 3)
    assert presence.min() >= 0 and presence.max() <= 1
    assert presence.min() < 0.1 and presence.max() > 0.9  # saturates both ways
    with pytest.raises(ValueError, match='init_presence'):
        small(predict_presence=True, init_presence=1.0)


def test_checkpoint_of_fewer_slots_loads_slot_by_slot():
    """Curriculum on the number of people: a two-slot model without presence
    starts a three-slot one with presence; shared outputs are copied, the
    third slot and every presence keep their initialisation."""
    two = small(num_people=2)
    with torch.no_grad():
        two.head.fc.weight.normal_()
        two.head.fc.bias.normal_()
    state = two.state_dict()
    del state['slot_layout']  # as in checkpoints written before the buffer
    with pytest.raises(RuntimeError, match='size mismatch for head.fc'):
        small(num_people=3, predict_presence=True).load_state_dict(state)
    three = small(num_people=3, predict_presence=True,
                  adopt_slot_layouts=True)
    fresh = {k: v.clone() for k, v in three.head.fc.state_dict().items()}
    missing, unexpected = three.load_state_dict(state)
    assert not missing and not unexpected
    for name in ('weight', 'bias'):
        loaded = getattr(three.head.fc, name).detach().view(3, 6, -1)
        old = getattr(two.head.fc, name).detach().view(2, 5, -1)
        init = fresh[name].view(3, 6, -1)
        assert torch.equal(loaded[:2, :5], old)
        assert torch.equal(loaded[2], init[2])
        assert torch.equal(loaded[:, 5], init[:, 5])
    assert three.slot_layout.tolist() == [3, 6]
    # and back: the layout travels with the checkpoint
    back = small(num_people=2, adopt_slot_layouts=True)
    back.load_state_dict(three.state_dict())
    assert torch.equal(back.head.fc.bias.view(2, 5),
                       three.head.fc.bias.detach().view(3, 6)[:2, :5])


def test_same_layout_loads_unchanged_and_other_mismatches_are_reported():
    # 6 slots x 5 outputs and 5 slots x 6 have the same shapes
    with pytest.raises(RuntimeError, match='slot_layout: the checkpoint has '
                       '6 slots x 5 outputs, the model 5 x 6'):
        small(num_people=5, predict_presence=True).load_state_dict(
            small(num_people=6).state_dict())
    det = small(num_people=2, predict_presence=True)
    copy = small(num_people=2, predict_presence=True)
    with torch.no_grad():
        det.head.fc.bias.normal_()
    old = det.state_dict()
    del old['slot_layout']  # written before the buffer: 5 outputs per slot
    small(num_people=2).load_state_dict(
        {k: v[:10] if k.startswith('head.fc') else v
         for k, v in old.items()})
    copy.load_state_dict(det.state_dict())
    assert torch.equal(copy.head.fc.bias, det.head.fc.bias)
    wider = small(num_people=1, head_channels=(16, 4))
    with pytest.raises(RuntimeError, match='head.fc.weight'):
        small(num_people=1).load_state_dict(wider.state_dict())
