"""What an associator provides: slots of one view matched to another's."""
from abc import ABCMeta, abstractmethod

import numpy as np
import torch
from mmengine.model import BaseModule
from scipy.optimize import linear_sum_assignment


class BaseAssociator(BaseModule, metaclass=ABCMeta):
    """Match the N slots of a source view to those of a target view.

    Subclasses implement :meth:`similarity`; :meth:`forward` (training:
    soft assignment) and :meth:`hungarian` (a permutation) build on it.
    """

    @abstractmethod
    def similarity(self, app_src: torch.Tensor,
                   app_tgt: torch.Tensor) -> torch.Tensor:
        """[B, N, D] source and target slot appearances -> [B, N, N],
        ``S[b, j, i]`` the similarity of target slot j and source slot i."""

    @abstractmethod
    def forward(self, app_src: torch.Tensor,
                app_tgt: torch.Tensor) -> torch.Tensor:
        """[B, N, D] source and target slot appearances -> assignment
        [B, N, N] with rows summing to 1: ``A[b, j, i]`` the weight of
        source slot i for target slot j."""

    @staticmethod
    def hungarian(sim: torch.Tensor) -> torch.Tensor:
        """One-hot permutation matrices [B, N, N] maximising the summed
        ``sim`` [B, N, N]."""
        scores = sim.detach().cpu().numpy()
        source = np.stack(
            [linear_sum_assignment(s, maximize=True)[1] for s in scores])
        index = torch.from_numpy(source).to(sim.device)
        return torch.nn.functional.one_hot(
            index, sim.shape[-1]).to(sim.dtype)
