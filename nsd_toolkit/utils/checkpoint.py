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
:class:`UnsafeCheckpointError`, naming the file and the refused global; a
file that is not a complete checkpoint (truncated by a crash while saving,
empty, a folder, another kind of file) fails with
:class:`CheckpointReadError`, naming the file.

Writing: :func:`save_atomic` writes through a temporary file and a rename,
so a crash never leaves a partial checkpoint under its final name;
``last_checkpoint`` records the latest checkpoint relative to the work dir
(:func:`write_last_checkpoint`, :func:`read_last_checkpoint`), and
:func:`find_resumable_checkpoint` picks the newest checkpoint that loads.

The allow-list was found empirically (checkpoints written by a Runner with
``CheckpointHook(save_best=..., max_keep_ckpts=...)`` and the toolkit's
checkpoint, resume and random-state hooks, a validation metric
returning numpy scalars, a dataset metainfo holding numpy arrays and each of
mmengine's parameter schedulers) and is checked by
``tests/test_utils/test_checkpoint.py``.
"""
import os
import os.path as osp
import pickle
import re
import uuid
from typing import (Any, Callable, Dict, FrozenSet, List, Mapping, Optional,
                    Tuple, Union)

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
    'CheckpointReadError', 'CHECKPOINT_ERRORS', 'load_checkpoint_safely',
    'check_resumable', 'register_safe_checkpoint_loader', 'save_atomic',
    'PARTIAL_SUFFIX', 'LAST_CHECKPOINT', 'write_last_checkpoint',
    'read_last_checkpoint', 'find_resumable_checkpoint', 'checkpoint_step',
    'numbered_checkpoints'
]


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint holds a pickled global outside :data:`ALLOWED_GLOBALS`."""


class CheckpointReadError(ValueError):
    """A file is not a complete, readable checkpoint (truncated, empty, a
    folder, another kind of file); the message names the file."""


#: What the loaders of this module raise for a path that does not hold a
#: loadable checkpoint; each message names the file.
CHECKPOINT_ERRORS = (FileNotFoundError, CheckpointReadError,
                     UnsafeCheckpointError)


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


def _refused_global(message: str) -> Optional[str]:
    """The global a weights-only load refused, None for other failures."""
    for pattern in _GLOBAL_PATTERNS:
        match = pattern.search(message)
        if match:
            return match.group(1)
    return None


def _reason(error: BaseException) -> str:
    """One line saying why torch could not load a file."""
    message = str(error).strip()
    match = re.search(r'WeightsUnpickler error:\s*(\S[^\n]*)', message)
    line = match.group(1) if match else (message.splitlines() or [''])[0]
    line = line.split('. ')[0]  # torch goes on with generic advice
    line = line if len(line) <= 160 else line[:157] + '...'
    return f'{type(error).__name__}: {line}' if line else type(error).__name__


def _check_is_file(filename: str) -> None:
    """Raise unless ``filename`` is a non-empty file."""
    if osp.isdir(filename):
        raise CheckpointReadError(
            f'Checkpoint {filename} is a folder, not a checkpoint file.')
    if not osp.isfile(filename):
        raise FileNotFoundError(f'Checkpoint {filename} can not be found.')
    if osp.getsize(filename) == 0:
        raise CheckpointReadError(
            f'Checkpoint {filename} is empty (0 bytes): the run that wrote it '
            'was probably killed while saving.')


def _read_error(filename: str, error: BaseException) -> CheckpointReadError:
    return CheckpointReadError(
        f'Cannot read checkpoint {filename} ({osp.getsize(filename)} bytes): '
        f'it is truncated, damaged or not a checkpoint ({_reason(error)}).')


def load_checkpoint_safely(
        filename: str,
        map_location: Optional[Union[str, torch.device, Callable]] = None
) -> Any:
    """Load a local checkpoint with ``weights_only=True`` and the allow-list.

    Args:
        filename: Path of the checkpoint (``~`` is expanded).
        map_location: As in :func:`torch.load`.

    Returns:
        The unpickled checkpoint, a mapping (a checkpoint dict or a bare
        state dict).

    Raises:
        FileNotFoundError: ``filename`` does not exist.
        UnsafeCheckpointError: The file references a global outside
            :data:`ALLOWED_GLOBALS`; nothing of it is executed.
        CheckpointReadError: The file is a folder, empty, truncated or
            otherwise not a checkpoint, or holds something else than a
            mapping.
    """
    filename = osp.expanduser(str(filename))
    _check_is_file(filename)
    try:
        with torch.serialization.safe_globals(list(ALLOWED_GLOBALS)):
            checkpoint = torch.load(
                filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as error:
        refused = _refused_global(str(error))
        if refused is None:
            raise _read_error(filename, error) from error
        raise UnsafeCheckpointError(
            f'Refusing to load checkpoint {filename}: it references '
            f'{refused}, which is not allowed (see ALLOWED_GLOBALS and '
            'ALLOWED_GETATTR in nsd_toolkit.utils.checkpoint). Only load files '
            'you trust; if this type is legitimate, add it to the '
            'allow-list.') from error
    except Exception as error:  # noqa: BLE001 - torch's reader and the
        # allow-listed constructors (called with the file's arguments) raise
        # many types on a damaged file; all of them mean "cannot read it"
        raise _read_error(filename, error) from error
    if not isinstance(checkpoint, Mapping):
        raise CheckpointReadError(
            f'Checkpoint {filename} holds a {type(checkpoint).__name__}, not '
            'a dict of weights and training state.')
    return checkpoint


def check_resumable(filename: str) -> None:
    """Raise unless training can resume from ``filename``.

    It must load (:func:`load_checkpoint_safely`) and hold the weights, the
    message hub and ``meta.epoch`` / ``meta.iter``, as the checkpoints of
    ``tools/train.py`` do (published and bare weight files do not).

    Raises:
        FileNotFoundError, UnsafeCheckpointError, CheckpointReadError: as
            :func:`load_checkpoint_safely`; CheckpointReadError also for a
            readable file without the training state.
    """
    checkpoint = load_checkpoint_safely(filename, map_location='cpu')
    meta = checkpoint.get('meta')
    meta = meta if isinstance(meta, Mapping) else {}
    missing = ([key for key in ('state_dict', 'message_hub')
                if key not in checkpoint]
               + [f'meta.{key}' for key in ('epoch', 'iter') if key not in meta])
    if missing:
        raise CheckpointReadError(
            f'Cannot resume from checkpoint {filename}: it lacks '
            f'{", ".join(missing)} (a published or weights-only file?); '
            'resume from an iter_N.pth that tools/train.py saved.')


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


# ------------------------------------------------------------------ writing
#: Suffix of the temporary files :func:`save_atomic` renames into place; a
#: file ending so is the remains of a write a crash interrupted.
PARTIAL_SUFFIX = '.partial'


def save_atomic(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    The temporary file (``.<name>.<random>.partial``, same folder, created
    with the permissions of a plain ``open``) is flushed to disk before it
    replaces ``path``, so readers, and a run resumed after a crash, see the
    old file or the new one, never a part.
    """
    folder, name = osp.split(osp.abspath(path))
    tmp = osp.join(folder, f'.{name}.{uuid.uuid4().hex[:12]}{PARTIAL_SUFFIX}')
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise


# ---------------------------------------------------- the latest checkpoint
#: mmengine's record of the latest checkpoint, a file in the work dir.
LAST_CHECKPOINT = 'last_checkpoint'
_NUMBERED = re.compile(r'(iter|epoch)_(\d+)\.pth')


def write_last_checkpoint(work_dir: str, checkpoint: str) -> None:
    """Record ``checkpoint`` in ``work_dir/last_checkpoint``, atomically, as
    a path relative to ``work_dir`` (a copied work dir resumes its own)."""
    relative = osp.relpath(osp.abspath(checkpoint), osp.abspath(work_dir))
    save_atomic(osp.join(work_dir, LAST_CHECKPOINT), relative.encode())


def read_last_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint ``work_dir/last_checkpoint`` names, or None.

    A relative entry is taken from ``work_dir``. An absolute entry (written
    by mmengine's own CheckpointHook and earlier toolkit versions) pointing
    into another folder while ``work_dir`` holds a file of that name (a
    copied work dir) is taken from ``work_dir``, so the copy does not read
    the original's files.
    """
    record = osp.join(work_dir, LAST_CHECKPOINT)
    if not osp.isfile(record):
        return None
    with open(record, encoding='utf-8', errors='replace') as f:
        entry = f.read().strip()
    if not entry:
        return None
    if not osp.isabs(entry):
        return osp.normpath(osp.join(work_dir, entry))
    local = osp.join(work_dir, osp.basename(entry))
    if osp.dirname(entry) != osp.abspath(work_dir) and osp.isfile(local):
        return local
    return entry


def checkpoint_step(path: str) -> int:
    """N of ``iter_N.pth`` / ``epoch_N.pth``, -1 for other names."""
    match = _NUMBERED.fullmatch(osp.basename(path))
    return int(match.group(2)) if match else -1


def numbered_checkpoints(folder: str) -> List[str]:
    """``iter_N.pth`` and ``epoch_N.pth`` files of ``folder``, by N."""
    if not osp.isdir(folder):
        return []
    return sorted((osp.join(folder, name) for name in os.listdir(folder)
                   if _NUMBERED.fullmatch(name)),
                  key=lambda path: (checkpoint_step(path), path))


def _resume_candidates(work_dir: str) -> List[str]:
    """The recorded latest checkpoint, then the older numbered checkpoints
    of its folder and of ``work_dir``, newest first."""
    recorded = read_last_checkpoint(work_dir)
    folders = {osp.abspath(work_dir)}
    if recorded is not None:
        recorded = osp.abspath(recorded)
        folders.add(osp.dirname(recorded))
    older = {path for folder in folders
             for path in numbered_checkpoints(folder)}
    if recorded is not None:
        limit = checkpoint_step(recorded)
        older = {path for path in older
                 if limit < 0 or checkpoint_step(path) < limit}
        older.discard(recorded)
    ordered = sorted(older, key=lambda path: (checkpoint_step(path), path),
                     reverse=True)
    return ([recorded] if recorded is not None else []) + ordered


def find_resumable_checkpoint(
        work_dir: str,
        warn: Optional[Callable[[str], None]] = None) -> Optional[str]:
    """The newest checkpoint of ``work_dir`` that training can resume from.

    Candidates, in order: the file ``last_checkpoint`` names
    (:func:`read_last_checkpoint`), then the older ``iter_N.pth`` /
    ``epoch_N.pth`` beside it (all of ``work_dir``'s, newest first, when
    ``last_checkpoint`` is missing). Each is checked by loading it
    (:func:`check_resumable`); a damaged or missing one is skipped and
    reported through ``warn`` with its path and the checkpoint used instead.

    Args:
        work_dir: The work dir of the run.
        warn: Called with the warning when a candidate is skipped.

    Returns:
        The checkpoint's path, or None when ``work_dir`` has no checkpoint.

    Raises:
        CheckpointReadError: There are checkpoints, but none loads.
        UnsafeCheckpointError: A candidate references a global outside the
            allow-list (refused, not skipped: a tampered file is reported).
    """
    skipped = []
    for path in _resume_candidates(work_dir):
        try:
            check_resumable(path)
        except (CheckpointReadError, FileNotFoundError) as error:
            skipped.append(str(error))
            continue
        if skipped and warn is not None:
            warn(f'{" ".join(skipped)} Resuming from the previous checkpoint '
                 f'{path} instead.')
        return path
    if skipped:
        raise CheckpointReadError(
            f'No checkpoint of {work_dir} can be resumed from: '
            f'{" ".join(skipped)}')
    return None
