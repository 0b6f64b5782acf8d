"""What a compositor provides."""
from abc import ABCMeta, abstractmethod
from typing import Dict, Optional

import torch
from mmengine.model import BaseModule


class BaseCompositor(BaseModule, metaclass=ABCMeta):
    """N person layers with their masks over a background -> one image."""

    @abstractmethod
    def forward(self, layers: torch.Tensor, masks: torch.Tensor,
                depths: Optional[torch.Tensor],
                background: torch.Tensor) -> Dict[str, torch.Tensor]:
        """
        Args:
            layers: [B, N, C, H, W] the people's un-cropped appearance.
            masks: [B, N, 1, H, W] their masks in [0, 1].
            depths: [B, N] relative depths (smaller is nearer), or None for
                compositors that ignore depth.
            background: [B, C, H, W].

        Returns:
            ``image`` [B, C, H, W], ``visibility`` [B, N, 1, H, W] (each
            person's weight in the image), ``background_visibility``
            [B, 1, H, W] and, for depth-aware compositors, ``depth``
            [B, 1, H, W] (for display).
        """
