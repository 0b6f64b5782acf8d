"""Registered feature trunks for the ``backbone=dict(type=...)`` slots."""
from .base_backbone import BaseBackbone
from .resnet_trunk import ResNetTrunk
from .torchvision_backbone import TorchvisionBackbone

__all__ = ['BaseBackbone', 'ResNetTrunk', 'TorchvisionBackbone']
