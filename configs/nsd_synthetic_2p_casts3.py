# The two-person curriculum of nsd_synthetic_2p.py on scenes with more training
# identities: the three training sequences show three different pairs of people
# (--num-casts 3), so B, E and D learn from six people instead of two. Chosen on the
# validation split of unseen people (val_000): detection 0.89 / 0.93 and depth order
# 0.82 / 0.84 on two seeds, against 0.85 / 0.87 and 0.55 / 0.66 with one pair
# (docs/benchmarks.md). The unlabelled footage, not the labels, grows: in a real
# capture, record several people.
# Data: make_synthetic.py data/synthetic_2p_casts3 --num-people 2 --num-views 4
# --num-frames 250 --num-sequences 4 --num-test-sequences 2 --num-val-sequences 1
# --num-casts 3 --size 128 96 --seed 1 (seq_003, the validation of checkpoints, shows
# the first pair again; val_000 and test_000-001 show two more pairs each).
_base_ = ['./nsd_synthetic_2p.py']

data_root = 'data/synthetic_2p_casts3'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = dict(dataset=dict(data_root=data_root))
