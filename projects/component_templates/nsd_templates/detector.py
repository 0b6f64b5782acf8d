"""Template detector: pooled backbone features -> N boxes."""
from typing import Dict, Optional

import torch
from torch import nn

from nsd_toolkit.models.detectors import BaseDetector
from nsd_toolkit.registry import MODELS


@MODELS.register_module()
class PooledBoxDetector(BaseDetector):
    """Backbone, global average pool and one linear layer: per slot a centre
    (tanh, normalised coordinates), a scale (sigmoid, fraction of the half
    extent) and a relative depth.

    Args:
        backbone (dict): any registered backbone; its ``out_channels`` sizes
            the head.
        num_people (int): N, the box slots.
    """

    def __init__(self,
                 backbone: dict,
                 num_people: int = 1,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.head = nn.Linear(self.backbone.out_channels, num_people * 5)
        self.num_people = num_people

    def forward(self,
                img: torch.Tensor,
                background: Optional[torch.Tensor] = None
                ) -> Dict[str, torch.Tensor]:
        """[B, 3, H, W] -> center, scale [B, N, 2] and depth [B, N]."""
        raw = self.head(self.backbone(img).mean((2, 3)))
        raw = raw.view(img.shape[0], self.num_people, 5)
        return dict(center=raw[..., :2].tanh(), scale=raw[..., 2:4].sigmoid(),
                    depth=raw[..., 4])
