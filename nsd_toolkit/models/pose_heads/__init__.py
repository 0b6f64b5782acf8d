from .base_pose_head import BasePoseHead
from .mlp_pose_head import MLPPoseHead

__all__ = ['BasePoseHead', 'MLPPoseHead']
