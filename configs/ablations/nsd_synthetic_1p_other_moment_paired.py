# nsd_synthetic_1p_other_moment.py with training batches of pairs of moments of one
# sequence (SequenceGroupSampler, 4 pairs per batch of 8), so that every view is decoded
# with its person's appearance from another moment: with shuffled batches only about
# half of the samples meet another moment of their sequence (docs/benchmarks.md).
_base_ = ['./nsd_synthetic_1p_other_moment.py']

train_dataloader = dict(
    sampler=dict(_delete_=True, type='SequenceGroupSampler', group_size=2))
