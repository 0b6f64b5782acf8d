# The two-person pose config with P and R replaced by this project's
# LinearPoseHead and LinearRootHead.
_base_ = ['../../../configs/pose/nsd_synthetic_2p_pose.py']

custom_imports = dict(imports=['nsd_templates'], allow_failed_imports=False)
model = dict(
    pose_head=dict(_delete_=True, type='LinearPoseHead'),
    root_head=dict(_delete_=True, type='LinearRootHead'))
