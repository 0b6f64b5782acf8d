"""Shared blocks: a torchvision-compatible ResNet trunk and a conv-fc head.

The detector, the encoder and the perceptual loss all build their trunk here,
so there is one ResNet definition in the toolkit. Its state-dict keys are those
of ``torchvision.models.resnet{18,34,50}`` (``conv1``, ``bn1``,
``layer1.0.conv1``, ...), so ImageNet weights load with mmengine's initialiser
on the trunk itself::

    trunk_init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet18')

(``fc.*`` and the stages beyond ``num_stages`` are reported as unexpected keys
and skipped). Nothing is downloaded unless such an ``init_cfg`` asks for it;
weights that can be neither read from torch hub's cache nor downloaded stop
:meth:`ResNetTrunk.init_weights` with a message naming them and where to put
them.
"""
import os.path as osp
from collections import OrderedDict
from typing import List, Optional, Sequence

import torch
from mmengine.model import Sequential
from torch import nn
from torchvision.models.resnet import BasicBlock, Bottleneck

# checkpoint prefixes that mmengine fetches through torch hub's cache
REMOTE = ('torchvision://', 'http://', 'https://')

RESNET_ARCHS = {
    18: (BasicBlock, (2, 2, 2, 2)),
    34: (BasicBlock, (3, 4, 6, 3)),
    50: (Bottleneck, (3, 4, 6, 3)),
}


class ResNetTrunk(Sequential):
    """ResNet stem and its first ``num_stages`` stages, torchvision layout.

    Children, in order: ``conv1, bn1, relu, maxpool, layer1 ..
    layer{num_stages}``. Output stride is ``4 * 2 ** (num_stages - 1)`` (4 for
    ``num_stages`` 0 or 1).

    Args:
        depth (int): 18, 34 or 50.
        num_stages (int): residual stages kept, 0 to 4.
        in_channels (int): input channels. With more than 3, a 3-channel
            ``conv1.weight`` (e.g. ImageNet) loads into the first 3 input
            channels and the extra ones start at zero.
        base_channels (int): width of the stem and of ``layer1``; 64 is the
            torchvision width (needed for ImageNet weights), 16 or 32 give
            cheap CPU trunks.
        frozen_stages (int): -1 freezes nothing, 0 the stem, k the stem and
            ``layer1 .. layerk``. Frozen parts get ``requires_grad=False``
            and stay in eval mode (batch-norm statistics fixed) through
            ``train()``.
        init_cfg (dict, optional): e.g. ``dict(type='Pretrained',
            checkpoint='torchvision://resnet18')``.
    """

    def __init__(self,
                 depth: int = 18,
                 num_stages: int = 4,
                 in_channels: int = 3,
                 base_channels: int = 64,
                 frozen_stages: int = -1,
                 init_cfg: Optional[dict] = None):
        if depth not in RESNET_ARCHS:
            raise ValueError(f'depth must be one of {sorted(RESNET_ARCHS)}')
        if not 0 <= num_stages <= 4:
            raise ValueError('num_stages must be in [0, 4]')
        if not -1 <= frozen_stages <= num_stages:
            raise ValueError('frozen_stages must be in [-1, num_stages]')
        block, blocks = RESNET_ARCHS[depth]
        layers = OrderedDict(
            conv1=nn.Conv2d(in_channels, base_channels, 7, 2, 3, bias=False),
            bn1=nn.BatchNorm2d(base_channels),
            relu=nn.ReLU(inplace=True),
            maxpool=nn.MaxPool2d(3, 2, 1))
        inplanes = base_channels
        for i in range(num_stages):
            planes, stride = base_channels * 2**i, 1 if i == 0 else 2
            downsample = None
            if stride != 1 or inplanes != planes * block.expansion:
                downsample = nn.Sequential(
                    nn.Conv2d(inplanes, planes * block.expansion, 1, stride,
                              bias=False),
                    nn.BatchNorm2d(planes * block.expansion))
            stage = [block(inplanes, planes, stride, downsample)]
            inplanes = planes * block.expansion
            stage += [block(inplanes, planes) for _ in range(blocks[i] - 1)]
            layers[f'layer{i + 1}'] = nn.Sequential(*stage)
        super().__init__(layers, init_cfg=init_cfg)
        self.in_channels = in_channels
        self.out_channels = inplanes
        self.frozen_stages = frozen_stages
        for m in self.modules():  # torchvision's default initialisation
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(
                    m.weight, mode='fan_out', nonlinearity='relu')
        for p in self._frozen().parameters():
            p.requires_grad = False

    def init_weights(self) -> None:
        """mmengine's initialisation; remote weights that cannot be fetched
        raise ``FileNotFoundError`` naming the file and its cache path."""
        try:
            super().init_weights()
        except OSError as error:  # urllib's URLError included
            cfgs = self.init_cfg if isinstance(self.init_cfg,
                                               list) else [self.init_cfg]
            remote = [
                str(cfg['checkpoint']) for cfg in cfgs
                if cfg and str(cfg.get('checkpoint')).startswith(REMOTE)
            ]
            if not remote:
                raise
            raise FileNotFoundError(_missing_weights_message(
                remote[0], error)) from error

    def _frozen(self) -> nn.ModuleList:
        if self.frozen_stages < 0:
            return nn.ModuleList()
        names = ['conv1', 'bn1'] + [
            f'layer{i + 1}' for i in range(self.frozen_stages)
        ]
        return nn.ModuleList(getattr(self, n) for n in names)

    def train(self, mode: bool = True) -> 'ResNetTrunk':
        super().train(mode)
        self._frozen().eval()
        return self

    def features(self, x: torch.Tensor,
                 names: Sequence[str]) -> List[torch.Tensor]:
        """Outputs of the named children (e.g. ``('relu', 'layer1')``), in
        forward order; stops after the last one asked for."""
        unknown = set(names) - set(self._modules)
        if unknown:
            raise KeyError(f'unknown trunk layers {sorted(unknown)}')
        outs = []
        for name, module in self.named_children():
            x = module(x)
            if name in names:
                outs.append(x)
                if len(outs) == len(names):
                    break
        return outs

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # Widen a 3-channel conv1 (ImageNet) to in_channels with zero weights.
        key = prefix + 'conv1.weight'
        weight = state_dict.get(key)
        if (weight is not None and weight.shape[1] == 3
                and self.in_channels > 3):
            extra = weight.new_zeros(weight.shape[0], self.in_channels - 3,
                                     *weight.shape[2:])
            state_dict[key] = torch.cat([weight, extra], dim=1)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)


