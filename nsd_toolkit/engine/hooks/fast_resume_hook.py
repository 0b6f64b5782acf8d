"""Resume the training data exactly, without loading the trained batches."""
import itertools
from typing import Callable, Optional

from mmengine.dataset import InfiniteSampler
from mmengine.dist import get_rank
from mmengine.hooks import Hook

from nsd_toolkit.registry import HOOKS
from .random_state_hook import derive_seed, seed_everything

#: ``checkpoint['meta']`` key of the training sampler's seed.
SAMPLER_SEED_KEY = 'sampler_seed'


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


class BatchSeeds:
    """Seeds a data loader worker's generators before each batch it loads.

    Installed as the loader's ``worker_init_fn`` (:meth:`init_worker`, after
    the loader's own) and ``collate_fn`` (:meth:`__call__`, around the
    loader's own): batch ``b`` of the training stream is loaded with
    Python's, NumPy's and torch's global generators seeded from
    ``(seed, rank, b)``, whichever worker loads it and whenever the workers
    were started. torch hands the batches of an iterator to its workers in
    turn, so worker ``w`` of an iterator that starts at batch ``first`` loads
    batches ``first + w``, ``first + w + num_workers``, ...

    Args:
        collate_fn: The loader's collate function.
        worker_init_fn: The loader's worker init function (mmengine's seeds
            the worker), or None.
        seed: The run's seed.
        first_batch: Number of the iterator's first batch (batches trained).
        num_workers: The loader's workers.
    """

    def __init__(self, collate_fn: Callable,
                 worker_init_fn: Optional[Callable], seed: int,
                 first_batch: int, num_workers: int):
        self.collate_fn = collate_fn
        self.worker_init_fn = worker_init_fn
        self.seed = seed
        self.rank = get_rank()
        self.first_batch = first_batch
        self.num_workers = num_workers
        self.worker_id = 0
        self.loaded = 0

    def init_worker(self, worker_id: int) -> None:
        if self.worker_init_fn is not None:
            self.worker_init_fn(worker_id)
        self.worker_id = worker_id
        self.loaded = 0
        self._seed_next_batch()

    def __call__(self, batch):
        try:
            return self.collate_fn(batch)
        finally:
            self.loaded += 1
            self._seed_next_batch()

    def _seed_next_batch(self) -> None:
        batch = (self.first_batch + self.worker_id
                 + self.loaded * self.num_workers)
        seed_everything(derive_seed(self.seed, self.rank, batch))


def _install_batch_seeds(dataloader, seed: int, first_batch: int) -> None:
    """Make the next workers of ``dataloader`` seed per batch (BatchSeeds)."""
    collate_fn, init_fn = dataloader.collate_fn, dataloader.worker_init_fn
    if isinstance(collate_fn, BatchSeeds):  # installed by an earlier train()
        collate_fn, init_fn = collate_fn.collate_fn, collate_fn.worker_init_fn
    seeds = BatchSeeds(collate_fn, init_fn, seed, first_batch,
                       dataloader.num_workers)
    dataloader.collate_fn = seeds
    dataloader.worker_init_fn = seeds.init_worker


def _stop_workers(loop, dataloader) -> None:
    """Shut the workers of the loop's current iterator down, persistent ones
    included, so that the next iterator starts new ones."""
    current = loop.dataloader_iterator
    if isinstance(current, _SkippedBatches):
        current = current.iterator
    current = getattr(current, '_iterator', None)  # torch's iterator
    if hasattr(current, '_shutdown_workers'):
        current._shutdown_workers()
    if getattr(dataloader, '_iterator', None) is not None:
        dataloader._iterator = None  # the persistent workers' iterator


@HOOKS.register_module()
class FastResumeHook(Hook):
    """Resume the training data where it stopped, exactly and without
    loading the trained batches.

    - Batches: on ``--resume``, mmengine's ``IterBasedTrainLoop`` restores
      the data order by drawing one batch per trained iteration from the
      training loader, which reads and transforms every one of them: minutes
      for the CPU configs, hours for a 200k-iteration run on real images.
      Instead, this hook starts the loader's ``InfiniteSampler`` (the sampler
      of every iteration-based config here) after the ``iter x batch_size``
      indices the run has consumed on this rank, with the seed the
      checkpoint's sampler had, and lets the loop's skipping draws pass
      without loading.
    - Random views: the workers of a loader with ``num_workers > 0`` are
      started anew with :class:`BatchSeeds`, in every run, so each batch is
      loaded with generators seeded from its number: a resumed run loads the
      same random views (``SampleViews(mode='random')``) as the interrupted
      one. (mmengine seeds each worker once, when it starts, so a restarted
      worker would draw other views.) Without workers the data pipeline
      draws from the training process's generators, which
      ``RandomStateHook`` restores.

    With another sampler, or an mmengine whose internals
    (``InfiniteSampler._indices_of_rank``, the loop's
    ``_InfiniteDataloaderIterator``; 0.10.x) differ, it leaves mmengine's
    behaviour as it is.
    """

    priority = 'VERY_HIGH'

    def __init__(self) -> None:
        self._loaded_seed: Optional[int] = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        sampler = getattr(runner.train_dataloader, 'sampler', None)
        if isinstance(getattr(sampler, 'seed', None), int):
            checkpoint.setdefault('meta', {})[SAMPLER_SEED_KEY] = sampler.seed

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        self._loaded_seed = (checkpoint.get('meta') or {}).get(
            SAMPLER_SEED_KEY)

    @staticmethod
    def _infinite_loop(runner):
        """The train loop if it draws from an InfiniteSampler as this hook
        expects, else None."""
        loop = runner.train_loop
        dataloader = getattr(loop, 'dataloader', None)
        sampler = getattr(dataloader, 'sampler', None)
        if (not isinstance(sampler, InfiniteSampler)
                or not hasattr(sampler, '_indices_of_rank')
                or not hasattr(loop, 'dataloader_iterator')):
            return None
        return loop

    def before_train(self, runner) -> None:
        try:
            from mmengine.runner.loops import _InfiniteDataloaderIterator
        except ImportError:
            return
        loop = self._infinite_loop(runner)
        if loop is None:
            return
        dataloader, sampler = loop.dataloader, loop.dataloader.sampler
        trained = runner.iter
        workers = dataloader.num_workers > 0
        if trained == 0 and not workers:
            return
        if trained:
            self._restore_sampler_seed(runner, sampler)
        if workers:
            _stop_workers(loop, dataloader)
            _install_batch_seeds(dataloader, runner.seed, trained)
        sampler.indices = itertools.islice(
            sampler._indices_of_rank(), trained * dataloader.batch_size, None)
        loop.dataloader_iterator = _SkippedBatches(
            _InfiniteDataloaderIterator(dataloader), trained)
        if trained:
            runner.logger.info(
                f'FastResumeHook: the sampler starts after the {trained} '
                'trained batches; they are skipped without loading')

    def after_train(self, runner) -> None:
        """Stop the workers this hook started (persistent ones would wait
        for the process to end, and a later shutdown can block on them)."""
        loop = self._infinite_loop(runner)
        if loop is not None and loop.dataloader.num_workers > 0:
            _stop_workers(loop, loop.dataloader)

    def _restore_sampler_seed(self, runner, sampler) -> None:
        seed = self._loaded_seed
        if seed is None or seed == sampler.seed:
            return
        runner.logger.info(
            f'FastResumeHook: the sampler continues with the seed of the '
            f'checkpoint, {seed} (this run drew {sampler.seed})')
        sampler.seed = seed
