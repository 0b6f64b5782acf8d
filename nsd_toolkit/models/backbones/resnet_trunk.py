"""The toolkit's ResNet trunk, torchvision's layout (ImageNet weights load)."""
from typing import Iterator, List, Optional, Tuple

from torch import nn
from torchvision.models.resnet import BasicBlock, Bottleneck

from nsd_toolkit.registry import MODELS
from .base_backbone import BaseBackbone

RESNET_ARCHS = {
    18: (BasicBlock, (2, 2, 2, 2)),
    34: (BasicBlock, (3, 4, 6, 3)),
    50: (Bottleneck, (3, 4, 6, 3)),
}


@MODELS.register_module()
class ResNetTrunk(BaseBackbone):
    """ResNet stem and its first ``num_stages`` stages, torchvision layout.

    Layers, in order: ``conv1, bn1, relu, maxpool, layer1 ..
    layer{num_stages}``; their state-dict keys are those of
    ``torchvision.models.resnet{18,34,50}``, so ImageNet weights load with
    ``init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet18')``
    (``fc.*`` and the stages beyond ``num_stages`` are skipped as unexpected
    keys; nothing is downloaded unless such an ``init_cfg`` asks for it).
    Output stride is ``4 * 2 ** (num_stages - 1)`` (4 for ``num_stages`` 0
    or 1).

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

    first_conv = 'conv1.weight'

    def __init__(self,
                 depth: int = 18,
                 num_stages: int = 4,
                 in_channels: int = 3,
                 base_channels: int = 64,
                 frozen_stages: int = -1,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if depth not in RESNET_ARCHS:
            raise ValueError(f'ResNetTrunk: depth must be one of '
                             f'{sorted(RESNET_ARCHS)}, got {depth}')
        if not 0 <= num_stages <= 4:
            raise ValueError('ResNetTrunk: num_stages must be in [0, 4], got '
                             f'{num_stages}')
        if not -1 <= frozen_stages <= num_stages:
            raise ValueError('ResNetTrunk: frozen_stages must be in [-1, '
                             f'num_stages={num_stages}], got {frozen_stages}')
        block, blocks = RESNET_ARCHS[depth]
        self.conv1 = nn.Conv2d(in_channels, base_channels, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(base_channels)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
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
            self.add_module(f'layer{i + 1}', nn.Sequential(*stage))
        self.in_channels = in_channels
        self.out_channels = inplanes
        self.frozen_stages = frozen_stages
        for m in self.modules():  # torchvision's default initialisation
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(
                    m.weight, mode='fan_out', nonlinearity='relu')
        self.freeze()

    def named_layers(self) -> Iterator[Tuple[str, nn.Module]]:
        return self.named_children()

    def frozen_layers(self) -> List[nn.Module]:
        if self.frozen_stages < 0:
            return []
        names = ['conv1', 'bn1'] + [
            f'layer{i + 1}' for i in range(self.frozen_stages)
        ]
        return [getattr(self, name) for name in names]
