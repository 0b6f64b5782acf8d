"""Perceptual loss on the features of a frozen backbone."""
from typing import Sequence

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule

from nsd_toolkit.registry import MODELS
from .utils import standardize_like


@MODELS.register_module()
class PerceptualLoss(BaseModule):
    """Mean over ``layers`` of the feature MSE of a frozen backbone.

    Inputs must be normalised like the backbone's training data (ImageNet
    mean/std, as the data preprocessor does). The feature network never
    trains: ``requires_grad=False`` and eval mode through ``train()``. Its
    weights are part of the model's state dict (kept in checkpoints) but are
    left out of the optimiser.

    Args:
        backbone (dict): config of a registered backbone
            (:class:`~nsd_toolkit.models.backbones.BaseBackbone`) with the
            ``layers`` below; the paper's is an ImageNet ResNet-18,
            ``dict(type='ResNetTrunk', depth=18, num_stages=2,
            init_cfg=dict(type='Pretrained',
            checkpoint='torchvision://resnet18'))``; random features without
            the ``init_cfg``.
        loss_weight (float): weight of the loss.
        layers (tuple): backbone layers whose outputs are compared (for
            ``ResNetTrunk`` among ``relu, maxpool, layer1 .. layer4``).
        standardize (bool): see :class:`PixelLoss`.
    """

    def __init__(self,
                 backbone: dict,
                 loss_weight: float = 2.0,
                 layers: Sequence[str] = ('relu', 'layer1', 'layer2'),
                 standardize: bool = False):
        super().__init__()
        self.loss_weight = loss_weight
        self.layers = tuple(layers)
        self.standardize = standardize
        self.backbone = MODELS.build(backbone)
        known = {name for name, _ in self.backbone.named_layers()}
        if not set(self.layers) <= known:
            raise KeyError(
                f'PerceptualLoss: layers {sorted(set(self.layers) - known)} '
                f'are not in the backbone (it has {sorted(known)})')
        self.backbone.requires_grad_(False)

    def train(self, mode: bool = True) -> 'PerceptualLoss':
        super().train(mode)
        self.backbone.eval()
        return self

    def forward(self, pred: torch.Tensor,
                target: torch.Tensor) -> torch.Tensor:
        """[B, 3, H, W] prediction and target -> weighted scalar."""
        if self.standardize:
            pred = standardize_like(pred, target)
        with torch.no_grad():
            target_feats = self.backbone.layer_outputs(target, self.layers)
        pred_feats = self.backbone.layer_outputs(pred, self.layers)
        loss = sum(
            F.mse_loss(p, t) for p, t in zip(pred_feats, target_feats))
        return self.loss_weight * loss / len(self.layers)
