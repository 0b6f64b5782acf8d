"""FastResumeHook: resumed runs draw the same batches, without re-loading."""
from types import SimpleNamespace

from mmengine.dataset import InfiniteSampler
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
