"""Pieces shared by the command-line tools."""
import argparse
import contextlib
import difflib
import gc
import glob
import json
import math
import numbers
import os
import os.path as osp
import shutil
import tempfile
from typing import Any, Callable, Dict, Mapping, Optional

import numpy as np
import torch
from mmengine.config import DictAction

from .checkpoint import (CHECKPOINT_ERRORS, load_checkpoint_safely,
                         register_safe_checkpoint_loader, save_atomic)
from .dist import cleanup_distributed, setup_cpu_distributed

__all__ = [
    'CfgOptionsAction', 'existing_file', 'checkpoint_file', 'default_work_dir',
    'to_plain',
    'dump_json_atomic', 'add_common_arguments', 'parse_common_args',
    'merge_cfg_options', 'apply_imagenet_pretrained', 'apply_common_args',
    'build_runner', 'run_with_runner', 'add_output_arguments', 'call_or_exit',
    'add_split_arguments', 'build_split', 'build_split_loader',
    'check_stage_hook', 'drop_switched_off_hooks',
    'check_out_dir', 'check_device', 'staged_out_dir'
]


class CfgOptionsAction(DictAction):
    """mmengine's ``DictAction`` with an argparse error for malformed items.

    ``--cfg-options a.b=1 c=[1,2]``; an item without ``=``, with an empty
    key or with unbalanced brackets ends the program with
    ``argument --cfg-options: ...`` instead of a traceback.
    """

    def __call__(self, parser, namespace, values, option_string=None):
        for kv in values or ():
            key, sep, val = kv.partition('=')
            if not sep or not key.strip():
                raise argparse.ArgumentError(
                    self, f'expected KEY=VALUE items, got {kv!r}')
            if (val.count('(') != val.count(')')
                    or val.count('[') != val.count(']')):
                raise argparse.ArgumentError(
                    self, f'unbalanced brackets in {kv!r}')
        super().__call__(parser, namespace, values, option_string)


def existing_file(path: str) -> str:
    """argparse ``type=`` that requires an existing file."""
    if not osp.isfile(path):
        raise argparse.ArgumentTypeError(f'file not found: {path!r}')
    return path


