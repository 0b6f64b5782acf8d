# Ours-extended (paper section 4.2, Fig. 10): more unlabelled training sequences for the
# self-supervised stage (the training people with new motion; labels, if any, unused),
# P then trained on the usual labels:
#   make_synthetic.py data/synthetic_1p_ext --num-people 1 --num-views 4 \
#       --num-frames 250 --num-sequences 6 --num-test-sequences 2 --size 128 96
#   python tools/train.py configs/ablations/nsd_synthetic_1p_extended.py
#   python tools/train.py configs/pose/nsd_synthetic_1p_pose.py --cfg-options \
#       model.nsd_checkpoint=work_dirs/nsd_synthetic_1p_extended/iter_4000.pth \
#       {train,val,test}_dataloader.dataset.data_root=data/synthetic_1p_ext
# seq_003 stays the validation sequence; seq_004 and seq_005 are the extra ones.
_base_ = ['../nsd_synthetic_1p.py']

data_root = 'data/synthetic_1p_ext'
train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        sequences=['seq_000', 'seq_001', 'seq_002', 'seq_004', 'seq_005']))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = dict(dataset=dict(data_root=data_root))
