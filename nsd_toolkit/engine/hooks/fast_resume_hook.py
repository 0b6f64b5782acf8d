"""Resume without loading again the batches already trained on."""
import itertools

from mmengine.dataset import InfiniteSampler
from mmengine.hooks import Hook

from nsd_toolkit.registry import HOOKS


class _SkippedBatches:
    """Data iterator whose first ``count`` items are None, loaded never."""

    def __init__(self, iterator, count: int):
        self.iterator = iterator
        self.count = count

    def __iter__(self):
        return self

    def __next__(self):
        if self.count > 0:
            self.count -= 1
            return None
        return next(self.iterator)


@HOOKS.register_module()
class FastResumeHook(Hook):
    """Skip the trained batches in the sampler instead of loading them.

    On ``--resume``, mmengine's ``IterBasedTrainLoop`` restores the data
    order by drawing one batch per trained iteration from the training data
    loader, which reads and transforms every one of them: minutes for the
    CPU configs, hours for a 200k-iteration run on real images. Before that,
    this hook starts the loader's ``InfiniteSampler`` (the sampler of every
    iteration-based config here) after the ``iter x batch_size`` indices the
    run has consumed on this rank, and lets the loop's skipping draws pass
    without loading. The batches that follow are the ones the uninterrupted
    run would have drawn. With another sampler, or an mmengine whose
    internals (``InfiniteSampler._indices_of_rank``, the loop's
    ``_InfiniteDataloaderIterator``; 0.10.x) differ, it leaves mmengine's
    behaviour as it is.
    """

    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        loop = runner.train_loop
        trained = runner.iter
        dataloader = getattr(loop, 'dataloader', None)
        sampler = getattr(dataloader, 'sampler', None)
        try:
            from mmengine.runner.loops import _InfiniteDataloaderIterator
        except ImportError:
            return
        if (trained == 0 or not isinstance(sampler, InfiniteSampler)
                or not hasattr(sampler, '_indices_of_rank')
                or not hasattr(loop, 'dataloader_iterator')):
            return
        sampler.indices = itertools.islice(
            sampler._indices_of_rank(), trained * dataloader.batch_size, None)
        loop.dataloader_iterator = _SkippedBatches(
            _InfiniteDataloaderIterator(dataloader), trained)
        runner.logger.info(
            f'FastResumeHook: the sampler starts after the {trained} trained '
            'batches; they are skipped without loading')
