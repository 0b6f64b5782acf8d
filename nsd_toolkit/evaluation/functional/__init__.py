"""Pure numpy metric functions (accept numpy arrays or torch tensors).

Box helpers and slot matching live in :mod:`nsd_toolkit.structures` (models
use them too) and are re-exported here with the metric functions.
"""
from nsd_toolkit.structures.bbox import box_iou, keypoints_to_box, mask_to_box
from nsd_toolkit.structures.matching import (match_instances,
                                             match_slots_per_view,
                                             match_slots_to_people,
                                             person_centers)
from .depth_order import depth_order_counts
from .image_quality import psnr, ssim
from .keypoint import (ALIGNMENTS, H36M_FACING_JOINTS, facing_directions,
                       facing_errors_deg, keypoint_mpjpe)
from .mask import mask_iou
from .occlusion import joint_occlusions

__all__ = [
    'box_iou', 'keypoints_to_box', 'mask_to_box', 'mask_iou',
    'match_instances', 'keypoint_mpjpe', 'ALIGNMENTS', 'depth_order_counts',
    'match_slots_per_view', 'match_slots_to_people', 'person_centers',
    'joint_occlusions', 'psnr', 'ssim', 'facing_directions',
    'facing_errors_deg', 'H36M_FACING_JOINTS'
]
