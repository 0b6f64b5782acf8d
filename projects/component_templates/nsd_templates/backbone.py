"""Template backbone: strided convolutions."""
from typing import Iterator, List, Optional, Sequence, Tuple

from torch import nn

from nsd_toolkit.models.backbones import BaseBackbone
from nsd_toolkit.registry import MODELS


@MODELS.register_module()
class PlainConvBackbone(BaseBackbone):
    """3x3 stride-2 convolutions with ReLU, one per width:
    ``[B, in_channels, H, W] -> [B, widths[-1], H / 2^k, W / 2^k]``.

    :class:`BaseBackbone` runs the layers, freezes ``frozen_stages`` and
    loads ImageNet-style 3-channel weights into wider inputs (``first_conv``).
    """

    first_conv = 'stages.0.0.weight'

    def __init__(self,
                 widths: Sequence[int] = (16, 32),
                 in_channels: int = 3,
                 frozen_stages: int = -1,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        channels = [in_channels, *widths]
        self.stages = nn.ModuleList(
            nn.Sequential(nn.Conv2d(c_in, c_out, 3, 2, 1), nn.ReLU(inplace=True))
            for c_in, c_out in zip(channels[:-1], channels[1:]))
        self.in_channels = in_channels
        self.out_channels = channels[-1]
        self.frozen_stages = frozen_stages

    def named_layers(self) -> Iterator[Tuple[str, nn.Module]]:
        return ((f'stages.{i}', stage) for i, stage in enumerate(self.stages))

    def frozen_layers(self) -> List[nn.Module]:
        return list(self.stages[:self.frozen_stages + 1])
