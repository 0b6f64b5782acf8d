# Three-person NSD on the built-in synthetic scenes; the recipe of nsd_synthetic_2p.py,
# warm-started from the single-person model like it (~1.1 s per iteration on 2 CPU
# cores, ~75 min; test split of two training seeds and one collapsed seed in
# docs/benchmarks.md).
# Data: make_synthetic.py data/synthetic_3p --num-people 3 --num-views 4
# --num-frames 250 --num-sequences 4 --num-test-sequences 2 --size 128 96 --seed 2
_base_ = ['./nsd_synthetic_2p.py']

data_root = 'data/synthetic_3p'
# measured without the proposal prior that the two-person step has since adopted
model = dict(detector=dict(num_people=3), proposal_prior=None)
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = dict(dataset=dict(data_root=data_root))
