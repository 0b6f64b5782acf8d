"""P: the 3D latent of one person -> its root-relative 3D pose."""
from typing import Optional, Sequence

import torch

from nsd_toolkit.registry import MODELS
from ..utils import mlp
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
        normalize (bool): predict the pose as ``mean + std * output`` with
            the per-joint mean and standard deviation of the labelled
            poses (the research code's normalisation; ``PoseStatisticsHook``
            sets them before training, checkpoints keep them), so an
            untrained head already predicts about the mean pose;
            ``output_scale`` is then unused.
        loss (dict): config of the pose loss (:class:`BasePoseHead`).
    """

    def __init__(self,
                 in_channels: int,
                 num_joints: int = 17,
                 hidden_channels: Sequence[int] = (1024, 1024),
                 dropout: float = 0.5,
                 output_scale: float = 1000.0,
                 root_index: int = 0,
                 normalize: bool = False,
                 loss: dict = dict(type='PoseLoss'),
                 init_cfg: Optional[dict] = None):
        super().__init__(loss=loss, init_cfg=init_cfg)
        if not 0 <= root_index < num_joints:
            raise ValueError(f'MLPPoseHead: root_index {root_index} is not a '
                             f'joint of {num_joints}')
        if output_scale <= 0:
            raise ValueError('MLPPoseHead: output_scale must be > 0, got '
                             f'{output_scale}')
        self.layers = mlp(in_channels, hidden_channels, dropout,
                          num_joints * 3, 'MLPPoseHead')
        self.in_channels = in_channels
        self.num_joints = num_joints
        self.output_scale = output_scale
        self.root_index = root_index
        self.normalize = normalize
        if normalize:
            self.register_buffer('pose_mean', torch.zeros(num_joints, 3))
            self.register_buffer('pose_std', torch.ones(num_joints, 3))

    @torch.no_grad()
    def set_pose_statistics(self, poses: torch.Tensor) -> None:
        """Per-joint mean and std (clamped at 1 mm) of ``poses`` [K, J, 3]
        (root-relative, mm; NaN = unknown) for ``normalize``."""
        if not self.normalize:
            raise RuntimeError('MLPPoseHead: set_pose_statistics needs '
                               'normalize=True')
        if poses.dim() != 3 or poses.shape[1:] != (self.num_joints, 3):
            raise ValueError(f'MLPPoseHead: poses must be [K, '
                             f'{self.num_joints}, 3], got {tuple(poses.shape)}')
        mean = poses.nanmean(dim=0)
        std = (poses - mean).square().nanmean(dim=0).sqrt()
        if not torch.isfinite(mean).all():
            raise ValueError('MLPPoseHead: a joint is unknown in every '
                             'labelled pose')
        self.pose_mean.copy_(mean)
        self.pose_std.copy_(std.clamp_min(1.0))

    def forward(self, latent: torch.Tensor) -> torch.Tensor:
        """[M, in_channels] latents -> [M, J, 3] root-relative poses (mm)."""
        if latent.dim() != 2 or latent.shape[1] != self.in_channels:
            raise ValueError(f'MLPPoseHead expects [M, {self.in_channels}] '
                             f'latents, got {tuple(latent.shape)}')
        pose = self.layers(latent).view(-1, self.num_joints, 3)
        if self.normalize:
            pose = self.pose_mean + self.pose_std * pose
        else:
            pose = pose * self.output_scale
        return pose - pose[:, self.root_index:self.root_index + 1]
