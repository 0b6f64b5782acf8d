"""Depth-free compositing of person layers over the background."""
from typing import Optional

import torch

from nsd_toolkit.registry import MODELS
from .base_compositor import BaseCompositor


@MODELS.register_module()
class AdditiveCompositor(BaseCompositor):
    """Masks add up, clamped to 1 (paper Eq. 6; Eq. 3 for one person).

    ``visibility_n = mask_n / max(1, sum_k mask_k)``, background visibility
    ``1 - sum_n visibility_n``: where masks do not overlap this is Eq. 6
    exactly; where their sum exceeds 1 the masks are rescaled (Eq. 6 clamps the
    sum instead), so visibilities always sum to 1 per pixel. Depths are
    ignored.
    """

    def forward(self,
                layers: torch.Tensor,
                masks: torch.Tensor,
                depths: Optional[torch.Tensor],
                background: torch.Tensor) -> dict:
        """
        Args:
            layers (Tensor): [B, N, C, H, W] un-warped person images.
            masks (Tensor): [B, N, 1, H, W] in [0, 1].
            depths (Tensor | None): [B, N], unused.
            background (Tensor): [B, C, H, W].

        Returns:
            dict: ``image`` [B, C, H, W], ``visibility`` [B, N, 1, H, W],
            ``background_visibility`` [B, 1, H, W].
        """
        total = masks.sum(dim=1, keepdim=True)
        visibility = masks / total.clamp(min=1)
        background_visibility = (1 - visibility.sum(dim=1)).clamp(min=0)
        image = (visibility * layers).sum(dim=1) + \
            background_visibility * background
        return dict(
            image=image,
            visibility=visibility,
            background_visibility=background_visibility)
