# Baseline Resnet-I (paper section 4.1, Fig. 8): a ResNet regresses the root-relative
# pose from the whole image, trained with the labels alone, on the same data, labels and
# evaluation as configs/pose/nsd_synthetic_1p_pose.py. A config of NSDPoseEstimator:
# FullImageDetector's one box is the whole frame, the transformer is not focal, and the
# encoder's ResNet (the backbone slot: any registered backbone) and P learn from the
# labels; nothing of a trained NSD is used. The paper starts its ResNets from ImageNet;
# the narrow 2-CPU trunk here (that of nsd_synthetic_1p.py) has no ImageNet weights and
# starts from random ones.
_base_ = ['./nsd_synthetic_1p_pose.py']

model = dict(
    nsd=dict(
        detector=dict(_delete_=True, type='FullImageDetector'),
        transformer=dict(focal=False)),
    nsd_checkpoint=None,
    freeze_nsd=False)
