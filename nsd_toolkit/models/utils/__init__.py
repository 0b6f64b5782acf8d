"""Building blocks shared by several components (not registered)."""
from .arguments import check_positive_ints
from .conv_fc_head import ConvFCHead

__all__ = ['ConvFCHead', 'check_positive_ints']
