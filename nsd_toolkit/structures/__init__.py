"""Data structures and the geometry both models and evaluation use: the
data sample, box helpers, array helpers and slot-to-person matching."""
from .bbox import (box_iou, boxes_to_pixels, contained_duplicates,
                   keypoints_to_box, mask_to_box, pixels_to_boxes,
                   pixels_to_window, window_to_pixels)
from .matching import (match_instances, match_slots_per_view,
                       match_slots_to_people, person_centers)
from .multiview_data_sample import MultiViewDataSample

__all__ = [
    'MultiViewDataSample', 'box_iou', 'boxes_to_pixels',
    'contained_duplicates', 'keypoints_to_box', 'mask_to_box',
    'match_instances', 'match_slots_per_view',
    'match_slots_to_people', 'person_centers', 'pixels_to_boxes',
    'pixels_to_window', 'window_to_pixels'
]
