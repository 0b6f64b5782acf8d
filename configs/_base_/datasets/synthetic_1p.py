# Built-in synthetic scenes (tools/dataset_converters/make_synthetic.py), one person:
#   make_synthetic.py data/synthetic_1p --num-people 1 --num-views 4 --num-frames 250
#       --num-sequences 4 --num-test-sequences 2 --size 128 96 --seed 0
# Splits (all three read explicitly):
# - train: seq_000-002;
# - val: seq_003, the training people with new motion: for choosing checkpoints,
#   stage switches and settings;
# - test: test_000-001, people never seen in training (other heights, clothing, skin
#   and hair) with new motion: tools/test.py reports it; never look at it while
#   choosing anything.
# Point any config at another dataset in the toolkit format with --cfg-options
#   train_dataloader.dataset.data_root=DIR val_dataloader.dataset.data_root=DIR
#   test_dataloader.dataset.data_root=DIR
_base_ = ['./multiview_loaders.py']
dataset_type = 'MultiViewDataset'
data_root = 'data/synthetic_1p'
train_sequences = ['seq_000', 'seq_001', 'seq_002']
val_sequences = ['seq_003']
test_sequences = ['test_000', 'test_001']

# 2-core machines: loading in the training process (0.011 s per batch without the
# labels) is faster than a worker process or thread competing with the two compute
# threads (0.162 against 0.195 s per iteration with a worker, docs/benchmarks.md); with
# more cores, set num_workers (and persistent_workers=True); on a GPU, set
# pin_memory=True (off here: without an accelerator torch warns that it cannot pin)
train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    pin_memory=False,
    dataset=dict(
        type=dataset_type, data_root=data_root, sequences=train_sequences))
val_dataloader = dict(
    num_workers=1,
    pin_memory=False,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        sequences=val_sequences,
        frame_interval=5))
test_dataloader = dict(
    val_dataloader,
    dataset=dict(val_dataloader['dataset'], sequences=test_sequences))
