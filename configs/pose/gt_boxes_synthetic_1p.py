# NSD+P with ground-truth boxes (paper section 4.1): the people's boxes (from the
# instance masks, widened by 1.25 as B's crop windows are) replace B's, with the same
# frozen NSD encoder, labels and evaluation as nsd_synthetic_1p_pose.py: the upper bound
# of what a better detector B could give the pose.
_base_ = ['./nsd_synthetic_1p_pose.py']

model = dict(boxes='ground_truth', gt_box_padding=1.25)
