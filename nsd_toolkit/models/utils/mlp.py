"""The fully connected trunk of the heads on a person's latent (P, R)."""
from typing import Sequence

from torch import nn


def mlp(in_channels: int, hidden_channels: Sequence[int], dropout: float,
        out_channels: int, owner: str) -> nn.Sequential:
    """Linear -> BatchNorm1d -> ReLU -> Dropout per hidden layer, then a
    last Linear to ``out_channels`` (paper Fig. 2's pose regressor).

    Args:
        in_channels: length of the latent.
        hidden_channels: widths of the hidden layers.
        dropout: dropout probability after each hidden layer, in [0, 1).
        out_channels: number of outputs.
        owner: the head's name for error messages.
    """
    if not 0 <= dropout < 1:
        raise ValueError(f'{owner}: dropout must be in [0, 1), got {dropout}')
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
    layers.append(nn.Linear(width, out_channels))
    return nn.Sequential(*layers)
