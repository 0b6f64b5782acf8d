"""P: the 3D latent of one person -> its root-relative 3D pose."""
from typing import Optional, Sequence

import torch
from torch import nn

from nsd_toolkit.registry import MODELS
from .base_pose_head import BasePoseHead


@MODELS.register_module()
class MLPPoseHead(BasePoseHead):
    """Fully connected pose regressor on a flattened latent (paper Fig. 2).

    Each hidden layer is Linear -> BatchNorm1d -> ReLU -> Dropout (the paper
    uses two of 1024, the research code two of 2048); a last Linear gives
    J x 3 values, times ``output_scale``, so the layers work on values of
    order one while the pose comes out in calibration units (mm). The root
    joint's prediction is subtracted, so poses are exactly root-relative.

    Args:
        in_channels (int): length of the latent, e.g. 3 x the encoder's
            ``num_points``.
        num_joints (int): J, 17 for the Human3.6M joint set.
        hidden_channels (Sequence[int]): widths of the hidden layers.
        dropout (float): dropout probability after each hidden layer.
        output_scale (float): calibration units per output unit (1000 turns
            metres into mm).
        root_index (int): the root joint (0 = pelvis in Human3.6M order).
        loss (dict): config of the pose loss (:class:`BasePoseHead`).
    """

    def __init__(self,
                 in_channels: int,
                 num_joints: int = 17,
                 hidden_channels: Sequence[int] = (1024, 1024),
                 dropout: float = 0.5,
                 output_scale: float = 1000.0,
                 root_index: int = 0,
                 loss: dict = dict(type='PoseLoss'),
                 init_cfg: Optional[dict] = None):
        super().__init__(loss=loss, init_cfg=init_cfg)
        if not 0 <= root_index < num_joints:
            raise ValueError(f'MLPPoseHead: root_index {root_index} is not a '
                             f'joint of {num_joints}')
        if output_scale <= 0 or not 0 <= dropout < 1:
            raise ValueError('MLPPoseHead: output_scale must be > 0 and '
                             f'dropout in [0, 1), got {output_scale}, '
                             f'{dropout}')
        layers = []
        width = in_channels
        for hidden in hidden_channels:
            layers += [
                nn.Linear(width, hidden),
                nn.BatchNorm1d(hidden),
                nn.ReLU(inplace=True),
                nn.Dropout(dropout)
            ]
            width = hidden
        layers.append(nn.Linear(width, num_joints * 3))
        self.layers = nn.Sequential(*layers)
        self.in_channels = in_channels
        self.num_joints = num_joints
        self.output_scale = output_scale
        self.root_index = root_index

    def forward(self, latent: torch.Tensor) -> torch.Tensor:
        """[M, in_channels] latents -> [M, J, 3] root-relative poses (mm)."""
        if latent.dim() != 2 or latent.shape[1] != self.in_channels:
            raise ValueError(f'MLPPoseHead expects [M, {self.in_channels}] '
                             f'latents, got {tuple(latent.shape)}')
        pose = self.layers(latent).view(-1, self.num_joints, 3)
        pose = pose - pose[:, self.root_index:self.root_index + 1]
        return pose * self.output_scale
