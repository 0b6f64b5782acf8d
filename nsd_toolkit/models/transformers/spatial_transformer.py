"""Spatial transformer for axis-aligned boxes, focal variant and inverse."""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule

from nsd_toolkit.registry import MODELS
from ..utils import check_positive_ints


def bump_window(height: int, width: int) -> torch.Tensor:
    """Smooth compact bump ``G = exp(1 - 1 / (1 - r))``, ``r^2 = x^4 + y^4``.

    Evaluated on the pixel-centre grid of an ``height x width`` crop in
    [-1, 1] (``align_corners=False``); 0 where ``r >= 1``. Peak 1 at the
    centre (exactly 1 only for odd sizes); the support is the superellipse
    ``x^4 + y^4 < 1``, whose area is 92.7 % of the crop's. Returns
    [height, width].
    """
    y = (torch.arange(height, dtype=torch.float64) * 2 + 1) / height - 1
    x = (torch.arange(width, dtype=torch.float64) * 2 + 1) / width - 1
    r = (y[:, None]**4 + x[None, :]**4).sqrt()
    inside = r < 1
    g = torch.zeros_like(r)
    g[inside] = torch.exp(1 - 1 / (1 - r[inside]))
    return g.float()


@MODELS.register_module()
class SpatialTransformer(BaseModule):
    """Differentiable crop of N boxes per image and the inverse warp.

    A box is ``center`` [.., 2] and ``scale`` [.., 2] (x, y) in normalised
    image coordinates; the crop window covers ``center +- padding * scale``,
    i.e. the affine map from crop to image coordinates is ``theta = [[p sx,
    0, cx], [0, p sy, cy]]``. With ``padding > 1`` the box is the person's
    box and the window adds context around it, as the bbox padding of
    mmpose's top-down crops. All ``B * N`` boxes are warped in one
    ``grid_sample`` call (bilinear, ``align_corners=False``).

    Args:
        crop_size (tuple): (h, w) of the crops.
        focal (bool): multiply crops by :func:`bump_window` (focal spatial
            transformer, paper appendix B).
        min_scale (float): window scales are clamped to at least this in
            ``uncrop`` (the inverse divides by them).
        padding (float): crop window / box size ratio, > 0.
    """

    def __init__(self,
                 crop_size: Sequence[int] = (128, 128),
                 focal: bool = True,
                 min_scale: float = 1e-3,
                 padding: float = 1.0,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        check_positive_ints('SpatialTransformer', crop_size=crop_size)
        if not padding > 0:
            raise ValueError(
                f'SpatialTransformer: padding must be > 0, got {padding}')
        self.padding = float(padding)
        self.crop_size = tuple(crop_size)
        self.focal = focal
        self.min_scale = min_scale
        self.register_buffer(
            'window', bump_window(*self.crop_size), persistent=False)

    @staticmethod
    def _warp(src: torch.Tensor, theta: torch.Tensor, size: Tuple[int, int],
              padding_mode: str) -> torch.Tensor:
        grid = F.affine_grid(
            theta, (src.shape[0], src.shape[1], *size), align_corners=False)
        return F.grid_sample(
            src,
            grid,
            mode='bilinear',
            padding_mode=padding_mode,
            align_corners=False)

    def crop(self, images: torch.Tensor, center: torch.Tensor,
             scale: torch.Tensor) -> torch.Tensor:
        """[B, C, H, W] images, [B, N, 2] boxes -> [B, N, C, h, w] crops of
        the padded windows (zero outside the image; times the window if
        ``focal``)."""
        b, n = center.shape[:2]
        c = images.shape[1]
        theta = torch.zeros(b * n, 2, 3, dtype=center.dtype,
                            device=center.device)
        theta[:, 0, 0], theta[:, 1, 1] = (
            self.padding * scale.reshape(-1, 2)).unbind(-1)
        theta[:, :, 2] = center.reshape(-1, 2)
        src = images.unsqueeze(1).expand(-1, n, -1, -1, -1).reshape(
            b * n, c, *images.shape[-2:])
        crops = self._warp(src, theta.to(images.dtype), self.crop_size,
                           'zeros')
        if self.focal:
            crops = crops * self.window
        return crops.view(b, n, c, *self.crop_size)

    def uncrop(self,
               crops: torch.Tensor,
               center: torch.Tensor,
               scale: torch.Tensor,
               out_size: Sequence[int],
               padding_mode: str = 'zeros',
               apply_window: bool = False) -> torch.Tensor:
        """Warp [B, N, C, h, w] crops back into the padded windows of
        [B, N, C, H, W] full frames.

        Uses the analytic inverse ``[[1/sx, 0, -cx/sx], [0, 1/sy, -cy/sy]]``
        of the window scale ``s = padding * scale``.
        ``padding_mode`` fills the frame outside the box: 'zeros' (masks) or
        'border' (images). ``apply_window`` pre-multiplies the crops by the
        window (focal inverse, for masks).
        """
        b, n, c = crops.shape[:3]
        inv = 1 / (self.padding * scale.reshape(-1, 2)).clamp(
            min=self.min_scale)
        theta = torch.zeros(b * n, 2, 3, dtype=inv.dtype, device=inv.device)
        theta[:, 0, 0], theta[:, 1, 1] = inv.unbind(-1)
        theta[:, :, 2] = -center.reshape(-1, 2) * inv
        if apply_window:
            crops = crops * self.window
        frames = self._warp(
            crops.reshape(b * n, c, *crops.shape[-2:]),
            theta.to(crops.dtype), tuple(out_size), padding_mode)
        return frames.view(b, n, c, *frames.shape[-2:])
