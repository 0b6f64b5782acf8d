import math

import pytest
import torch

from nsd_toolkit.models.transformers import SpatialTransformer, bump_window


def smooth_image(b=1, c=3, h=64, w=64):
    y = torch.linspace(-1, 1, h)[:, None]
    x = torch.linspace(-1, 1, w)[None]
    chans = [torch.sin(2 * x + k) * torch.cos(3 * y - k) for k in range(c)]
    return torch.stack(chans).expand(b, c, h, w).clone()


def test_bump_values():
    g = bump_window(65, 65)
    assert g.shape == (65, 65)
    assert g[32, 32] == pytest.approx(1.0)
    assert g.max() == pytest.approx(1.0)
    assert g[0, 0] == 0 and g[-1, -1] == 0 and g[0, 32] < 1e-10
    # G(r) = exp(1 - 1 / (1 - r)) on the pixel-centre grid (x, y) = (0.5, 0).
    x = (2 * 48 + 1) / 65 - 1
    assert g[32, 48] == pytest.approx(math.exp(1 - 1 / (1 - x**2)), rel=1e-5)
    # support = superellipse x^4 + y^4 < 1: area 4 Gamma(5/4)^2 / Gamma(3/2)
    area = 4 * math.gamma(1.25)**2 / math.gamma(1.5) / 4
    assert (bump_window(128, 128) > 0).float().mean() == pytest.approx(
        area, abs=0.01)


def test_window_buffer_and_focal_crop():
    st = SpatialTransformer(crop_size=(16, 24), focal=True)
    plain = SpatialTransformer(crop_size=(16, 24), focal=False)
    assert st.window.shape == (16, 24)
    assert 'window' not in st.state_dict()
    img = smooth_image()
    center, scale = torch.tensor([[[0.1, -0.2]]]), torch.tensor([[[0.4, 0.5]]])
    assert torch.allclose(
        st.crop(img, center, scale),
        plain.crop(img, center, scale) * st.window)


def test_crop_picks_known_box():
    img = torch.zeros(1, 3, 64, 64)
    img[0, 0, 16:32, 16:32] = 1  # red square, pixels 16..31
    img[0, 1, 16:32, 16:32] = torch.arange(16.)[None]  # x ramp in green
    st = SpatialTransformer(crop_size=(16, 16), focal=False)
    # pixels 16..31 span [-0.5, 0] in normalised coordinates
    center = torch.tensor([[[-0.25, -0.25]]])
    scale = torch.tensor([[[0.25, 0.25]]])
    crop = st.crop(img, center, scale)
    assert crop.shape == (1, 1, 3, 16, 16)
    assert torch.allclose(crop[0, 0], img[0, :, 16:32, 16:32], atol=1e-5)


def test_padding_crops_and_uncrops_the_enlarged_window():
    """With padding p the window of box (c, s) is the box (c, p * s)."""
    img = smooth_image(b=1, h=64, w=96)
    center = torch.tensor([[[0.1, -0.2], [-0.3, 0.25]]])
    scale = torch.tensor([[[0.2, 0.4], [0.3, 0.2]]])
    padded = SpatialTransformer(crop_size=(32, 32), padding=1.25)
    plain = SpatialTransformer(crop_size=(32, 32))
    crops = padded.crop(img, center, scale)
    assert torch.allclose(crops, plain.crop(img, center, 1.25 * scale))
    assert not torch.allclose(crops, plain.crop(img, center, scale))
    assert torch.allclose(
        padded.uncrop(crops, center, scale, (64, 96)),
        plain.uncrop(crops, center, 1.25 * scale, (64, 96)))


@pytest.mark.parametrize('padding', [0, -1.0])
def test_padding_must_be_positive(padding):
    with pytest.raises(ValueError, match='padding'):
        SpatialTransformer(padding=padding)


def test_crop_batches_boxes_per_image():
    img = torch.stack([torch.full((1, 8, 8), 1.), torch.full((1, 8, 8), 2.)])
    st = SpatialTransformer(crop_size=(4, 4), focal=False)
    center = torch.tensor([[[0., 0.], [0.5, 0.5], [-0.5, 0.]]]).expand(2, 3, 2)
    crops = st.crop(img, center, torch.full((2, 3, 2), 0.25))
    assert crops.shape == (2, 3, 1, 4, 4)
    assert torch.all(crops[0] == 1) and torch.all(crops[1] == 2)


