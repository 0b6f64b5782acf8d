from .mocap import (ObliqueView, capture_picture, capture_pictures,
                    save_animation)
from .panels import (H36M_BONES, PALETTE, colorize_depth, colorize_masks,
                     draw_boxes, draw_skeletons, grid, label, overlay_masks,
                     save_rgb, slot_texts, to_uint8_image)

__all__ = [
    'ObliqueView', 'capture_picture', 'capture_pictures', 'save_animation',
    'H36M_BONES', 'PALETTE', 'colorize_depth', 'colorize_masks',
    'draw_boxes', 'draw_skeletons', 'grid', 'label', 'overlay_masks',
    'save_rgb', 'slot_texts', 'to_uint8_image'
]
