"""Cross-view matching of person slots by appearance similarity."""
import torch

from nsd_toolkit.registry import MODELS
from .base_associator import BaseAssociator


@MODELS.register_module()
class AppearanceAssociator(BaseAssociator):
    """Match the N slots of a source view to those of a target view.

    The similarity ``M[b, j, i]`` is the cosine similarity of the first
    ``num_channels`` appearance values of target slot j and source slot i
    (each vector divided by ``max(norm, 1e-4)``). In training the assignment is
    the row-wise softmax of ``beta * M`` (soft, differentiable). At
    evaluation (``self.training`` False) with ``hard_at_eval`` it is the
    permutation matrix that maximises the summed similarity (Hungarian
    algorithm), so every source slot is used exactly once; the research code's
    row-wise argmax may map two target slots to one source slot.

    Args:
        num_channels: number of leading appearance values compared (k).
        beta: inverse softmax temperature (> 0); larger is closer to hard.
        hard_at_eval: return a permutation matrix at evaluation; if False the
            softmax is used in both modes.
    """

    eps = 1e-4

    def __init__(self,
                 num_channels: int = 16,
                 beta: float = 10.0,
                 hard_at_eval: bool = True,
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if num_channels < 1:
            raise ValueError('AppearanceAssociator: num_channels must be >= 1, '
                             f'got {num_channels}')
        if beta <= 0:
            raise ValueError(
                f'AppearanceAssociator: beta must be > 0, got {beta}')
        self.num_channels = num_channels
        self.beta = beta
        self.hard_at_eval = hard_at_eval

    def similarity(self, app_src: torch.Tensor,
                   app_tgt: torch.Tensor) -> torch.Tensor:
        """Cosine similarity [B, N, N], ``M[b, j, i]`` of target j, source i."""
        if app_src.shape != app_tgt.shape or app_src.dim() != 3:
            raise ValueError(
                'AppearanceAssociator: app_src and app_tgt must both be '
                f'[B, N, D], got {tuple(app_src.shape)} and '
                f'{tuple(app_tgt.shape)}')
        dim = app_src.shape[-1]
        if self.num_channels > dim:
            raise ValueError(
                f'AppearanceAssociator: num_channels={self.num_channels} '
                f'exceeds the appearance dimension D={dim}')
        src = torch.nn.functional.normalize(
            app_src[..., :self.num_channels], dim=-1, eps=self.eps)
        tgt = torch.nn.functional.normalize(
            app_tgt[..., :self.num_channels], dim=-1, eps=self.eps)
        return tgt @ src.transpose(1, 2)

    def forward(self, app_src: torch.Tensor,
                app_tgt: torch.Tensor) -> torch.Tensor:
        """
        Args:
            app_src (Tensor): [B, N, D] appearance of the source-view slots.
            app_tgt (Tensor): [B, N, D] appearance of the target-view slots.

        Returns:
            Tensor: A [B, N, N], rows summing to 1; ``A[b, j, i]`` is the
            weight of source slot i for target slot j.
        """
        sim = self.similarity(app_src, app_tgt)
        if self.training or not self.hard_at_eval:
            return torch.softmax(self.beta * sim, dim=-1)
        return self.hungarian(sim)
