"""Perceptual loss on frozen ResNet features."""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule

from nsd_toolkit.registry import MODELS
from ..backbones import ResNetTrunk
from .utils import standardize_like


@MODELS.register_module()
class PerceptualLoss(BaseModule):
    """Mean over ``layers`` of the feature MSE of a frozen ResNet.

    Inputs must be normalised like the ResNet's training data (ImageNet
    mean/std, as the data preprocessor does). The feature network never
    trains: ``requires_grad=False`` and eval mode through ``train()``. Its
    weights are part of the model's state dict (kept in checkpoints) and
    mmengine's default optimizer constructor still lists them, but they never
    receive gradients, so no optimizer step changes them.

    Args:
        loss_weight (float): weight of the loss.
        depth (int): ResNet depth of the feature network.
        base_channels (int): width of its first stage (64 for ImageNet
            weights; narrower random features are cheaper on CPU).
        layers (tuple): trunk children whose outputs are compared, among
            ``relu, maxpool, layer1 .. layer4``.
        standardize (bool): see :class:`PixelLoss`.
        init_cfg (dict, optional): initialisation of the feature network,
            normally ``dict(type='Pretrained',
            checkpoint='torchvision://resnet18')``; random features otherwise.
    """

    def __init__(self,
                 loss_weight: float = 2.0,
                 depth: int = 18,
                 base_channels: int = 64,
                 layers: Sequence[str] = ('relu', 'layer1', 'layer2'),
                 standardize: bool = False,
                 init_cfg: Optional[dict] = None):
        super().__init__()
        self.loss_weight = loss_weight
        self.layers = tuple(layers)
        self.standardize = standardize
        num_stages = max((int(n[5:]) for n in layers if n.startswith('layer')),
                         default=0)
        self.trunk = ResNetTrunk(
            depth=depth,
            num_stages=num_stages,
            base_channels=base_channels,
            frozen_stages=num_stages,
            init_cfg=init_cfg)

    def train(self, mode: bool = True) -> 'PerceptualLoss':
        super().train(mode)
        self.trunk.eval()
        return self

    def forward(self, pred: torch.Tensor,
                target: torch.Tensor) -> torch.Tensor:
        """[B, 3, H, W] prediction and target -> weighted scalar."""
        if self.standardize:
            pred = standardize_like(pred, target)
        with torch.no_grad():
            target_feats = self.trunk.features(target, self.layers)
        pred_feats = self.trunk.features(pred, self.layers)
        loss = sum(
            F.mse_loss(p, t) for p, t in zip(pred_feats, target_feats))
        return self.loss_weight * loss / len(self.layers)
