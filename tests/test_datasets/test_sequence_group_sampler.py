"""SequenceGroupSampler: shuffled groups of moments of one sequence."""
import itertools
from types import SimpleNamespace

import pytest
import torch
from mmengine.logging import MMLogger
from mmengine.registry import DefaultScope
from mmengine.runner.loops import _InfiniteDataloaderIterator
from torch.utils.data import DataLoader

from nsd_toolkit.datasets import MultiViewDataset, SequenceGroupSampler
from nsd_toolkit.engine.hooks import FastResumeHook
from nsd_toolkit.models.architectures import NSD
from nsd_toolkit.registry import DATA_SAMPLERS
from nsd_toolkit.structures import MultiViewDataSample


class Sequences:
    """Data infos of sequences of the given lengths, in order."""

    def __init__(self, *lengths):
        self.infos = [dict(seq=f'seq{s}', frame=f)
                      for s, length in enumerate(lengths)
                      for f in range(length)]

    def __len__(self):
        return len(self.infos)

    def __getitem__(self, index):
        return index

    def get_data_info(self, index):
        return self.infos[index]


def drawn(sampler, count):
    return list(itertools.islice(iter(sampler), count))


@pytest.mark.parametrize('group_size', [2, 3])
def test_each_group_is_distinct_moments_of_one_sequence(group_size):
    dataset = Sequences(7, 4, 9)
    sampler = SequenceGroupSampler(dataset, group_size=group_size, seed=0)
    # one pass: each sequence's samples but its len % group_size leftovers
    per_pass = sum(n - n % group_size for n in (7, 4, 9))
    stream = drawn(sampler, 3 * per_pass)
    passes = [stream[p * per_pass:(p + 1) * per_pass] for p in range(3)]
    for indices in passes:
        assert len(set(indices)) == per_pass  # no sample twice in a pass
        for start in range(0, per_pass, group_size):
            group = [dataset.infos[i] for i in
                     indices[start:start + group_size]]
            assert len({info['seq'] for info in group}) == 1
            assert len({info['frame'] for info in group}) == group_size
    # the leftovers differ between passes: every sample is drawn in time
    assert set().union(*passes) == set(range(len(dataset)))
    # groups of different sequences follow each other in a shuffled order
    firsts = [dataset.infos[i]['seq'] for i in passes[0][::group_size]]
    assert firsts != sorted(firsts)


def test_the_seed_fixes_the_order():
    dataset = Sequences(6, 6)
    first = drawn(SequenceGroupSampler(dataset, seed=1), 24)
    assert drawn(SequenceGroupSampler(dataset, seed=1), 24) == first
    assert drawn(SequenceGroupSampler(dataset, seed=2), 24) != first


def test_ranks_share_out_whole_groups():
    dataset = Sequences(5, 8, 3)
    alone = SequenceGroupSampler(dataset, seed=4)
    groups = [tuple(pair) for pair in zip(*[iter(drawn(alone, 40))] * 2)]
    for rank in range(2):
        sampler = SequenceGroupSampler(dataset, seed=4)
        sampler.rank, sampler.world_size = rank, 2
        mine = drawn(sampler._indices_of_rank(), 20)
        assert list(zip(*[iter(mine)] * 2)) == groups[rank::2]


def test_bad_settings_and_data_name_what_is_wrong():
    with pytest.raises(ValueError, match='group_size must be'):
        SequenceGroupSampler(Sequences(4), group_size=0)
    with pytest.raises(ValueError, match=r"\['seq1'\].*group_size=3"):
        SequenceGroupSampler(Sequences(4, 2), group_size=3)
    dataset = Sequences(4)
    del dataset.infos[2]['seq']
    with pytest.raises(KeyError, match='data info 2 of Sequences'):
        SequenceGroupSampler(dataset)


def test_resume_continues_its_stream_without_loading():
    def loader():
        return DataLoader(dataset, batch_size=4,
                          sampler=SequenceGroupSampler(dataset, seed=5))

    dataset = Sequences(6, 5, 7)
    uninterrupted = iter(loader())
    expected = [next(uninterrupted).tolist() for _ in range(6)]
    dataloader = loader()
    loop = SimpleNamespace(
        dataloader=dataloader,
        dataloader_iterator=_InfiniteDataloaderIterator(dataloader))
    FastResumeHook().before_train(SimpleNamespace(
        train_loop=loop, iter=4, logger=MMLogger.get_current_instance()))
    assert [next(loop.dataloader_iterator) for _ in range(4)] == [None] * 4
    assert [next(loop.dataloader_iterator).tolist()
            for _ in range(2)] == expected[4:]


def test_every_sample_of_a_batch_gets_another_moment(synthetic_root):
    """Built from a config on a multi-view dataset, with a batch size that is
    a multiple of group_size, NSD.other_moments finds another moment of its
    sequence for every sample (with InfiniteSampler, only some)."""
    dataset = MultiViewDataset(data_root=synthetic_root)
    with DefaultScope.overwrite_default_scope('nsd_toolkit'):
        sampler = DATA_SAMPLERS.build(
            dict(type='SequenceGroupSampler', group_size=2),
            default_args=dict(dataset=dataset, seed=0))
    indices = drawn(sampler, 4 * 4)
    for batch in zip(*[iter(indices)] * 4):
        samples = [
            MultiViewDataSample(metainfo={
                key: dataset.get_data_info(i)[key] for key in ('seq', 'frame')
            }) for i in batch
        ]
        torch.manual_seed(0)
        other = NSD.other_moments(samples, 'cpu')
        assert (other != torch.arange(4)).all()
