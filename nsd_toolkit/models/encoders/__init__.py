from .base_encoder import BaseEncoder
from .crop_encoder import CropEncoder

__all__ = ['BaseEncoder', 'CropEncoder']