def positive_int(text: str) -> int:
    """argparse ``type=`` of a count: an integer >= 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f'must be >= 1, got {text}')
    return value


def output_file(path: str) -> str:
    """argparse ``type=`` of a file to write: an existing folder there is
    an error."""
    if osp.isdir(path):
        raise argparse.ArgumentTypeError(
            f'{path!r} is a directory, expected a file name')
    return path


def checkpoint_file(path: str) -> str:
    """argparse ``type=`` that requires a checkpoint file that loads
    (:func:`~nsd_toolkit.utils.checkpoint.load_checkpoint_safely`); missing,
    empty, truncated, unsafe files and folders are errors naming the path."""
    try:
        load_checkpoint_safely(path, map_location='cpu')
    except CHECKPOINT_ERRORS as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return path


def default_work_dir(config_path: str) -> str:
    """``./work_dirs/<config stem>`` as in mmpose."""
    return osp.join('./work_dirs', osp.splitext(osp.basename(config_path))[0])


def add_common_arguments(parser: argparse.ArgumentParser,
                         launchers) -> None:
    """``--cfg-options``, ``--launcher`` and ``--local_rank/--local-rank``."""
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=CfgOptionsAction,
        help='override settings of the config, KEY=VALUE items, e.g. '
        'train_cfg.max_iters=100 "model.channels=[32,64]"')
    parser.add_argument(
        '--launcher', choices=list(launchers), default='none',
        help='job launcher')
    # torch.distributed.launch passes --local_rank, torchrun sets LOCAL_RANK
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def parse_common_args(parser: argparse.ArgumentParser, argv=None):
    """Parse ``argv`` and export ``LOCAL_RANK`` when no launcher set it."""
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


#: Top-level keys mmengine's Runner reads that configs may leave out.
RUNNER_KEYS = frozenset({
    'model', 'work_dir', 'train_dataloader', 'val_dataloader',
    'test_dataloader', 'train_cfg', 'val_cfg', 'test_cfg', 'auto_scale_lr',
    'optim_wrapper', 'param_scheduler', 'val_evaluator', 'test_evaluator',
    'default_hooks', 'custom_hooks', 'data_preprocessor', 'load_from',
    'resume', 'launcher', 'env_cfg', 'log_processor', 'log_level',
    'visualizer', 'default_scope', 'randomness', 'experiment_name',
    'model_wrapper_cfg', 'sync_bn', 'find_unused_parameters', 'compile',
    'activation_checkpointing', 'efficient_conv_bn_eval'
})


def check_top_level_keys(cfg, options: dict) -> None:
    """Refuse ``options`` whose top-level key neither the config nor the
    Runner knows (a typo would be ignored silently), naming the closest
    valid key."""
    known = set(cfg.keys()) | RUNNER_KEYS
    for key in options:
        top = key.split('.', 1)[0]
        if top in known:
            continue
        close = difflib.get_close_matches(top, sorted(known), n=1)
        hint = f'; did you mean {close[0]!r}?' if close else ''
        raise KeyError(f'{key!r}: {top!r} is not a key of the config nor '
                       f'one mmengine\'s Runner reads{hint}')


def merge_cfg_options(cfg, options, parser: argparse.ArgumentParser):
    """Merge ``--cfg-options`` into ``cfg``; failures (a top-level key
    nothing reads included) end as argparse errors."""
    if options is not None:
        try:
            check_top_level_keys(cfg, options)
            cfg.merge_from_dict(options)
        except Exception as error:  # noqa: BLE001 - report as a CLI error
            parser.error(f'argument --cfg-options: cannot apply {options}: '
                         f'{error}')
    return cfg


def apply_imagenet_pretrained(cfg):
    """Merge ``cfg.imagenet_init`` into the model when
    ``cfg.imagenet_pretrained`` is true; ``cfg`` unchanged otherwise.

    The ImageNet switch of ``configs/_base_/models/nsd_resnet.py``: a config
    variable cannot change the ``model`` its base file already built, so the
    switch is applied after ``--cfg-options``. ``imagenet_init`` maps model
    components to the settings they get (the backbones' ``init_cfg`` and
    ``frozen_stages``), merged recursively;
    a pose estimator gets them on the NSD model it wraps (``model.nsd``).
    """
    if not cfg.get('imagenet_pretrained', False):
        return cfg
    if 'imagenet_init' not in cfg:
        raise KeyError('imagenet_pretrained=True needs imagenet_init, the '
                       'settings to merge into the model (see '
                       'configs/_base_/models/nsd_resnet.py)')
    prefix = 'model.nsd.' if 'nsd' in cfg.model else 'model.'
    model = cfg.model.get('nsd', cfg.model)
    for component, settings in cfg.imagenet_init.items():
        if component not in model:
            raise KeyError(f'imagenet_init names {component!r}, which the '
                           'model config does not have')
        # merged key by key, so nested settings (backbone=dict(...)) keep
        # the rest of the component's config
        cfg.merge_from_dict({prefix + component: settings})
    return cfg


def add_split_arguments(parser: argparse.ArgumentParser,
                        default_split: str = 'test') -> None:
    """``config``, ``--split``, ``--data-root`` and ``--cfg-options`` of the
    tools that read one split of a config's data (:func:`build_split`)."""
    parser.add_argument('config', type=existing_file, help='config file')
    parser.add_argument('--split', choices=('val', 'test'),
                        default=default_split,
                        help="the config's val or test dataloader "
                        f'(default {default_split})')
    parser.add_argument('--data-root', help="override the split's data_root")
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction,
                        metavar='KEY=VALUE', help='override config settings')


def add_metrics_out_argument(parser: argparse.ArgumentParser) -> None:
    """``--out``: the JSON file a metric tool writes its numbers to (a
    folder given there is refused at parsing, :func:`output_file`)."""
    parser.add_argument('--out', type=output_file,
                        help='write the metrics to this JSON file')


