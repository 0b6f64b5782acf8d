"""Train a model from a config.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
        [--cfg-options KEY=VALUE ...] [--launcher {none,pytorch,slurm,mpi}]

Multi-process: tools/dist_train.sh CONFIG NPROC [args] (torchrun); works
without GPUs too (gloo, see nsd_toolkit/utils/dist.py).
"""
import argparse
import os
import os.path as osp

import torch
from mmengine.config import Config

from nsd_toolkit.utils.checkpoint import register_safe_checkpoint_loader
from nsd_toolkit.utils.cli import (CfgOptionsAction, default_work_dir,
                                   existing_file)
from nsd_toolkit.utils.dist import (LAUNCHERS, cleanup_distributed,
                                    setup_cpu_distributed)


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
        'of the work_dir, with a value from that checkpoint file')
    parser.add_argument(
        '--amp',
        action='store_true',
        default=False,
        help='enable automatic mixed precision training (needs CUDA)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=CfgOptionsAction,
        help='override settings of the config, KEY=VALUE items, e.g. '
        'train_cfg.max_iters=100 "model.channels=[32,64]"')
    parser.add_argument(
        '--launcher',
        choices=list(LAUNCHERS),
        default='none',
        help='job launcher')
    # torch.distributed.launch passes --local_rank, torchrun sets LOCAL_RANK
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    if args.resume not in (None, 'auto') and not osp.isfile(args.resume):
        parser.error(f'argument --resume: checkpoint not found: '
                     f'{args.resume!r}')
    return parser, args


def merge_args(cfg, args, parser):
    """Apply the command line to the config."""
    if args.cfg_options is not None:
        try:
            cfg.merge_from_dict(args.cfg_options)
        except Exception as error:  # noqa: BLE001 - report as a CLI error
            parser.error(f'argument --cfg-options: cannot apply '
                         f'{args.cfg_options}: {error}')
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = default_work_dir(args.config)

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
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    return cfg


def main(argv=None):
    parser, args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    cfg = merge_args(cfg, args, parser)

    register_safe_checkpoint_loader()
    initialised = setup_cpu_distributed(cfg, args.launcher)
    try:
        if 'runner_type' not in cfg:
            from mmengine.runner import Runner
            runner = Runner.from_cfg(cfg)
        else:
            from mmengine.registry import RUNNERS
            runner = RUNNERS.build(cfg)
        runner.train()
    finally:
        cleanup_distributed(initialised)


if __name__ == '__main__':
    main()