def test_crop_outside_image_is_zero():
    st = SpatialTransformer(crop_size=(8, 8), focal=False)
    crop = st.crop(torch.ones(1, 1, 16, 16), torch.tensor([[[3., 0.]]]),
                   torch.tensor([[[0.5, 0.5]]]))
    assert torch.all(crop == 0)


def test_crop_uncrop_round_trip_inside_box():
    img = smooth_image(b=2, h=64, w=96)
    st = SpatialTransformer(crop_size=(64, 64), focal=False)
    center = torch.tensor([[[0.1, -0.2]], [[-0.3, 0.25]]])
    scale = torch.tensor([[[0.5, 0.4]], [[0.35, 0.6]]])
    back = st.uncrop(st.crop(img, center, scale), center, scale, (64, 96))
    assert back.shape == (2, 1, 3, 64, 96)
    ys = (torch.arange(64) * 2 + 1) / 64 - 1
    xs = (torch.arange(96) * 2 + 1) / 96 - 1
    for b in range(2):
        (cx, cy), (sx, sy) = center[b, 0], scale[b, 0]
        inside = (((ys[:, None] - cy).abs() < 0.8 * sy) &
                  ((xs[None] - cx).abs() < 0.8 * sx))
        assert inside.sum() > 100
        err = (back[b, 0] - img[b])[:, inside].abs().max()
        assert err < 0.02


def test_uncrop_padding_modes():
    st = SpatialTransformer(crop_size=(8, 8), focal=False)
    crops = torch.full((1, 1, 1, 8, 8), 0.5)
    center = torch.tensor([[[0.2, 0.1]]])
    scale = torch.tensor([[[0.3, 0.3]]])
    zeros = st.uncrop(crops, center, scale, (32, 32), padding_mode='zeros')
    border = st.uncrop(crops, center, scale, (32, 32), padding_mode='border')
    assert zeros[0, 0, 0, 0, 0] == 0 and zeros[0, 0, 0, 0, -1] == 0
    assert zeros[0, 0, 0, 17, 19] == pytest.approx(0.5)  # inside the box
    assert torch.allclose(border, torch.full_like(border, 0.5))


def test_uncrop_apply_window():
    st = SpatialTransformer(crop_size=(9, 9), focal=True)
    crops = torch.ones(1, 1, 1, 9, 9)
    center, scale = torch.zeros(1, 1, 2), torch.ones(1, 1, 2)
    out = st.uncrop(crops, center, scale, (9, 9), apply_window=True)
    assert torch.allclose(out[0, 0, 0], st.window, atol=1e-6)
    plain = st.uncrop(crops, center, scale, (9, 9))
    assert torch.allclose(plain, torch.ones_like(plain))


def test_uncrop_tiny_scale_is_finite():
    st = SpatialTransformer(crop_size=(8, 8))
    out = st.uncrop(torch.ones(1, 1, 1, 8, 8), torch.zeros(1, 1, 2),
                    torch.zeros(1, 1, 2), (16, 16))
    assert torch.isfinite(out).all()


def test_gradients_flow_to_boxes():
    st = SpatialTransformer(crop_size=(16, 16), focal=True)
    center = torch.tensor([[[0.1, -0.1], [-0.2, 0.3]]], requires_grad=True)
    scale = torch.tensor([[[0.4, 0.5], [0.3, 0.3]]], requires_grad=True)
    img = smooth_image(h=32, w=32)
    st.crop(img, center, scale).pow(2).sum().backward()
    for p in (center, scale):
        assert torch.isfinite(p.grad).all() and (p.grad.abs() > 0).all()
    center.grad = scale.grad = None
    out = st.uncrop(smooth_image(b=2, h=16, w=16).view(1, 2, 3, 16, 16),
                    center, scale, (32, 32))
    (out * img.unsqueeze(1)).sum().backward()
    for p in (center, scale):
        assert torch.isfinite(p.grad).all() and (p.grad.abs() > 0).all()
