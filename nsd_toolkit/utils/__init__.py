from .checkpoint import (ALLOWED_GLOBALS, UnsafeCheckpointError,
                         load_checkpoint_safely,
                         register_safe_checkpoint_loader)
from .dist import cleanup_distributed, setup_cpu_distributed
from .geometry import (apply_distortion, axis_angle_to_matrix,
                       box_center_depths, masks_to_bboxes, project_points,
                       relative_rotation, scale_intrinsics, triangulate_rays,
                       world_to_camera)

__all__ = [
    'ALLOWED_GLOBALS', 'UnsafeCheckpointError', 'apply_distortion',
    'axis_angle_to_matrix',
    'box_center_depths', 'triangulate_rays',
    'cleanup_distributed', 'load_checkpoint_safely', 'masks_to_bboxes',
    'project_points',
    'register_safe_checkpoint_loader', 'relative_rotation', 'scale_intrinsics',
    'setup_cpu_distributed', 'world_to_camera'
]
