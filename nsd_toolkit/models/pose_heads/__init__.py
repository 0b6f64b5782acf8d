from .base_pose_head import BasePoseHead
from .mlp_pose_head import MLPPoseHead
from .mlp_root_head import MLPRootHead

__all__ = ['BasePoseHead', 'MLPPoseHead', 'MLPRootHead']
