"""Loading mmengine checkpoints with ``torch.load(weights_only=True)``.

torch >= 2.6 loads with ``weights_only=True`` by default and refuses every
pickled global that is not allow-listed, while mmengine 0.10.7 saves, next to
the tensors, a few Python objects (the message hub's ``HistoryBuffer``,
numpy arrays and scalars, the static annealing function of the one-cycle
scheduler). Safety stays on here: :data:`ALLOWED_GLOBALS` names exactly the
globals those checkpoints hold, and :func:`register_safe_checkpoint_loader`
makes mmengine's :class:`~mmengine.runner.CheckpointLoader` use
:func:`load_checkpoint_safely` for local paths, so ``Runner.resume`` and
``Runner.load_checkpoint`` keep working without ever unpickling arbitrary
code. A checkpoint holding anything else fails with
:class:`UnsafeCheckpointError`, naming the file and the refused global.

The allow-list was found empirically (checkpoints written by a Runner with
``CheckpointHook(save_best=..., max_keep_ckpts=...)``, a validation metric
returning numpy scalars, a dataset metainfo holding numpy arrays and each of
mmengine's parameter schedulers) and is checked by
``tests/test_utils/test_checkpoint.py``.
"""
import os.path as osp
import pickle
import re
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Tuple, Union

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from mmengine.optim.scheduler.param_scheduler import OneCycleParamScheduler
from mmengine.runner import CheckpointLoader

try:  # numpy >= 2
    from numpy._core.multiarray import _reconstruct, scalar
except ImportError:  # pragma: no cover - numpy 1.x
    from numpy.core.multiarray import _reconstruct, scalar

