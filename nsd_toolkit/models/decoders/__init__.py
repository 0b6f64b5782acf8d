from .base_decoder import BaseDecoder
from .unet_decoder import UNetDecoder

__all__ = ['BaseDecoder', 'UNetDecoder']
