# The two-person curriculum of nsd_synthetic_2p.py on scenes with twelve training
# identities: the six training sequences show six different pairs of people
# (--num-casts 6), twice the footage and the people of nsd_synthetic_2p_casts3.py.
# Chosen on the validation split of unseen people (val_000), two seeds: detection
# 0.93 / 0.91, mask IoU 0.66 / 0.68, overlap mask IoU 0.60 / 0.58, false-positive
# rate 0.07 / 0.08, depth order 0.96 / 0.95, against 0.89 / 0.93, 0.64 / 0.64,
# 0.56 / 0.55, 0.11 / 0.07 and 0.82 / 0.84 with six people (docs/benchmarks.md; each
# dataset's val_000 shows its own unseen people). Same 4,000 iterations: only the
# unlabelled footage grows. Test split, three seeds: detection 0.87 (0.78-0.93), mask
# IoU 0.62, overlap 0.56, false-positive rate 0.13, depth order 0.96: short of the
# two-person targets.
# Data: make_synthetic.py data/synthetic_2p_casts6 --num-people 2 --num-views 4
# --num-frames 250 --num-sequences 7 --num-test-sequences 2 --num-val-sequences 1
# --num-casts 6 --size 128 96 --seed 1 (seq_006, the validation of checkpoints, shows
# the first pair again; val_000 and test_000-001 show two more pairs each).
_base_ = ['./nsd_synthetic_2p_casts3.py']

data_root = 'data/synthetic_2p_casts6'
train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        sequences=[
            'seq_000', 'seq_001', 'seq_002', 'seq_003', 'seq_004', 'seq_005'
        ]))
val_dataloader = dict(dataset=dict(data_root=data_root, sequences=['seq_006']))
test_dataloader = dict(dataset=dict(data_root=data_root))