__all__ = [
    'ALLOWED_GLOBALS', 'ALLOWED_GETATTR', 'UnsafeCheckpointError',
    'load_checkpoint_safely', 'register_safe_checkpoint_loader'
]


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint holds a pickled global outside :data:`ALLOWED_GLOBALS`."""


#: ``getattr(owner, name)`` calls a checkpoint may contain: pickle writes a
#: reference to a method or static method as ``builtins.getattr(cls, name)``.
#: Allowing the real ``getattr`` would let a pickle walk from any allowed class
#: to ``__init__.__globals__['__builtins__']['eval']``; this table admits only
#: these (owner, attribute) pairs.
ALLOWED_GETATTR: Dict[type, FrozenSet[str]] = {
    # HistoryBuffer.__getstate__ stores its statistics methods by reference
    HistoryBuffer: frozenset({'min', 'max', 'current', 'mean'}),
    # OneCycleParamScheduler.state_dict() holds ``anneal_func``
    OneCycleParamScheduler: frozenset({'_annealing_cos', '_annealing_linear'}),
}


def _restricted_getattr(owner: Any, name: str) -> Any:
    """``getattr`` limited to the pairs of :data:`ALLOWED_GETATTR`."""
    if (isinstance(owner, type) and type(name) is str
            and name in ALLOWED_GETATTR.get(owner, ())):
        return getattr(owner, name)
    raise pickle.UnpicklingError(
        f'Unsupported global: GLOBAL builtins.getattr({owner!r}, {name!r}) '
        'is not an allowed attribute access')


def _numpy_dtype_classes() -> List[type]:
    """Classes of numpy's plain numeric and boolean dtypes.

    Unpickling ``np.dtype('float64')`` calls ``np.dtype(...)`` (allowed by
    name) and then builds an instance of ``np.dtypes.Float64DType``; torch
    checks that instance's type against the allow-list. Object, void
    (structured) and datetime dtypes are left out on purpose.
    """
    codes = '?bhilqBHILQefdgFDG'
    return sorted({type(np.dtype(c))
                   for c in codes}, key=lambda t: t.__name__)


#: Every global a checkpoint of this toolkit may reference beyond torch's own
#: defaults (tensors, ``OrderedDict``, ``Counter``, ``_codecs.encode`` ...).
#: Entries are ``(object, 'pickled.name')`` so the spelling numpy 1.x wrote
#: (``numpy.core.multiarray``) maps onto numpy 2's objects as well.
ALLOWED_GLOBALS: Tuple[Any, ...] = (
    # message_hub.log_scalars: one HistoryBuffer per logged scalar
    (HistoryBuffer, 'mmengine.logging.history_buffer.HistoryBuffer'),
    # ... whose state holds references to its statistics methods, and the
    # one-cycle scheduler's state references a static annealing function
    (_restricted_getattr, 'builtins.getattr'),
    (OneCycleParamScheduler,
     'mmengine.optim.scheduler.param_scheduler.OneCycleParamScheduler'),
    # numpy arrays (HistoryBuffer histories, dataset_meta arrays)
    (np.ndarray, 'numpy.ndarray'),
    (_reconstruct, 'numpy._core.multiarray._reconstruct'),
    (_reconstruct, 'numpy.core.multiarray._reconstruct'),
    # numpy scalars (best_score of CheckpointHook, metric values, counts)
    (scalar, 'numpy._core.multiarray.scalar'),
    (scalar, 'numpy.core.multiarray.scalar'),
    # dtypes of both
    (np.dtype, 'numpy.dtype'),
    *_numpy_dtype_classes(),
)

_GLOBAL_PATTERNS = (
    re.compile(r'GLOBAL (\S+?\(.*?\)|[\w.]+)'),
    re.compile(r'(reduce for unrecognized function [^\n]+)'),
    re.compile(r'(Can only (?:build|create new object)[^\n]+)'),
)


def _refused_global(message: str) -> str:
    for pattern in _GLOBAL_PATTERNS:
        match = pattern.search(message)
        if match:
            return match.group(1)
    return message.strip().splitlines()[-1] if message.strip() else '?'


def load_checkpoint_safely(
        filename: str,
        map_location: Optional[Union[str, torch.device, Callable]] = None
) -> Any:
    """Load a local checkpoint with ``weights_only=True`` and the allow-list.

    Args:
        filename: Path of the checkpoint (``~`` is expanded).
        map_location: As in :func:`torch.load`.

    Returns:
        The unpickled checkpoint (usually a dict).

    Raises:
        FileNotFoundError: ``filename`` is not a file.
        UnsafeCheckpointError: The file references a global outside
            :data:`ALLOWED_GLOBALS`; nothing of it is executed.
    """
    filename = osp.expanduser(str(filename))
    if not osp.isfile(filename):
        raise FileNotFoundError(f'Checkpoint {filename} can not be found.')
    try:
        with torch.serialization.safe_globals(list(ALLOWED_GLOBALS)):
            return torch.load(
                filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as error:
        refused = _refused_global(str(error))
        raise UnsafeCheckpointError(
            f'Refusing to load checkpoint {filename}: it references '
            f'{refused}, which is not allowed (see ALLOWED_GLOBALS and '
            'ALLOWED_GETATTR in nsd_toolkit.utils.checkpoint). Only load files '
            'you trust; if this type is legitimate, add it to the '
            'allow-list.') from error


def _load_from_safe_local(filename: str, map_location=None) -> Any:
    """mmengine CheckpointLoader entry (its log prints ``name[10:]``)."""
    return load_checkpoint_safely(filename, map_location)


# mmengine logs "Loads checkpoint by {__name__[10:]} backend"
_load_from_safe_local.__name__ = 'load_from_safe_local'


def register_safe_checkpoint_loader() -> None:
    """Make mmengine load local checkpoints with :func:`load_checkpoint_safely`.

    Overrides the ``''`` (local path) scheme of
    :class:`mmengine.runner.CheckpointLoader`; URL schemes keep their own
    loaders. Idempotent.
    """
    if CheckpointLoader._schemes.get('') is not _load_from_safe_local:
        CheckpointLoader.register_scheme(
            prefixes='', loader=_load_from_safe_local, force=True)
