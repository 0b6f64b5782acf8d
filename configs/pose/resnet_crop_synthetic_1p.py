# Baseline Resnet-I-bar (paper section 4.1, Fig. 8): the same ResNet on the crops of
# NSD's boxes. B comes from the self-supervised NSD checkpoint and stays frozen; the
# encoder's ResNet (the backbone slot) and P learn from the labels, from a random
# initialisation (the paper's is ImageNet; the narrow 2-CPU trunk has no ImageNet
# weights). Same data, labels and evaluation as configs/pose/nsd_synthetic_1p_pose.py.
_base_ = ['./nsd_synthetic_1p_pose.py']

model = dict(nsd_checkpoint_components=['detector'], freeze_nsd=['detector'])
