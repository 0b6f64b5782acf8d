"""Any torchvision classification network as a backbone, cut before its head."""
from typing import Iterator, List, Optional, Tuple

import torch
import torchvision
from torch import nn

from nsd_toolkit.registry import MODELS
from .base_backbone import BaseBackbone

# children of torchvision classifiers that come after the last feature map
HEAD_CHILDREN = ('avgpool', 'fc', 'classifier', 'dropout')


@MODELS.register_module()
class TorchvisionBackbone(BaseBackbone):
    """A torchvision model by name, its layers up to ``out_stage``.

    The layers are the children of the model's ``features`` (MobileNet,
    EfficientNet, VGG, ...: named ``features.0``, ``features.1``, ...) or,
    for models without one, its children before the pooling and classifier
    (ResNet, ResNeXt: ``conv1, bn1, relu, maxpool, layer1, ...``). The
    state-dict keys are torchvision's, so ImageNet weights load with
    ``init_cfg=dict(type='Pretrained',
    checkpoint='torchvision://mobilenet_v3_small')``; nothing is downloaded
    unless such an ``init_cfg`` asks for it (the network is built with
    ``weights=None``). ``out_channels`` is measured once at construction.

    Example (the detector of ``configs/ablations/nsd_synthetic_1p_mobilenet.py``)::

        backbone=dict(type='TorchvisionBackbone', name='mobilenet_v3_small',
                      out_stage=8)

    Args:
        name (str): a name of ``torchvision.models.list_models()``.
        out_stage (int): index of the last layer kept (-1: all).
        in_channels (int): input channels; with more than 3 the first
            convolution is widened and 3-channel weights load into its first
            3 input channels (the extra ones start at zero).
        frozen_stages (int): -1 freezes nothing, k the layers 0 .. k.
        init_cfg (dict, optional): e.g. the ``Pretrained`` above.
    """

    def __init__(self,
                 name: str,
                 out_stage: int = -1,
                 in_channels: int = 3,
                 frozen_stages: int = -1,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        try:
            net = torchvision.models.get_model(name, weights=None)
        except ValueError:
            raise ValueError(
                f'TorchvisionBackbone: unknown torchvision model {name!r}; '
                'see torchvision.models.list_models()') from None
        features = getattr(net, 'features', None)
        if isinstance(features, nn.Sequential):
            layers = [(f'features.{i}', layer)
                      for i, layer in enumerate(features)]
        else:
            layers = [(child, layer) for child, layer in net.named_children()
                      if child not in HEAD_CHILDREN]
        if not -len(layers) <= out_stage < len(layers):
            raise ValueError(
                f'TorchvisionBackbone: out_stage must index one of the '
                f'{len(layers)} layers of {name}, got {out_stage}')
        kept = layers[:out_stage % len(layers) + 1]
        if not -1 <= frozen_stages < len(kept):
            raise ValueError(
                'TorchvisionBackbone: frozen_stages must be in [-1, '
                f'{len(kept) - 1}], got {frozen_stages}')
        if isinstance(features, nn.Sequential):
            self.features = nn.Sequential(*(layer for _, layer in kept))
        else:
            for child, layer in kept:
                self.add_module(child, layer)
        self._layer_names = [child for child, _ in kept]
        self.name = name
        self.in_channels = in_channels
        self.frozen_stages = frozen_stages
        self.first_conv = self._widen_first_conv(in_channels)
        self.out_channels = self._measure_out_channels()
        self.freeze()

    def named_layers(self) -> Iterator[Tuple[str, nn.Module]]:
        for name in self._layer_names:
            yield name, self.get_submodule(name)

    def frozen_layers(self) -> List[nn.Module]:
        return [
            layer for _, layer in
            list(self.named_layers())[:self.frozen_stages + 1]
        ]

    def _widen_first_conv(self, in_channels: int) -> str:
        """Give the first convolution ``in_channels`` inputs; its weight key."""
        name, conv = next((n, m) for n, m in self.named_modules()
                          if isinstance(m, nn.Conv2d))
        if in_channels != conv.in_channels:
            wide = nn.Conv2d(in_channels, conv.out_channels, conv.kernel_size,
                             conv.stride, conv.padding, conv.dilation,
                             conv.groups, conv.bias is not None)
            nn.init.kaiming_normal_(wide.weight, mode='fan_out')
            parent, _, child = name.rpartition('.')
            setattr(self.get_submodule(parent), child, wide)
        return f'{name}.weight'

    @torch.no_grad()
    def _measure_out_channels(self) -> int:
        mode = self.training
        out = self.eval()(torch.zeros(1, self.in_channels, 64, 64))
        self.train(mode)
        if out.dim() != 4:
            raise ValueError(
                f'TorchvisionBackbone: {self.name} gives {out.dim()}-d '
                'features, not a [B, C, h, w] feature map')
        return out.shape[1]
