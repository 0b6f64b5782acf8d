from .panels import (PALETTE, colorize_depth, colorize_masks, draw_boxes,
                     grid, label, overlay_masks, save_rgb, to_uint8_image)

__all__ = [
    'PALETTE', 'colorize_depth', 'colorize_masks', 'draw_boxes', 'grid',
    'label', 'overlay_masks', 'save_rgb', 'to_uint8_image'
]
