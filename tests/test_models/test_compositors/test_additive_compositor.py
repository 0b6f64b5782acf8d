import torch

from nsd_toolkit.registry import MODELS


def run(masks, layers=None, background=None):
    b, n, _, h, w = masks.shape
    layers = torch.randn(b, n, 3, h, w) if layers is None else layers
    background = torch.randn(b, 3, h, w) if background is None else background
    comp = MODELS.build(dict(type='AdditiveCompositor'))
    return comp(layers, masks, None, background), layers, background


def test_visibilities_sum_to_one():
    out, _, _ = run(torch.rand(2, 3, 1, 8, 8) * 1.5)
    total = out['visibility'].sum(1) + out['background_visibility']
    assert out['visibility'].shape == (2, 3, 1, 8, 8)
    assert out['background_visibility'].shape == (2, 1, 8, 8)
    assert torch.allclose(total, torch.ones_like(total), atol=1e-6)
    assert out['visibility'].min() >= 0


def test_zero_mask_gives_background():
    out, _, background = run(torch.zeros(2, 2, 1, 4, 4))
    assert torch.equal(out['image'], background)
    assert torch.isfinite(out['visibility']).all()


def test_full_mask_gives_layer_single_person():
    out, layers, _ = run(torch.ones(2, 1, 1, 4, 4))
    assert torch.allclose(out['image'], layers[:, 0])


def test_single_person_is_eq3():
    masks = torch.rand(2, 1, 1, 5, 5)
    out, layers, background = run(masks)
    expected = masks[:, 0] * layers[:, 0] + (1 - masks[:, 0]) * background
    assert torch.allclose(out['image'], expected, atol=1e-6)


def test_overlap_rescaled_disjoint_kept():
    masks = torch.zeros(1, 2, 1, 1, 2)
    masks[0, 0, 0, 0] = torch.tensor([0.6, 0.3])
    masks[0, 1, 0, 0] = torch.tensor([0.9, 0.0])
    out, _, _ = run(masks)
    vis = out['visibility'][0, :, 0, 0]
    assert torch.allclose(vis[:, 0], torch.tensor([0.4, 0.6]))  # 1.5 -> 1
    assert torch.allclose(vis[:, 1], torch.tensor([0.3, 0.0]))  # untouched