def build_split(args, parser: argparse.ArgumentParser):
    """The dataset of ``args.split`` of ``args.config`` (after
    ``--cfg-options`` and ``--data-root``); the parser's error if the config
    has none."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from nsd_toolkit.registry import DATASETS
    cfg = merge_cfg_options(Config.fromfile(args.config), args.cfg_options,
                            parser)
    dataset_cfg = cfg.get(f'{args.split}_dataloader', {}).get('dataset')
    if dataset_cfg is None:
        parser.error(f'{args.config} has no {args.split}_dataloader.dataset')
    if args.data_root:
        dataset_cfg.data_root = args.data_root
    init_default_scope(cfg.get('default_scope', 'nsd_toolkit'))
    return DATASETS.build(dataset_cfg)


def build_split_loader(cfg, split: str, args,
                       parser: argparse.ArgumentParser, **overrides):
    """The data loader of ``split`` (``'val'``, ...) of ``cfg``, with
    ``overrides`` of its settings (e.g. ``sampler``) and ``args.data_root``
    applied; a config without it or data that does not load end as the
    parser's error naming them."""
    from mmengine.runner import Runner
    loader = cfg.get(f'{split}_dataloader')
    if not loader or 'dataset' not in loader:
        parser.error(f'{args.config} has no {split}_dataloader.dataset')
    loader = dict(loader.to_dict(), **overrides)
    if args.data_root:
        loader['dataset']['data_root'] = args.data_root
    if not loader.get('num_workers'):  # torch refuses it without workers
        loader['persistent_workers'] = False
    return call_or_exit(parser, Runner.build_dataloader, loader)


def build_depth_split(args, parser: argparse.ArgumentParser):
    """:func:`build_split`, with the parser's error unless its samples
    carry GT instance masks and 3D joints (``gt_depths``), which the depth
    order of occluding pairs needs."""
    dataset = build_split(args, parser)
    first = dataset[0]['data_samples']
    if 'gt_masks' not in first or 'gt_depths' not in first:
        parser.error(f'the {args.split} split of {args.config} has no GT '
                     'instance masks or 3D joints: the depth order of '
                     'occluding pairs needs both')
    return dataset


def require_depth_pairs(parser: argparse.ArgumentParser,
                        metrics: Dict[str, Any]) -> int:
    """The occluding pairs ``metrics`` were scored on; the parser's error
    when none could be formed."""
    if 'depth_order_pairs' not in metrics:
        parser.error('no occluding pairs could be formed (GT joints missing)')
    return metrics['depth_order_pairs']


def print_depth_order_row(split: str, pairs: int,
                          columns: Dict[str, str]) -> None:
    """Print a one-row markdown table: the split, its occluding pairs and
    ``columns`` (name -> formatted value)."""
    print('| split | occluding pairs | ' + ' | '.join(columns) + ' |')
    print('|---' * (2 + len(columns)) + '|')
    print(f'| {split} | {pairs} | ' + ' | '.join(columns.values()) + ' |')


def check_stage_hook(cfg) -> None:
    """A model with ``stages`` needs ``NSDStageHook``, which applies them in
    training and restores them from checkpoints; raises ValueError if the
    config's ``custom_hooks`` lack it."""
    hooks = [hook.get('type') for hook in cfg.get('custom_hooks', None) or []]
    if cfg.model.get('stages') and 'NSDStageHook' not in hooks:
        raise ValueError(
            f'model.stages ({sorted(cfg.model.stages)}) need '
            "dict(type='NSDStageHook') in custom_hooks, which has "
            f'{hooks}: without it no stage would apply')


#: Default hooks mmengine's Runner adds itself; ``None`` removes them there.
RUNNER_DEFAULT_HOOKS = frozenset({'runtime_info', 'timer', 'sampler_seed',
                                  'logger', 'param_scheduler', 'checkpoint'})


def drop_switched_off_hooks(cfg) -> None:
    """Remove the other ``default_hooks`` set to None (e.g.
    ``--cfg-options default_hooks.allocator=None``): mmengine's Runner takes
    None as "off" for its own default hooks only and fails on the rest."""
    hooks = cfg.get('default_hooks') or {}
    for name in [name for name, hook in hooks.items()
                 if hook is None and name not in RUNNER_DEFAULT_HOOKS]:
        hooks.pop(name)


