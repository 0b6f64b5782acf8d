"""Template root head: one linear layer."""
from typing import Optional

import torch
from torch import nn

from nsd_toolkit.models.root_heads import BaseRootHead
from nsd_toolkit.registry import MODELS


@MODELS.register_module()
class LinearRootHead(BaseRootHead):
    """latent [M, in_channels] -> [M, 2] offset of the root joint from the
    crop window's centre, in window units: one linear layer. The loss comes
    from :class:`BaseRootHead` (``loss=dict(type='PoseLoss', unit=0.01)``).
    """

    def __init__(self,
                 in_channels: int,
                 loss: dict = dict(type='PoseLoss', unit=0.01),
                 init_cfg: Optional[dict] = None):
        super().__init__(loss=loss, init_cfg=init_cfg)
        self.linear = nn.Linear(in_channels, 2)
        self.in_channels = in_channels

    def forward(self, latent: torch.Tensor) -> torch.Tensor:
        return self.linear(latent)
