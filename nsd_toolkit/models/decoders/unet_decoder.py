"""Decoder D: appearance and 3D point latent -> RGB crop and mask."""
from typing import Optional, Sequence, Tuple

import torch
from torch import nn

from nsd_toolkit.registry import MODELS
from ..utils import check_positive_ints
from .base_decoder import BaseDecoder


@MODELS.register_module()
class UNetDecoder(BaseDecoder):
    """The decoder half of a U-Net, without the skip connections.

    The paper calls D a U-Net (32/64/128/256 channels); in NSD there is no
    encoder feature map to skip from: the (rotated) latent must be the only
    path from input to output, otherwise novel-view synthesis could copy the
    source view. Structure::

        points [M, P*3] -fc-> ReLU, dropout -> [M, C0 - A, h0, w0]
        concat tiled appearance              -> [M, C0, h0, w0]
        per c in channels[1:]: bilinear x2, (3x3 conv + ReLU) x 2 -> [M, c, ..]
        1x1 conv -> 4 channels: rgb (no activation), mask logit

    Args:
        appearance_dim (int): A.
        num_points (int): P.
        crop_size (tuple): (h, w), each divisible by
            ``2 ** (len(channels) - 1)``; ``(h0, w0) = crop_size / 2 **
            (len(channels) - 1)``.
        channels (tuple): C0 (base map, after concatenating the appearance;
            must exceed A) then the width of each up-stage.
        dropout (float): on the fc output.
        mask_floor (float): masks lie in ``[mask_floor, 1]``.
    """

    def __init__(self,
                 appearance_dim: int = 128,
                 num_points: int = 200,
                 crop_size: Sequence[int] = (128, 128),
                 channels: Sequence[int] = (256, 128, 64, 32),
                 dropout: float = 0.3,
                 mask_floor: float = 1e-4,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        check_positive_ints('UNetDecoder', appearance_dim=appearance_dim,
                            num_points=num_points, crop_size=crop_size,
                            channels=channels)
        factor = 2**(len(channels) - 1)
        if any(s % factor for s in crop_size):
            raise ValueError(f'UNetDecoder: crop_size must be divisible by '
                             f'{factor}, got {tuple(crop_size)}')
        if channels[0] <= appearance_dim:
            raise ValueError(f'UNetDecoder: channels[0] must exceed '
                             f'appearance_dim ({appearance_dim}), got '
                             f'{channels[0]}')
        self.base_size = (crop_size[0] // factor, crop_size[1] // factor)
        self.latent_channels = channels[0] - appearance_dim
        self.mask_floor = mask_floor
        self.fc = nn.Sequential(
            nn.Linear(3 * num_points,
                      self.latent_channels * self.base_size[0] *
                      self.base_size[1]), nn.ReLU(inplace=True),
            nn.Dropout(dropout))
        stages = []
        for c_in, c_out in zip(channels[:-1], channels[1:]):
            stages += [
                nn.Upsample(
                    scale_factor=2, mode='bilinear', align_corners=False),
                nn.Conv2d(c_in, c_out, 3, padding=1),
                nn.ReLU(inplace=True),
                nn.Conv2d(c_out, c_out, 3, padding=1),
                nn.ReLU(inplace=True)
            ]
        self.up = nn.Sequential(*stages)
        self.out = nn.Conv2d(channels[-1], 4, 1)

    def forward(self, appearance: torch.Tensor,
                points: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """
        Args:
            appearance (Tensor): [M, A].
            points (Tensor): [M, P, 3], in the target crop camera's frame.

        Returns:
            tuple: rgb [M, 3, h, w] (normalised image space), mask
            [M, 1, h, w] in [mask_floor, 1].
        """
        m = points.shape[0]
        h0, w0 = self.base_size
        x = self.fc(points.reshape(m, -1)).view(m, self.latent_channels, h0,
                                                w0)
        tiled = appearance[:, :, None, None].expand(-1, -1, h0, w0)
        out = self.out(self.up(torch.cat([x, tiled], dim=1)))
        mask = self.mask_floor + (1 - self.mask_floor) * torch.sigmoid(
            out[:, 3:])
        return out[:, :3], mask
