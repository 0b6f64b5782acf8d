from .spatial_transformer import SpatialTransformer, bump_window

__all__ = ['SpatialTransformer', 'bump_window']
