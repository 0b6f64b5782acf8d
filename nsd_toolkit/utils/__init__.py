from .geometry import (masks_to_bboxes, project_points, relative_rotation,
                       scale_intrinsics, world_to_camera)

__all__ = [
    'masks_to_bboxes', 'project_points', 'relative_rotation',
    'scale_intrinsics', 'world_to_camera'
]
