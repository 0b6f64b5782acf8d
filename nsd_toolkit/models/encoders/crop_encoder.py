"""Encoder E: person crop -> appearance vector and 3D point latent."""
from typing import Optional, Sequence, Tuple

import torch

from nsd_toolkit.registry import MODELS
from ..utils import ConvFCHead, check_positive_ints
from .base_encoder import BaseEncoder


@MODELS.register_module()
class CropEncoder(BaseEncoder):
    """Backbone, conv-fc head, output split into appearance and 3D points.

    The paper's E is ResNet-50 up to ``layer3`` (ImageNet weights) with
    ``conv1 .. layer2`` frozen: ``backbone=dict(type='ResNetTrunk',
    depth=50, num_stages=3, frozen_stages=2, init_cfg=...)``.
    The points are raw linear outputs, in the crop camera's frame (no unit:
    only their rotation matters).

    Args:
        backbone (dict): config of a registered backbone
            (:class:`~nsd_toolkit.models.backbones.BaseBackbone`) taking
            3-channel crops; the head reads its ``out_channels``.
        appearance_dim (int): A.
        num_points (int): P.
        head_channels (tuple): channels of the two head convs.
        init_cfg (dict, optional): init of the whole encoder.
    """

    def __init__(self,
                 backbone: dict,
                 appearance_dim: int = 128,
                 num_points: int = 200,
                 head_channels: Sequence[int] = (512, 128),
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        check_positive_ints('CropEncoder', appearance_dim=appearance_dim,
                            num_points=num_points)
        self.appearance_dim = appearance_dim
        self.num_points = num_points
        self.backbone = MODELS.build(backbone)
        self.head = ConvFCHead(self.backbone.out_channels,
                               appearance_dim + 3 * num_points, head_channels)

    def forward(self,
                crops: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """[M, 3, h, w] normalised crops -> (appearance [M, A], points
        [M, P, 3])."""
        out = self.head(self.backbone(crops))
        appearance, points = out.split(
            [self.appearance_dim, 3 * self.num_points], dim=1)
        return appearance, points.reshape(-1, self.num_points, 3)
