from .base_nsd_model import BaseNSDModel
from .nsd import NSD
from .nsd_pose_estimator import NSDPoseEstimator

__all__ = ['BaseNSDModel', 'NSD', 'NSDPoseEstimator']
