"""Building blocks shared by several components (not registered)."""
from .conv_fc_head import ConvFCHead

__all__ = ['ConvFCHead']
