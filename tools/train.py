"""Train a model from a config.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
        [--cfg-options KEY=VALUE ...] [--launcher {none,pytorch,slurm,mpi}]

Multi-process: tools/dist_train.sh CONFIG NPROC [args] (torchrun); works
without GPUs too (gloo, see nsd_toolkit/utils/dist.py).
"""
import argparse
import os.path as osp
import sys

import torch
from mmengine.config import Config

from nsd_toolkit.utils.checkpoint import (CHECKPOINT_ERRORS, check_resumable,
                                          find_resumable_checkpoint,
                                          load_checkpoint_safely)
from nsd_toolkit.utils.cli import (add_common_arguments, apply_common_args,
                                   existing_file, parse_common_args,
                                   run_with_runner)
from nsd_toolkit.utils.dist import LAUNCHERS


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument(
        'config', type=existing_file, help='train config file path')
    parser.add_argument(
        '--work-dir',
        help='the dir to save logs and models (default: the config\'s '
        'work_dir, else ./work_dirs/<config name>)')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume training: without a value from the latest checkpoint '
        'of the work_dir that loads (a damaged one is skipped with a '
        'warning; none yet: start as without --resume), with a value from '
        'that checkpoint file')
    parser.add_argument(
        '--amp',
        action='store_true',
        default=False,
        help='enable automatic mixed precision training (needs CUDA)')
    add_common_arguments(parser, LAUNCHERS)
    args = parse_common_args(parser, argv)
    if args.resume not in (None, 'auto'):
        try:
            check_resumable(args.resume)
        except CHECKPOINT_ERRORS as error:
            parser.error(f'argument --resume: {error}')
    return parser, args


def merge_args(cfg, args, parser):
    """Apply the command line to the config."""
    apply_common_args(cfg, args, parser)

    if args.amp:
        if not torch.cuda.is_available():
            parser.error('argument --amp: mixed precision training needs '
                         'CUDA (mmengine AmpOptimWrapper)')
        optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        if optim_wrapper not in ('OptimWrapper', 'AmpOptimWrapper'):
            parser.error('argument --amp: only supported with OptimWrapper, '
                         f'the config uses {optim_wrapper}')
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')

    if args.resume == 'auto':
        # nothing saved yet: start as without --resume, keeping the config's
        # warm start (mmengine would silently start from scratch)
        latest = latest_checkpoint(cfg.work_dir, parser)
        cfg.resume = latest is not None
        if cfg.resume:
            cfg.load_from = latest
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    check_warm_start(cfg, args.config, parser)
    return cfg


def latest_checkpoint(work_dir: str, parser):
    """The newest checkpoint of ``work_dir`` that loads, None if it has
    none; damaged ones are skipped with a warning naming them, and a work
    dir whose checkpoints are all damaged is an error."""
    def warn(message):
        print(f'{parser.prog}: warning: {message}', file=sys.stderr)

    try:
        return find_resumable_checkpoint(work_dir, warn=warn)
    except CHECKPOINT_ERRORS as error:
        parser.error(f'argument --resume: {error}')


def check_warm_start(cfg, config_path: str, parser) -> None:
    """Fail before any work when the config's local ``load_from`` is missing
    or does not load."""
    warm_start = cfg.get('load_from')
    if cfg.get('resume') or not warm_start or '://' in warm_start:
        return
    if not osp.isfile(warm_start) and not osp.isdir(warm_start):
        parser.error(
            f'load_from: checkpoint not found: {warm_start!r} (set by '
            f'{config_path} or --cfg-options); train the model it '
            'warm-starts from first, or pass --cfg-options load_from=None to '
            'start from scratch')
    try:
        load_checkpoint_safely(warm_start, map_location='cpu')
    except CHECKPOINT_ERRORS as error:
        parser.error(f'load_from (set by {config_path} or --cfg-options): '
                     f'{error}')


def main(argv=None):
    parser, args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    cfg = merge_args(cfg, args, parser)

    def train(runner):
        runner.train()  # returns the (wrapped) model: not kept beyond here

    run_with_runner(cfg, args.launcher, train, parser)


if __name__ == '__main__':
    main()
