"""R: the latent of one person -> where its root joint lies in its window."""
from typing import Optional, Sequence

import torch

from nsd_toolkit.registry import MODELS
from ..utils import mlp
from .base_root_head import BaseRootHead


@MODELS.register_module()
class MLPRootHead(BaseRootHead):
    """Regresses the root joint's pixel inside the slot's crop window.

    P's poses are root-relative; motion capture triangulates each person's
    root from one pixel per view. The centre of a box (crop window or mask)
    misses the root where the box is cut by the frame or holds more than
    the body; this head learns the root's place from the same few labels
    as P, with P's MLP (:func:`~nsd_toolkit.models.utils.mlp`). Its output
    is in window units (:class:`BaseRootHead`), so it does not depend on
    the window's size.

    Args:
        in_channels (int): length of the latent (as P's).
        hidden_channels (Sequence[int]): widths of the hidden layers.
        dropout (float): dropout probability after each hidden layer (0.1:
            the root error of motion capture on validation was lower than
            with P's 0.5 on the ordinary cameras, docs/benchmarks.md).
        loss (dict): see :class:`BaseRootHead`.
        init_cfg (dict, optional): initialisation.
    """

    def __init__(self,
                 in_channels: int,
                 hidden_channels: Sequence[int] = (1024, 1024),
                 dropout: float = 0.1,
                 loss: dict = dict(type='PoseLoss', unit=0.01),
                 init_cfg: Optional[dict] = None):
        super().__init__(loss=loss, init_cfg=init_cfg)
        self.layers = mlp(in_channels, hidden_channels, dropout, 2,
                          'MLPRootHead')
        self.in_channels = in_channels

    def forward(self, latent: torch.Tensor) -> torch.Tensor:
        """[M, in_channels] latents -> [M, 2] root offsets (window units)."""
        if latent.dim() != 2 or latent.shape[1] != self.in_channels:
            raise ValueError(f'MLPRootHead expects [M, {self.in_channels}] '
                             f'latents, got {tuple(latent.shape)}')
        return self.layers(latent)
