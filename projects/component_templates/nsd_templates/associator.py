"""Template associator: scaled dot products of the whole appearance."""
import torch

from nsd_toolkit.models.associators import BaseAssociator
from nsd_toolkit.registry import MODELS


@MODELS.register_module()
class DotProductAssociator(BaseAssociator):
    """Similarity ``S[b, j, i] = <target_j, source_i> / sqrt(D)``; the row
    softmax in training, the Hungarian permutation (``BaseAssociator``) at
    evaluation."""

    def similarity(self, app_src: torch.Tensor,
                   app_tgt: torch.Tensor) -> torch.Tensor:
        """[B, N, D] each -> [B, N, N]."""
        return app_tgt @ app_src.transpose(1, 2) / app_src.shape[-1]**0.5

    def forward(self, app_src: torch.Tensor,
                app_tgt: torch.Tensor) -> torch.Tensor:
        """[B, N, D] each -> assignment [B, N, N], rows summing to 1."""
        sim = self.similarity(app_src, app_tgt)
        return sim.softmax(dim=-1) if self.training else self.hungarian(sim)
