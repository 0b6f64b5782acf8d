from .crop_encoder import CropEncoder

__all__ = ['CropEncoder']
