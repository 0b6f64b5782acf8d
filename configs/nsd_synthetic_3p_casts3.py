# Three-person NSD with the two-person recipe of nsd_synthetic_2p_casts3.py: more
# training identities (the three training sequences show three different groups of
# three people, --num-casts 3: nine people) and the proposal prior kept on (B's boxes
# pulled towards the foreground blobs, Hungarian-matched per image), warm-started from
# the single-person model like nsd_synthetic_3p.py. Test split (three unseen people,
# two seeds): detection 0.79, mask IoU 0.54, overlap mask IoU 0.47, depth order 0.75
# (the earlier recipe: 0.79 / 0.49 / 0.41 / 0.61; docs/benchmarks.md). 0.77 s per
# iteration with two runs side by side on 2 CPU cores.
# Data: make_synthetic.py data/synthetic_3p_casts3 --num-people 3 --num-views 4
# --num-frames 250 --num-sequences 4 --num-test-sequences 2 --num-val-sequences 1
# --num-casts 3 --size 128 96 --seed 2 (seq_003 shows the first group again; val_000
# and test_000-001 show three more people each, never seen in training).
_base_ = ['./nsd_synthetic_2p_casts3.py']

data_root = 'data/synthetic_3p_casts3'
model = dict(detector=dict(num_people=3))
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = dict(dataset=dict(data_root=data_root))
