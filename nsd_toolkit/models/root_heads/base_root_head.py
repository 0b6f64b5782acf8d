"""What a root head R provides."""
from abc import ABCMeta, abstractmethod
from typing import Optional

import torch
from mmengine.model import BaseModule

from nsd_toolkit.registry import MODELS


class BaseRootHead(BaseModule, metaclass=ABCMeta):
    """R: one person's latent -> where its root joint lies in its crop
    window; owns its loss (as :class:`~nsd_toolkit.models.pose_heads.
    BasePoseHead`). Subclasses set ``in_channels`` and implement
    :meth:`forward`.

    Args:
        loss (dict): config of the loss on [..., 2] offsets (NaN = unknown);
            the default is the mean squared error in hundredths of the
            window.
        init_cfg (dict, optional): initialisation.
    """

    in_channels: int

    def __init__(self,
                 loss: dict = dict(type='PoseLoss', unit=0.01),
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.loss_module = MODELS.build(loss)

    @abstractmethod
    def forward(self, latent: torch.Tensor) -> torch.Tensor:
        """[M, in_channels] latents -> [M, 2] offsets of the root from the
        crop window's centre, in units of the window's width and height
        (:func:`~nsd_toolkit.structures.window_to_pixels`)."""

    def loss(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """[..., 2] predicted and target offsets (NaN = unknown) -> scalar."""
        return self.loss_module(pred, target)