def apply_common_args(cfg, args, parser: argparse.ArgumentParser):
    """Apply ``--cfg-options``, ``--launcher`` and ``--work-dir`` to ``cfg``.

    A ``--cfg-options`` item that cannot be merged ends the program with
    ``argument --cfg-options: ...``; then the ImageNet switch is applied
    (:func:`apply_imagenet_pretrained`). Data loaders without workers
    (``num_workers=0``, e.g. for debugging) get ``persistent_workers=False``;
    a model with stages needs its hook (:func:`check_stage_hook`); default
    hooks set to None are off (:func:`drop_switched_off_hooks`).
    The work dir is ``--work-dir``, else the
    config's ``work_dir``, else :func:`default_work_dir`.
    """
    merge_cfg_options(cfg, args.cfg_options, parser)
    apply_imagenet_pretrained(cfg)
    check_stage_hook(cfg)
    drop_switched_off_hooks(cfg)
    for split in ('train', 'val', 'test'):
        loader = cfg.get(f'{split}_dataloader')
        # persistent workers need workers: torch refuses the pair otherwise
        if loader and loader.get('num_workers', 0) == 0:
            loader['persistent_workers'] = False
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = default_work_dir(args.config)
    return cfg


def build_runner(cfg):
    """mmengine's ``Runner.from_cfg``, or the config's ``runner_type``."""
    if 'runner_type' not in cfg:
        from mmengine.runner import Runner
        return Runner.from_cfg(cfg)
    from mmengine.registry import RUNNERS
    return RUNNERS.build(cfg)


#: Errors of a bad config or bad data, raised while the runner is built
#: (unknown types and arguments, invalid values) ...
BUILD_ERRORS = (ValueError, KeyError, TypeError)
#: ... and once it runs (a dataset, a checkpoint or a value refused).
RUN_ERRORS = (ValueError, )


def run_with_runner(cfg,
                    launcher: str,
                    action: Callable[[Any], Any],
                    parser: Optional[argparse.ArgumentParser] = None) -> Any:
    """Build the runner of ``cfg`` and return ``action(runner)``.

    Registers the safe checkpoint loader, starts a gloo process group first
    when ``launcher`` asks for processes on a machine without CUDA, and
    tears that group down again afterwards.

    With ``parser``, a config or data error (:data:`BUILD_ERRORS` while the
    runner is built, :data:`RUN_ERRORS` before the first training iteration)
    removes what the attempt created in the work dir (its log folder, the
    dumped config; the work dir itself if it was new) and ends as
    ``PROG: error: ...`` with status 2 instead of a traceback.
    """
    register_safe_checkpoint_loader()
    initialised = setup_cpu_distributed(cfg, launcher)
    work_dir = cfg.get('work_dir')
    before = _entries(work_dir)
    succeeded = False
    runner = result = None
    try:
        runner = build_runner(cfg)
        result = action(runner)
        succeeded = True
        return result
    except BUILD_ERRORS as error:
        built = runner is not None
        if parser is None or (built and not isinstance(error, RUN_ERRORS)) \
                or (built and _trained_iterations(runner) > 0):
            raise
        _remove_new_entries(work_dir, before)
        parser.error(f'{type(error).__name__}: {error}')
    finally:
        if initialised:
            # the DDP wrapper holds the process group, and the runner sits in
            # reference cycles: freed only at interpreter exit, the group's
            # gloo threads would be torn down then and abort the process
            # ('terminate called without an active exception')
            runner = result = None
            gc.collect()
        cleanup_distributed(initialised, succeeded)


def _trained_iterations(runner) -> int:
    """Iterations the runner has trained (0 while its train loop is not
    built; reading ``runner.iter`` would build it)."""
    loop = getattr(runner, '_train_loop', None)
    return getattr(loop, 'iter', 0) if not isinstance(loop, dict) else 0


def _entries(folder: Optional[str]) -> Optional[set]:
    """Names in ``folder``, None when it does not exist (or is None)."""
    return set(os.listdir(folder)) if folder and osp.isdir(folder) else None


def _remove_new_entries(folder: Optional[str], before: Optional[set]) -> None:
    """Remove what appeared in ``folder`` since ``before`` (the folder too
    when it did not exist)."""
    if not folder or not osp.isdir(folder):
        return
    if before is None:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for name in _entries(folder) - before:
        path = osp.join(folder, name)
        if osp.isdir(path) and not osp.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.remove(path)


