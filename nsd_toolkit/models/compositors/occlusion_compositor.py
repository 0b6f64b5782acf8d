"""Depth-ordered soft occlusion of person layers (paper Eq. 7, appendix D)."""
import math
from typing import Optional

import torch

from nsd_toolkit.registry import MODELS
from .base_compositor import BaseCompositor


@MODELS.register_module()
class OcclusionCompositor(BaseCompositor):
    """Each person is a translucent plane with a Gaussian density along depth.

    Smaller depth = nearer the camera. At a pixel, person j has opacity
    ``c_j`` (its mask) and one depth ``d_j`` for the whole person. With
    ``o_ji = erf((d_j - d_i) / depth_scale) + 1`` in [0, 2] (about 2 where i
    is in front of j, 0 where behind, 1 for i = j)::

        T_j  = exp(-sum_i c_i * o_ji)          transmittance up to person j
        T_bg = exp(-2 * sum_i c_i)             transmittance to the background
        visibility_j = c_j T_j * (1 - T_bg) / sum_k c_k T_k
        background_visibility = T_bg
        image = sum_j visibility_j * layer_j + T_bg * background
        depth = sum_j visibility_j * d_j + T_bg * (max_k d_k + 1)

    The renormalisation (appendix D, Eq. 16) makes visibilities and background
    visibility sum to 1 per pixel. One person of mask m is visible by
    ``1 - exp(-2 m)``, so even a full mask lets exp(-2) (13.5 %) of what lies
    behind it through, as in the paper. Where all masks are 0 the background
    is fully visible.

    The pairwise terms ``o`` are one [B, N, N] matrix per image (depths are
    per person); the per-pixel sums are a batched matrix product of it with
    the [B, N, H * W] masks, so memory is linear in N.

    Args:
        depth_scale (float): depth difference that counts as one unit inside
            erf, in the detector's depth units. Gaps much larger than it give
            a hard ordering, smaller ones blend the people. Defaults to 1.0
            (the paper's).
    """

    def __init__(self, depth_scale: float = 1.0) -> None:
        super().__init__()
        if (isinstance(depth_scale, bool)
                or not isinstance(depth_scale, (int, float))
                or not math.isfinite(depth_scale) or depth_scale <= 0):
            raise ValueError('OcclusionCompositor: depth_scale must be a '
                             f'positive finite number, got {depth_scale!r}')
        self.depth_scale = float(depth_scale)

    def forward(self,
                layers: torch.Tensor,
                masks: torch.Tensor,
                depths: Optional[torch.Tensor],
                background: torch.Tensor) -> dict:
        """
        Args:
            layers (Tensor): [B, N, C, H, W] un-warped person images.
            masks (Tensor): [B, N, 1, H, W] opacities in [0, 1].
            depths (Tensor): [B, N] relative depths, smaller = nearer.
            background (Tensor): [B, C, H, W].

        Returns:
            dict: ``image`` [B, C, H, W], ``visibility`` [B, N, 1, H, W],
            ``background_visibility`` [B, 1, H, W] and ``depth`` [B, 1, H, W].
        """
        _check_shapes(layers, masks, depths, background)
        batch, num_people, _, height, width = masks.shape
        opacity = masks.reshape(batch, num_people, height * width)
        gaps = (depths[:, :, None] - depths[:, None, :]) / self.depth_scale
        occlusion = torch.erf(gaps) + 1  # [B, N, N], o[b, j, i]
        weight = opacity * torch.exp(-occlusion @ opacity)  # c_j T_j
        total = opacity.sum(dim=1, keepdim=True)
        covered = -torch.expm1(-2 * total)  # 1 - T_bg
        # All-zero masks give weight 0 and covered 0: the clamp turns 0 / 0
        # into 0 and keeps the gradients of tiny masks finite.
        eps = max(1e-12, torch.finfo(weight.dtype).tiny)
        scale = covered / weight.sum(dim=1, keepdim=True).clamp(min=eps)
        visibility = (weight * scale).view_as(masks)
        background_visibility = (1 - covered).view(batch, 1, height, width)
        image = (visibility * layers).sum(dim=1) + \
            background_visibility * background
        far = depths.amax(dim=1) + 1
        depth = torch.einsum('bnchw,bn->bchw', visibility, depths) + \
            background_visibility * far[:, None, None, None]
        return dict(
            image=image,
            visibility=visibility,
            background_visibility=background_visibility,
            depth=depth)


def _check_shapes(layers: torch.Tensor, masks: torch.Tensor,
                  depths: Optional[torch.Tensor],
                  background: torch.Tensor) -> None:
    """Raise ValueError naming the argument whose shape breaks the contract."""
    if depths is None:
        raise ValueError(
            'OcclusionCompositor needs depths [B, N] (smaller = nearer); got '
            'None. Pass the detector depths (NSD: use_depth=True) or use '
            'AdditiveCompositor.')
    if layers.dim() != 5:
        raise ValueError('OcclusionCompositor: layers must be [B, N, C, H, W], '
                         f'got shape {tuple(layers.shape)}')
    batch, num_people, channels, height, width = layers.shape
    expected = dict(
        masks=(batch, num_people, 1, height, width),
        depths=(batch, num_people),
        background=(batch, channels, height, width))
    for name, tensor in zip(expected, (masks, depths, background)):
        if tuple(tensor.shape) != expected[name]:
            raise ValueError(
                f'OcclusionCompositor: {name} must have shape '
                f'{expected[name]} to match layers {tuple(layers.shape)}, '
                f'got {tuple(tensor.shape)}')
