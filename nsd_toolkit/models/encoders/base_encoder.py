"""What an encoder E provides."""
from abc import ABCMeta, abstractmethod
from typing import Tuple

import torch
from mmengine.model import BaseModule


class BaseEncoder(BaseModule, metaclass=ABCMeta):
    """Encoder E: a person crop -> appearance vector and 3D point latent.

    Subclasses set ``appearance_dim`` (A) and ``num_points`` (P; the pose
    head's input is the flattened ``3 * P`` points) and implement
    :meth:`forward`.
    """

    appearance_dim: int
    num_points: int

    @abstractmethod
    def forward(self,
                crops: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """[M, 3, h, w] normalised crops -> (appearance [M, A], points
        [M, P, 3] in the crop camera's frame, no unit: only their rotation
        matters)."""
