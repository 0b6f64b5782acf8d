"""Template box prior: boxes no smaller than a minimum."""
from typing import Optional

import torch
import torch.nn.functional as F

from nsd_toolkit.models.priors import BasePrior
from nsd_toolkit.registry import MODELS


@MODELS.register_module()
class MinimumScalePrior(BasePrior):
    """``loss_weight * mean(relu(min_scale - scale)^2)``: penalises box
    half-extents below ``min_scale`` (fraction of the image's half extent);
    the context the model passes (e.g. the image aspect) is not needed."""

    def __init__(self,
                 min_scale: float = 0.2,
                 loss_weight: float = 1.0,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.min_scale = min_scale
        self.loss_weight = loss_weight

    def forward(self, center: torch.Tensor, scale: torch.Tensor,
                *context) -> torch.Tensor:
        """center, scale [B, N, 2] -> weighted scalar."""
        return self.loss_weight * F.relu(self.min_scale - scale).pow(2).mean()
