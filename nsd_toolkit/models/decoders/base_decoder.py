"""What a decoder D provides."""
from abc import ABCMeta, abstractmethod
from typing import Tuple

import torch
from mmengine.model import BaseModule


class BaseDecoder(BaseModule, metaclass=ABCMeta):
    """Decoder D: appearance and (rotated) 3D points -> a crop and its mask."""

    @abstractmethod
    def forward(self, appearance: torch.Tensor,
                points: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """appearance [M, A] and points [M, P, 3] in the target camera's
        frame -> (rgb [M, 3, h, w] normalised like the input images, mask
        [M, 1, h, w] in (0, 1])."""
