"""Template encoder: pooled backbone features -> appearance and 3D points."""
from typing import Optional, Tuple

import torch
from torch import nn

from nsd_toolkit.models.encoders import BaseEncoder
from nsd_toolkit.registry import MODELS


@MODELS.register_module()
class PooledEncoder(BaseEncoder):
    """Backbone, global average pool and one linear layer split into the
    appearance [M, A] and the 3D points [M, P, 3].

    Args:
        backbone (dict): any registered backbone.
        appearance_dim (int): A.
        num_points (int): P.
    """

    def __init__(self,
                 backbone: dict,
                 appearance_dim: int = 16,
                 num_points: int = 8,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.head = nn.Linear(self.backbone.out_channels,
                              appearance_dim + 3 * num_points)
        self.appearance_dim = appearance_dim
        self.num_points = num_points

    def forward(self,
                crops: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """[M, 3, h, w] -> appearance [M, A], points [M, P, 3]."""
        out = self.head(self.backbone(crops).mean((2, 3)))
        appearance, points = out.split(
            [self.appearance_dim, 3 * self.num_points], dim=1)
        return appearance, points.reshape(-1, self.num_points, 3)
