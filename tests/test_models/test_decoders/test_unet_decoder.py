import pytest
import torch

from nsd_toolkit.models.decoders import UNetDecoder
from nsd_toolkit.registry import MODELS


def build(**kwargs):
    cfg = dict(type='UNetDecoder', appearance_dim=16, num_points=10,
               crop_size=(32, 24), channels=(48, 16, 8, 4))
    cfg.update(kwargs)
    return MODELS.build(cfg)


def test_shapes_and_mask_range():
    dec = build()
    assert dec.base_size == (4, 3)
    rgb, mask = dec(torch.randn(6, 16), torch.randn(6, 10, 3))
    assert rgb.shape == (6, 3, 32, 24)
    assert mask.shape == (6, 1, 32, 24)
    assert mask.min() >= 1e-4 and mask.max() <= 1


def test_mask_floor_for_saturated_logits():
    dec = build(mask_floor=0.01).eval()
    with torch.no_grad():
        dec.out.bias[3] = -1e4
    _, mask = dec(torch.randn(2, 16), torch.randn(2, 10, 3))
    assert torch.allclose(mask, torch.full_like(mask, 0.01))


def test_both_latents_drive_the_output():
    torch.manual_seed(0)  # a tiny random net can have all-dead ReLUs
    dec = build(dropout=0.0, channels=(48, 32, 32, 32)).eval()
    app, pts = torch.randn(2, 16), torch.randn(2, 10, 3)
    rgb, _ = dec(app, pts)
    assert not torch.allclose(rgb, dec(app + 1, pts)[0])
    assert not torch.allclose(rgb, dec(app, pts + 1)[0])


def test_default_matches_paper_widths():
    dec = UNetDecoder()
    assert dec.base_size == (16, 16)
    assert dec.latent_channels == 128
    assert dec.out.in_channels == 32


def test_invalid_configs():
    with pytest.raises(ValueError):
        build(crop_size=(30, 24))
    with pytest.raises(ValueError):
        build(channels=(16, 8))
