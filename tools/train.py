"""Train a model from a config.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
        [--cfg-options KEY=VALUE ...] [--launcher {none,pytorch,slurm,mpi}]

Multi-process: tools/dist_train.sh CONFIG NPROC [args] (torchrun); works
without GPUs too (gloo, see nsd_toolkit/utils/dist.py).
"""
import argparse
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.runner import find_latest_checkpoint

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
        'of the work_dir (none yet: start as without --resume), with a '
        'value from that checkpoint file')
    parser.add_argument(
        '--amp',
        action='store_true',
        default=False,
        help='enable automatic mixed precision training (needs CUDA)')
    add_common_arguments(parser, LAUNCHERS)
    args = parse_common_args(parser, argv)
    if args.resume not in (None, 'auto') and not osp.isfile(args.resume):
        parser.error(f'argument --resume: checkpoint not found: '
                     f'{args.resume!r}')
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
        cfg.resume = find_latest_checkpoint(cfg.work_dir) is not None
        if cfg.resume:
            cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    check_warm_start(cfg, args.config, parser)
    return cfg


def check_warm_start(cfg, config_path: str, parser) -> None:
    """Fail before any work when the config's local ``load_from`` is missing."""
    warm_start = cfg.get('load_from')
    if (cfg.get('resume') or not warm_start or '://' in warm_start
            or osp.isfile(warm_start)):
        return
    parser.error(
        f'load_from: checkpoint not found: {warm_start!r} (set by '
        f'{config_path} or --cfg-options); train the model it warm-starts '
        'from first, or pass --cfg-options load_from=None to start from '
        'scratch')


def main(argv=None):
    parser, args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    cfg = merge_args(cfg, args, parser)

    run_with_runner(cfg, args.launcher, lambda runner: runner.train())


if __name__ == '__main__':
    main()
