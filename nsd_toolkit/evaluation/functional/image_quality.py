"""Image reconstruction quality: PSNR and SSIM (Wang et al., 2004)."""
import numpy as np
from scipy.ndimage import correlate1d

from nsd_toolkit.structures.array_utils import to_numpy

__all__ = ['psnr', 'ssim']

#: Gaussian window of SSIM: 11 taps, standard deviation 1.5 pixels.
SSIM_WINDOW = 11
SSIM_SIGMA = 1.5


def psnr(pred, target, max_value: float = 255.0) -> np.ndarray:
    """Peak signal-to-noise ratio of each image.

    Args:
        pred, target: [N, C, H, W] images on the scale ``0..max_value``.
        max_value: the largest possible pixel value.

    Returns:
        float64 [N] in dB; ``inf`` for an exact reconstruction.
    """
    pred, target = _pair(pred, target)
    mse = ((pred - target)**2).mean(axis=(1, 2, 3))
    with np.errstate(divide='ignore'):
        return 10.0 * np.log10(max_value**2 / mse)


def ssim(pred, target, max_value: float = 255.0) -> np.ndarray:
    """Mean structural similarity of each image.

    Local statistics under an 11-tap Gaussian window (sigma 1.5 px), the
    constants ``(0.01 L)^2`` and ``(0.03 L)^2`` of the paper, averaged over
    the pixels at least 5 px from the border and over the channels.

    Args:
        pred, target: [N, C, H, W] images on the scale ``0..max_value``,
            H and W at least 11.
        max_value: the dynamic range L.

    Returns:
        float64 [N] in [-1, 1]; 1 for identical images.
    """
    pred, target = _pair(pred, target)
    if min(pred.shape[-2:]) < SSIM_WINDOW:
        raise ValueError(f'ssim needs images of at least {SSIM_WINDOW} x '
                         f'{SSIM_WINDOW} pixels, got {pred.shape[-2:]}')
    c1, c2 = (0.01 * max_value)**2, (0.03 * max_value)**2
    mu_x, mu_y = _local_mean(pred), _local_mean(target)
    var_x = _local_mean(pred * pred) - mu_x**2
    var_y = _local_mean(target * target) - mu_y**2
    cov = _local_mean(pred * target) - mu_x * mu_y
    ssim_map = ((2 * mu_x * mu_y + c1) * (2 * cov + c2) /
                ((mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2)))
    return ssim_map.mean(axis=(1, 2, 3))


def _pair(pred, target):
    """Both images as float64 arrays of one [N, C, H, W] shape."""
    pred, target = to_numpy(pred, np.float64), to_numpy(target, np.float64)
    if pred.shape != target.shape or pred.ndim != 4:
        raise ValueError('pred and target must both be [N, C, H, W], got '
                         f'{pred.shape} and {target.shape}')
    return pred, target


def _local_mean(images: np.ndarray) -> np.ndarray:
    """Gaussian-weighted local mean [N, C, H - 10, W - 10] (valid pixels)."""
    radius = SSIM_WINDOW // 2
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / SSIM_SIGMA)**2)
    taps /= taps.sum()
    smooth = correlate1d(correlate1d(images, taps, axis=-1), taps, axis=-2)
    return smooth[..., radius:-radius, radius:-radius]