def to_plain(value: Any) -> Any:
    """Metric values as JSON-able plain Python (numbers become floats).

    numpy / torch scalars and Python numbers -> ``float`` (NaN and inf, e.g.
    a metric without any case to count, -> ``None``: JSON ``null``); arrays
    and tensors -> nested lists of those; mappings and sequences recursively; strings,
    booleans and None unchanged.
    """
    if value is None or isinstance(value, (str, bool, np.bool_)):
        return bool(value) if isinstance(value, np.bool_) else value
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return ([to_plain(v) for v in value]
                if value.ndim else to_plain(float(value)))
    if isinstance(value, (numbers.Number, np.generic)):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    raise TypeError(f'cannot write a metric value of type {type(value)} '
                    'as JSON')


def dump_json_atomic(obj: Any, path: str) -> None:
    """Write ``obj`` as JSON to ``path`` via a temporary file + rename
    (:func:`~nsd_toolkit.utils.checkpoint.save_atomic`).

    Readers never see a half-written file; an existing file is replaced; an
    object that is not JSON leaves ``path`` untouched.
    """
    text = json.dumps(obj, indent=2, sort_keys=True, allow_nan=False) + '\n'
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    save_atomic(path, text.encode())


def check_out_dir(path: str) -> None:
    """ValueError (naming ``--out-dir``) unless ``path`` is a folder, or can
    be created as one, and can be written."""
    if osp.exists(path) and not osp.isdir(path):
        raise ValueError(f'--out-dir {path}: exists and is not a folder')
    existing = osp.abspath(path)
    while not osp.exists(existing):
        existing = osp.dirname(existing)
    if not osp.isdir(existing):
        raise ValueError(f'--out-dir {path}: {existing} is a file, so the '
                         'folder cannot be created')
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f'--out-dir {path}: {existing} is not writable')


def check_device(device: str) -> None:
    """ValueError (naming ``--device``) unless torch knows ``device`` and it
    is available."""
    try:
        parsed = torch.device(device)
    except RuntimeError as error:
        raise ValueError(f'--device {device!r}: {error}') from None
    if parsed.type == 'cuda' and (
            not torch.cuda.is_available()
            or (parsed.index or 0) >= torch.cuda.device_count()):
        raise ValueError(f'--device {device}: no such CUDA device here')


@contextlib.contextmanager
def staged_out_dir(out_dir: str, stale=()):
    """Write a tool's outputs all at once: yields a staging folder beside
    ``out_dir``, whose files are moved into ``out_dir`` (created if needed)
    when the block ends without an error.

    Files of ``out_dir`` matching the glob patterns ``stale`` (outputs of an
    earlier run) that the staging folder lacks are removed then; other files
    of ``out_dir`` stay. The staging folder is removed in any case.
    """
    out_dir = osp.abspath(out_dir)
    os.makedirs(osp.dirname(out_dir), exist_ok=True)
    staging = tempfile.mkdtemp(dir=osp.dirname(out_dir),
                               prefix=f'.{osp.basename(out_dir)}.',
                               suffix='.partial')
    try:
        yield staging
        os.makedirs(out_dir, exist_ok=True)
        names = sorted(os.listdir(staging))
        for pattern in stale:
            for path in glob.glob(osp.join(out_dir, pattern)):
                if osp.basename(path) not in names:
                    os.remove(path)
        for name in names:
            os.replace(osp.join(staging, name), osp.join(out_dir, name))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    """``OUT_DIR``, ``--overwrite`` and ``--no-progress`` of dataset writers."""
    parser.add_argument('out_dir', help='output folder (absent or empty)')
    parser.add_argument(
        '--overwrite', action='store_true', help='replace a non-empty OUT_DIR')
    parser.add_argument('--no-progress', action='store_true')


def call_or_exit(parser: argparse.ArgumentParser, function: Callable, *args,
                 **kwargs) -> Any:
    """``function(*args, **kwargs)``; its input errors end as argparse errors.

    ``ValueError`` (bad data or arguments, including ``DatasetFormatError``),
    ``FileExistsError`` (an output folder in the way) and ``ImportError``
    (an optional dependency missing) print ``PROG: error: MESSAGE`` and exit
    with status 2 instead of a traceback.
    """
    try:
        return function(*args, **kwargs)
    except (ImportError, ValueError, FileExistsError) as error:
        parser.error(str(error))
