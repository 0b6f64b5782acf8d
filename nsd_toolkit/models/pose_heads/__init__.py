from .mlp_pose_head import MLPPoseHead

__all__ = ['MLPPoseHead']
