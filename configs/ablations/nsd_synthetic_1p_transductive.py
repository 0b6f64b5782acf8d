# Ours-transductive (paper section 4.2, Fig. 10): the self-supervised training also sees
# the test split's frames, without their labels (NSD never reads labels), so the
# representation adapts to the unseen people before P is trained on the usual labels:
#   python tools/train.py configs/ablations/nsd_synthetic_1p_transductive.py
#   python tools/train.py configs/pose/nsd_synthetic_1p_pose.py --cfg-options \
#       model.nsd_checkpoint=work_dirs/nsd_synthetic_1p_transductive/iter_4000.pth
# `transductive = True` declares on purpose that training reads the test frames (the
# split checks of the test suite allow it for this config only; validation stays apart).
_base_ = ['../nsd_synthetic_1p.py']

transductive = True
train_dataloader = dict(
    dataset=dict(sequences=[
        'seq_000', 'seq_001', 'seq_002', 'test_000', 'test_001'
    ]))
