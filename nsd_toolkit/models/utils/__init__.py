"""Building blocks shared by several components (not registered)."""
from .arguments import check_positive_ints
from .conv_fc_head import ConvFCHead
from .mlp import mlp

__all__ = ['ConvFCHead', 'check_positive_ints', 'mlp']
