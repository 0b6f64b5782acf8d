from .nsd import NSD, boxes_to_pixels

__all__ = ['NSD', 'boxes_to_pixels']
