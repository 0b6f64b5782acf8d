"""Depth-free compositing as the research code does it: masks summed and clamped."""
from typing import Optional

import torch

from nsd_toolkit.models.compositors import BaseCompositor
from nsd_toolkit.registry import MODELS


@MODELS.register_module()
class ClampedCompositor(BaseCompositor):
    """``image = sum_n mask_n * layer_n + (1 - min(1, sum_n mask_n)) * background``.

    Unlike the toolkit's ``AdditiveCompositor`` the person visibilities are the raw
    masks, so where masks overlap their sum can exceed 1 (the person layers are
    over-weighted there) while the background visibility is clamped at 0.

    Args and returns follow the compositor contract of ``BaseCompositor`` (layers
    [B, N, C, H, W], masks [B, N, 1, H, W], depths ignored, background [B, C, H, W]).
    """

    def forward(self, layers: torch.Tensor, masks: torch.Tensor,
                depths: Optional[torch.Tensor],
                background: torch.Tensor) -> dict:
        background_visibility = 1 - masks.sum(dim=1).clamp(max=1)
        image = (masks * layers).sum(dim=1) + background_visibility * background
        return dict(image=image, visibility=masks,
                    background_visibility=background_visibility)
