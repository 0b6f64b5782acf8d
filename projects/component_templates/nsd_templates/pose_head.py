"""Template pose head: one linear layer."""
from typing import Optional

import torch
from torch import nn

from nsd_toolkit.models.pose_heads import BasePoseHead
from nsd_toolkit.registry import MODELS


@MODELS.register_module()
class LinearPoseHead(BasePoseHead):
    """latent [M, in_channels] -> root-relative pose [M, J, 3] in mm: one
    linear layer times ``output_scale``, the root joint subtracted. The loss
    comes from :class:`BasePoseHead` (``loss=dict(type='PoseLoss')``)."""

    def __init__(self,
                 in_channels: int,
                 num_joints: int = 17,
                 root_index: int = 0,
                 output_scale: float = 1000.0,
                 loss: dict = dict(type='PoseLoss'),
                 init_cfg: Optional[dict] = None):
        super().__init__(loss=loss, init_cfg=init_cfg)
        self.linear = nn.Linear(in_channels, num_joints * 3)
        self.in_channels = in_channels
        self.num_joints = num_joints
        self.root_index = root_index
        self.output_scale = output_scale

    def forward(self, latent: torch.Tensor) -> torch.Tensor:
        pose = self.linear(latent).view(-1, self.num_joints, 3)
        pose = pose * self.output_scale
        return pose - pose[:, self.root_index:self.root_index + 1]
