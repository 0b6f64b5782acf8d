"""What a pose head P provides."""
from abc import ABCMeta, abstractmethod
from typing import Optional

import torch
from mmengine.model import BaseModule

from nsd_toolkit.registry import MODELS


class BasePoseHead(BaseModule, metaclass=ABCMeta):
    """P: one person's latent -> root-relative 3D pose; owns its loss.

    As mmpose's heads, a head builds its ``loss_module`` from the ``loss``
    config and scores its own predictions (:meth:`loss`). Subclasses set
    ``in_channels`` and ``root_index`` and implement :meth:`forward`.

    Args:
        loss (dict): config of the pose loss (default :class:`PoseLoss`).
        init_cfg (dict, optional): initialisation.
    """

    in_channels: int
    root_index: int

    def __init__(self,
                 loss: dict = dict(type='PoseLoss'),
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.loss_module = MODELS.build(loss)

    @abstractmethod
    def forward(self, latent: torch.Tensor) -> torch.Tensor:
        """[M, in_channels] latents -> [M, J, 3] root-relative poses in the
        latent's camera frame (calibration units, mm)."""

    def loss(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """[..., J, 3] predictions and targets (NaN = unknown) -> scalar."""
        return self.loss_module(pred, target)
