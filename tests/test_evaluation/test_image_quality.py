import numpy as np
import pytest
import torch

from nsd_toolkit.evaluation.functional import psnr, ssim


def test_psnr_hand_values():
    target = np.zeros((2, 3, 4, 5))
    pred = target.copy()
    pred[1] = 10.0  # mse 100
    out = psnr(pred, target)
    assert np.isinf(out[0])
    assert out[1] == pytest.approx(10 * np.log10(255.0**2 / 100))
    assert psnr(pred / 255, target, max_value=1.0)[1] == pytest.approx(
        out[1])


def test_ssim_of_constant_images_is_the_luminance_term():
    c1 = (0.01 * 255)**2
    pred = np.full((1, 3, 12, 12), 100.0)
    target = np.full((1, 3, 12, 12), 150.0)
    expected = (2 * 100 * 150 + c1) / (100**2 + 150**2 + c1)
    assert ssim(pred, target)[0] == pytest.approx(expected)
    assert ssim(torch.as_tensor(pred), torch.as_tensor(pred))[0] == \
        pytest.approx(1.0)


def _ssim_by_windows(x, y):
    """SSIM of two [H, W] images from explicit 11 x 11 Gaussian windows."""
    g = np.exp(-0.5 * (np.arange(-5, 6) / 1.5)**2)
    window = np.outer(g, g) / np.outer(g, g).sum()
    c1, c2 = (0.01 * 255)**2, (0.03 * 255)**2
    values = []
    for i in range(x.shape[0] - 10):
        for j in range(x.shape[1] - 10):
            a, b = x[i:i + 11, j:j + 11], y[i:i + 11, j:j + 11]
            mx, my = (window * a).sum(), (window * b).sum()
            vx = (window * (a - mx)**2).sum()
            vy = (window * (b - my)**2).sum()
            cov = (window * (a - mx) * (b - my)).sum()
            values.append((2 * mx * my + c1) * (2 * cov + c2) /
                          ((mx**2 + my**2 + c1) * (vx + vy + c2)))
    return np.mean(values)


def test_ssim_matches_explicit_windows():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 255, (2, 1, 13, 14))
    y = np.clip(x + rng.normal(0, 40, x.shape), 0, 255)
    out = ssim(x, y)
    for n in range(2):
        assert out[n] == pytest.approx(_ssim_by_windows(x[n, 0], y[n, 0]))
    assert out[0] < 0.9  # the noise is visible


def test_shapes_are_checked():
    with pytest.raises(ValueError, match=r'\[N, C, H, W\]'):
        psnr(np.zeros((3, 4, 4)), np.zeros((3, 4, 4)))
    with pytest.raises(ValueError, match='and'):
        ssim(np.zeros((1, 3, 12, 12)), np.zeros((1, 3, 12, 13)))
    with pytest.raises(ValueError, match='at least 11'):
        ssim(np.zeros((1, 3, 10, 12)), np.zeros((1, 3, 10, 12)))
