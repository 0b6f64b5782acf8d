"""Random generators saved in checkpoints and restored on resume."""
import random
from typing import Optional

import numpy as np
import torch
from mmengine.dist import get_rank, get_world_size
from mmengine.hooks import Hook

from nsd_toolkit.registry import HOOKS

#: ``checkpoint['meta']`` key of the generator states.
RANDOM_STATE_KEY = 'random_state'


def get_random_state() -> dict:
    """The states of Python's, NumPy's and torch's global generators (CUDA's
    too once CUDA is in use), as tensors and plain numbers: a checkpoint
    holding them loads with ``weights_only=True`` and no allow-list entry."""
    version, internal, gauss_next = random.getstate()
    _, key, pos, has_gauss, cached_gaussian = np.random.get_state()
    state = dict(
        python=dict(version=version,
                    internal=torch.tensor(internal, dtype=torch.int64),
                    gauss_next=gauss_next),
        numpy=dict(key=torch.from_numpy(key.astype(np.int64)), pos=int(pos),
                   has_gauss=int(has_gauss),
                   cached_gaussian=float(cached_gaussian)),
        torch=torch.get_rng_state())
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def set_random_state(state: dict) -> None:
    """Restore what :func:`get_random_state` returned (tensors may have
    been loaded onto another device)."""
    python, numpy_state = state['python'], state['numpy']
    random.setstate((python['version'],
                     tuple(python['internal'].cpu().tolist()),
                     python['gauss_next']))
    np.random.set_state(
        ('MT19937', numpy_state['key'].cpu().numpy().astype(np.uint32),
         numpy_state['pos'], numpy_state['has_gauss'],
         numpy_state['cached_gaussian']))
    torch.set_rng_state(state['torch'].cpu())
    if state.get('cuda') and torch.cuda.is_available():
        for device, cuda_state in enumerate(
                state['cuda'][:torch.cuda.device_count()]):
            torch.cuda.set_rng_state(cuda_state.cpu(), device)


def derive_seed(*keys: int) -> int:
    """A 32-bit seed mixed from non-negative integers (NumPy SeedSequence):
    distinct keys give unrelated streams."""
    return int(np.random.SeedSequence(list(keys)).generate_state(1)[0])


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and torch's global generators."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


@HOOKS.register_module()
class RandomStateHook(Hook):
    """Save the global random generators in checkpoints; restore on resume.

    The model (``self_view_prob``, dropout, re-initialisation at a stage)
    and, with ``num_workers=0``, the data pipeline (``SampleViews`` in
    ``'random'`` mode) draw from the global generators of the training
    process. Without their states a resumed run draws other numbers than
    the interrupted one from the first iteration on.

    - ``before_save_checkpoint``: the states of Python's ``random``,
      NumPy's and torch's (and CUDA's) generators go into
      ``checkpoint['meta']['random_state']`` as tensors and numbers.
    - ``before_train`` of a resumed run (after ``FastResumeHook`` set up the
      data loader, before ``NSDStageHook`` may re-initialise a component):
      they are restored.
    - Validation leaves the training's generators as it found them (states
      taken at ``before_val``, put back at ``after_val``; a checkpoint saved
      during validation stores the states of before it), so the checkpoint
      holds what the next training iteration starts from.

    The data loader workers' generators are seeded per batch by
    ``FastResumeHook``. In distributed runs rank 0 saves its states and
    every rank restores them (the ranks share one seed and draw alike);
    with ``randomness.diff_rank_seed=True`` only rank 0 restores.
    """

    priority = 'HIGH'

    def __init__(self) -> None:
        self._loaded: Optional[dict] = None
        self._before_val: Optional[dict] = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        state = (self._before_val
                 if self._before_val is not None else get_random_state())
        checkpoint.setdefault('meta', {})[RANDOM_STATE_KEY] = state

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        meta = checkpoint.get('meta') or {}
        self._loaded = meta.get(RANDOM_STATE_KEY)

    def before_train(self, runner) -> None:
        if runner.iter == 0 or not self._restores_on_this_rank(runner):
            return
        if self._loaded is None:
            runner.logger.warning(
                'RandomStateHook: the checkpoint resumed from holds no random '
                'state (saved without this hook): training goes on with the '
                'generators as they are, so it does not repeat the '
                'interrupted run exactly')
            return
        set_random_state(self._loaded)
        runner.logger.info('RandomStateHook: random generators restored '
                           f'as they were after iteration {runner.iter}')

    def before_val(self, runner) -> None:
        self._before_val = get_random_state()

    def after_val(self, runner) -> None:
        if self._before_val is not None:
            set_random_state(self._before_val)
            self._before_val = None

    @staticmethod
    def _restores_on_this_rank(runner) -> bool:
        """Rank 0's states suit every rank unless the ranks' seeds differ."""
        randomness = runner.cfg.get('randomness', None) or {}
        return (get_world_size() == 1 or get_rank() == 0
                or not randomness.get('diff_rank_seed', False))
