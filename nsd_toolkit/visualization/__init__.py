from .panels import (H36M_BONES, PALETTE, colorize_depth, colorize_masks,
                     draw_boxes, draw_skeletons, grid, label, overlay_masks,
                     save_rgb, slot_texts, to_uint8_image)

__all__ = [
    'H36M_BONES', 'PALETTE', 'colorize_depth', 'colorize_masks',
    'draw_boxes', 'draw_skeletons', 'grid', 'label', 'overlay_masks',
    'save_rgb', 'slot_texts', 'to_uint8_image'
]
