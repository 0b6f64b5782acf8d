"""FastResumeHook: resumed runs draw the same batches, without re-loading,
and their workers draw the same random numbers."""
import random
from functools import partial
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmengine.dataset import InfiniteSampler, worker_init_fn
from mmengine.logging import MMLogger
from mmengine.runner.loops import _InfiniteDataloaderIterator
from torch.utils.data import DataLoader, Dataset

from nsd_toolkit.engine.hooks import FastResumeHook


class CountingDataset(Dataset):
    def __init__(self):
        self.loaded = 0

    def __len__(self):
        return 7

    def __getitem__(self, index):
        self.loaded += 1
        return index


def loader(dataset):
    return DataLoader(dataset, batch_size=2,
                      sampler=InfiniteSampler(dataset, seed=3))


def test_resumed_loader_continues_where_the_run_stopped_without_loading():
    uninterrupted = iter(loader(CountingDataset()))
    expected = [next(uninterrupted).tolist() for _ in range(8)]

    dataset = CountingDataset()
    dataloader = loader(dataset)
    loop = SimpleNamespace(
        dataloader=dataloader,
        dataloader_iterator=_InfiniteDataloaderIterator(dataloader))
    runner = SimpleNamespace(train_loop=loop, iter=5,
                             logger=MMLogger.get_current_instance())
    FastResumeHook().before_train(runner)
    # what IterBasedTrainLoop.run does on resume: one draw per trained batch
    assert [next(loop.dataloader_iterator) for _ in range(5)] == [None] * 5
    assert dataset.loaded == 0
    assert [next(loop.dataloader_iterator).tolist()
            for _ in range(3)] == expected[5:]
    assert dataset.loaded == 6


def test_fresh_runs_are_left_alone():
    dataloader = loader(CountingDataset())
    iterator = _InfiniteDataloaderIterator(dataloader)
    loop = SimpleNamespace(dataloader=dataloader, dataloader_iterator=iterator)
    FastResumeHook().before_train(SimpleNamespace(train_loop=loop, iter=0))
    assert loop.dataloader_iterator is iterator


class RandomDraws(Dataset):
    """Items that draw from the global generators, as SampleViews does."""

    def __len__(self):
        return 5

    def __getitem__(self, index):
        return torch.tensor([index, np.random.randint(1 << 30),
                             random.randrange(1 << 30),
                             int(torch.randint(1 << 30, ()))])


def training_loop(num_workers, sampler_seed=3, persistent=True):
    """A loader built as mmengine's Runner builds it (seed 7, its
    worker_init_fn), and the loop around it."""
    dataset = RandomDraws()
    dataloader = DataLoader(
        dataset, batch_size=2, num_workers=num_workers,
        sampler=InfiniteSampler(dataset, seed=sampler_seed),
        persistent_workers=persistent and num_workers > 0,
        worker_init_fn=partial(worker_init_fn, num_workers=num_workers,
                               rank=0, seed=7) if num_workers else None)
    return SimpleNamespace(
        dataloader=dataloader,
        dataloader_iterator=_InfiniteDataloaderIterator(dataloader))


def train(loop, trained, hook=None, count=8):
    """Batches ``trained`` .. ``count - 1`` of a run (resumed if trained)."""
    runner = SimpleNamespace(train_loop=loop, iter=trained, seed=7,
                             logger=MMLogger.get_current_instance())
    (hook or FastResumeHook()).before_train(runner)
    batches = [next(loop.dataloader_iterator) for _ in range(count)]
    assert batches[:trained] == [None] * trained
    return [batch.tolist() for batch in batches[trained:]]


@pytest.mark.parametrize('persistent', [True, False])
def test_resumed_workers_draw_what_the_interrupted_run_drew(persistent):
    """mmengine seeds a worker once, when it starts: restarted workers would
    draw other numbers (other random views) than the interrupted run's."""
    uninterrupted = train(training_loop(2, persistent=persistent), 0)
    for trained in (3, 5):
        resumed = train(training_loop(2, persistent=persistent), trained)
        assert resumed == uninterrupted[trained:]
    # the stream depends on the batch number, not on the number of workers
    assert train(training_loop(1, persistent=persistent), 0) == uninterrupted
    draws = [row[1:] for batch in uninterrupted for row in batch]
    assert len({tuple(d) for d in draws}) == len(draws)  # really random


def test_the_checkpoint_sampler_seed_is_kept():
    """A run whose sampler drew another seed (randomness.seed=None) resumes
    the checkpoint's data order."""
    uninterrupted = train(training_loop(0, sampler_seed=3), 0)
    checkpoint = {}
    FastResumeHook().before_save_checkpoint(
        SimpleNamespace(train_dataloader=training_loop(0).dataloader),
        checkpoint)
    assert checkpoint == {'meta': {'sampler_seed': 3}}
    hook = FastResumeHook()
    hook.after_load_checkpoint(None, checkpoint)
    resumed = train(training_loop(0, sampler_seed=99), 5, hook)
    assert [[row[0] for row in batch] for batch in resumed] == [
        [row[0] for row in batch] for batch in uninterrupted[5:]]
