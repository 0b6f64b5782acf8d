"""What a detector B provides."""
from abc import ABCMeta, abstractmethod
from typing import Dict, Optional

import torch
from mmengine.model import BaseModule


class BaseDetector(BaseModule, metaclass=ABCMeta):
    """Detector B: a full frame -> N person boxes with relative depths.

    Subclasses set ``num_people`` (N, the box slots) and implement
    :meth:`forward`. Boxes are in normalised image coordinates ([-1, 1] on
    both axes, ``align_corners=False``): the box spans ``center +- scale``.
    """

    num_people: int

    @abstractmethod
    def forward(self,
                img: torch.Tensor,
                background: Optional[torch.Tensor] = None
                ) -> Dict[str, torch.Tensor]:
        """
        Args:
            img: [B, 3, H, W] normalised frames.
            background: [B, 3, H, W] the camera's median background, same
                normalisation (detectors that do not use it accept None).

        Returns:
            ``center`` [B, N, 2] and ``scale`` [B, N, 2] (x, y; fractions of
            the image's half extent) and ``depth`` [B, N] (relative, no unit;
            smaller is nearer); optionally ``presence`` [B, N] in [0, 1]
            (whether each slot holds a person; its mask is scaled by it).
        """
