"""Supervised 3D pose loss on the labelled people."""
from typing import Optional

import torch
from mmengine.model import BaseModule

from nsd_toolkit.registry import MODELS


@MODELS.register_module()
class PoseLoss(BaseModule):
    """Mean squared error over the known coordinates of the targets (3D
    joints, or any other coordinates such as a root's place in its window).

    Targets may hold NaN (unknown joints, slots matched to nobody); those
    coordinates are left out. Errors are divided by ``unit`` first, so with
    mm data and ``unit=1000`` the loss is in square metres.

    Args:
        loss_weight (float): weight of the loss.
        unit (float): calibration units per loss unit.
    """

    def __init__(self,
                 loss_weight: float = 1.0,
                 unit: float = 1000.0,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if unit <= 0:
            raise ValueError(f'PoseLoss: unit must be > 0, got {unit}')
        self.loss_weight = loss_weight
        self.unit = unit

    def forward(self, pred: torch.Tensor,
                target: torch.Tensor) -> torch.Tensor:
        """Prediction and target of one shape (NaN = unknown) -> scalar.

        0 (still connected to ``pred``'s graph) when nothing is known.
        """
        known = torch.isfinite(target)
        error = torch.where(known, pred - target, torch.zeros_like(pred))
        squared = (error / self.unit).square().sum()
        return self.loss_weight * squared / known.sum().clamp_min(1)
