from .nsd import NSD, boxes_to_pixels
from .nsd_pose_estimator import NSDPoseEstimator

__all__ = ['NSD', 'NSDPoseEstimator', 'boxes_to_pixels']
