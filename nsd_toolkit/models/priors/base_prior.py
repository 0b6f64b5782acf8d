"""What a box prior provides."""
from abc import ABCMeta, abstractmethod

import torch
from mmengine.model import BaseModule


class BasePrior(BaseModule, metaclass=ABCMeta):
    """A weak, label-free loss on the detector's boxes.

    Subclasses set ``loss_weight`` and implement :meth:`forward`, which
    receives the boxes and whatever context the prior needs (``BoxPrior``:
    the image aspect ratio; ``ProposalPrior``: background-subtraction
    proposals and the image size) and returns the weighted loss.
    """

    loss_weight: float

    @abstractmethod
    def forward(self, center: torch.Tensor, scale: torch.Tensor, *context
                ) -> torch.Tensor:
        """center, scale [B, N, 2] normalised boxes -> weighted scalar."""
