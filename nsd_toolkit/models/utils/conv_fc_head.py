"""Conv-fc head shared by the detector and the encoder."""
from typing import Sequence

import torch
from torch import nn


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
