# Baseline Resnet-I-bar for two people (paper section 4.1 and Fig. 12): one pose per
# box of the two-person NSD's B (frozen, from the self-supervised checkpoint); the
# encoder's ResNet and P learn from the labels, from a random initialisation. Same
# data, labels, slot-to-person matching and evaluation as nsd_synthetic_2p_pose.py.
_base_ = ['./nsd_synthetic_2p_pose.py']

# no root head: the baseline's encoder learns from the pose loss alone
model = dict(nsd_checkpoint_components=['detector'], freeze_nsd=['detector'],
             root_head=None)
# trained with the raw weights, as measured in docs/benchmarks.md (the ResNet learns
# from scratch here; the moving average was chosen for P and R on a frozen NSD)
custom_hooks = [dict(type='PosePanelHook'), dict(type='PoseStatisticsHook')]
