"""Template decoder: one linear layer to a coarse crop, upsampled."""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from nsd_toolkit.models.decoders import BaseDecoder
from nsd_toolkit.registry import MODELS


@MODELS.register_module()
class LinearDecoder(BaseDecoder):
    """Appearance and flattened points -> an RGB crop and mask of
    ``coarse_size``, bilinearly upsampled to ``crop_size``; the mask through
    a sigmoid.

    Args:
        appearance_dim (int): A.
        num_points (int): P.
        crop_size (Sequence[int]): (h, w) of the output crops, pixels.
        coarse_size (Sequence[int]): (h, w) of the linear layer's output.
    """

    def __init__(self,
                 appearance_dim: int,
                 num_points: int,
                 crop_size: Sequence[int],
                 coarse_size: Sequence[int] = (8, 8),
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.linear = nn.Linear(appearance_dim + 3 * num_points,
                                4 * coarse_size[0] * coarse_size[1])
        self.crop_size = tuple(crop_size)
        self.coarse_size = tuple(coarse_size)

    def forward(self, appearance: torch.Tensor,
                points: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """appearance [M, A], points [M, P, 3] -> rgb [M, 3, h, w], mask
        [M, 1, h, w]."""
        code = torch.cat([appearance, points.flatten(1)], dim=1)
        coarse = self.linear(code).view(-1, 4, *self.coarse_size)
        out = F.interpolate(coarse, size=self.crop_size, mode='bilinear',
                            align_corners=False)
        return out[:, :3], out[:, 3:].sigmoid()
