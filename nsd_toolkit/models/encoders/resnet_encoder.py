"""Encoder E: person crop -> appearance vector and 3D point latent."""
from typing import Optional, Sequence, Tuple

import torch
from mmengine.model import BaseModule

from nsd_toolkit.registry import MODELS
from ..backbones import ConvFCHead, ResNetTrunk


@MODELS.register_module()
class ResNetEncoder(BaseModule):
    """ResNet trunk, conv-fc head, output split into appearance and 3D points.

    The paper's E is ResNet-50 up to ``layer3`` (ImageNet weights) with
    ``conv1 .. layer2`` frozen: ``depth=50, num_stages=3, frozen_stages=2``.
    The points are raw linear outputs, in the crop camera's frame (no unit:
    only their rotation matters).

    Args:
        depth (int): trunk ResNet depth (18, 34, 50).
        num_stages (int): trunk stages.
        base_channels (int): trunk width; 64 for ImageNet weights.
        appearance_dim (int): A.
        num_points (int): P.
        frozen_stages (int): see :class:`ResNetTrunk`.
        head_channels (tuple): channels of the two head convs.
        trunk_init_cfg (dict, optional): init of the trunk alone, e.g.
            ``dict(type='Pretrained', checkpoint='torchvision://resnet50')``.
        init_cfg (dict, optional): init of the whole encoder.
    """

    def __init__(self,
                 depth: int = 50,
                 num_stages: int = 3,
                 base_channels: int = 64,
                 appearance_dim: int = 128,
                 num_points: int = 200,
                 frozen_stages: int = -1,
                 head_channels: Sequence[int] = (512, 128),
                 trunk_init_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.appearance_dim = appearance_dim
        self.num_points = num_points
        self.trunk = ResNetTrunk(
            depth=depth,
            num_stages=num_stages,
            base_channels=base_channels,
            frozen_stages=frozen_stages,
            init_cfg=trunk_init_cfg)
        self.head = ConvFCHead(self.trunk.out_channels,
                               appearance_dim + 3 * num_points, head_channels)

    def forward(self,
                crops: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """[M, 3, h, w] normalised crops -> (appearance [M, A], points
        [M, P, 3])."""
        out = self.head(self.trunk(crops))
        appearance, points = out.split(
            [self.appearance_dim, 3 * self.num_points], dim=1)
        return appearance, points.reshape(-1, self.num_points, 3)
