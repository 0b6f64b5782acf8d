"""Pixel-wise reconstruction loss."""
from typing import Optional

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule

from nsd_toolkit.registry import MODELS
from .utils import standardize_like


@MODELS.register_module()
class PixelLoss(BaseModule):
    """Mean squared error over pixels and channels.

    Args:
        loss_weight (float): weight of the loss.
        standardize (bool): match the prediction's per-image, per-channel mean
            and std to the target's first (:func:`standardize_like`).
    """

    def __init__(self,
                 loss_weight: float = 1.0,
                 standardize: bool = False,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.loss_weight = loss_weight
        self.standardize = standardize

    def forward(self, pred: torch.Tensor,
                target: torch.Tensor) -> torch.Tensor:
        """[B, 3, H, W] prediction and target -> weighted scalar."""
        if self.standardize:
            pred = standardize_like(pred, target)
        return self.loss_weight * F.mse_loss(pred, target)
