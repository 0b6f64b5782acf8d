"""Multi-view motion capture: association of slots across views, fusion
into world-frame skeletons, tracking over time and export (numpy, mm)."""
from .association import (assign_groups, assign_views, associate_views,
                          consistency, pair_costs)
from .bvh import (BVH, bvh_positions, bvh_to_h36m, local_rotations,
                  read_bvh, write_bvh)
from .export import (TRACKS_FILE, TRACKS_VERSION, export_tracks, fill_gaps,
                     read_tracks, write_tracks)
from .fusion import (FusedPose, RobustPoint, fuse_moment, fuse_person,
                     fuse_poses, refit_person, root_from_boxes,
                     triangulate_point, triangulate_robust, weighted_median)
from .rays import box_centers, fit_rays, pixel_rays, ray_residuals
from .size import foreground_masks, size_ratios
from .skeleton import (H36M_PARENTS, bone_vectors, median_bone_lengths,
                       rigid_bones)
from .tracking import (SMOOTHING, Track, TrackedPerson, Tracker,
                       smooth_track, track_facing, tracks_to_arrays)

__all__ = [
    'BVH', 'FusedPose', 'H36M_PARENTS', 'RobustPoint', 'SMOOTHING',
    'TRACKS_FILE',
    'TRACKS_VERSION', 'Track', 'TrackedPerson', 'Tracker', 'assign_groups',
    'assign_views',
    'associate_views',
    'bone_vectors', 'box_centers', 'bvh_positions', 'bvh_to_h36m', 'consistency',
    'export_tracks', 'fill_gaps', 'fit_rays', 'foreground_masks',
    'fuse_moment', 'fuse_person',
    'fuse_poses', 'local_rotations', 'median_bone_lengths', 'pair_costs',
    'pixel_rays', 'ray_residuals', 'read_bvh', 'read_tracks', 'refit_person',
    'rigid_bones', 'root_from_boxes',
    'size_ratios', 'smooth_track', 'track_facing',
    'tracks_to_arrays', 'triangulate_point', 'triangulate_robust',
    'weighted_median', 'write_bvh', 'write_tracks'
]
