from .base_root_head import BaseRootHead
from .mlp_root_head import MLPRootHead

__all__ = ['BaseRootHead', 'MLPRootHead']