def _missing_weights_message(checkpoint: str, error: Exception) -> str:
    """What to do when ``checkpoint`` (e.g. ``'torchvision://resnet50'``)
    could not be fetched."""
    url = checkpoint
    if checkpoint.startswith('torchvision://'):
        from mmengine.runner.checkpoint import get_torchvision_models
        url = get_torchvision_models().get(
            checkpoint[len('torchvision://'):], checkpoint)
    cache = osp.join(torch.hub.get_dir(), 'checkpoints')
    return (f'ResNetTrunk: the pretrained weights {checkpoint!r} asked for by '
            f'its init_cfg could not be loaded ({error}). Without internet, '
            f'download {url} elsewhere and copy it into {cache} (torch hub\'s '
            'cache; TORCH_HOME moves it), or leave the weights out: '
            'imagenet_pretrained=False in the NSD configs, or no '
            'Pretrained init_cfg / trunk_init_cfg')


class ConvFCHead(nn.Module):
    """Two conv-BN-ReLU layers (the second strided), adaptive average pooling
    to a ``pool_size`` grid (keeps coarse layout) and one linear layer.

    ``[B, in_channels, h, w] -> [B, out_features]``.
    """

    def __init__(self,
                 in_channels: int,
                 out_features: int,
                 channels: Sequence[int] = (512, 128),
                 pool_size: int = 4):
        super().__init__()
        mid, out = channels
        self.convs = nn.Sequential(
            nn.Conv2d(in_channels, mid, 3, 1, 1, bias=False),
            nn.BatchNorm2d(mid), nn.ReLU(inplace=True),
            nn.Conv2d(mid, out, 3, 2, 1, bias=False), nn.BatchNorm2d(out),
            nn.ReLU(inplace=True), nn.AdaptiveAvgPool2d(pool_size),
            nn.Flatten())
        self.fc = nn.Linear(out * pool_size**2, out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.convs(x))
