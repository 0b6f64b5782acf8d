"""Evaluate a checkpoint on the config's test set.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out FILE.json]
        [--cfg-options KEY=VALUE ...] [--launcher {none,pytorch,slurm,mpi}]

``--out`` writes the metrics (names as logged, values as plain floats) as
JSON, atomically (temporary file + rename), from rank 0 only.
"""
import argparse

from mmengine.config import Config
from mmengine.dist import get_rank

from nsd_toolkit.utils.cli import (add_common_arguments,
                                   add_metrics_out_argument, apply_common_args,
                                   checkpoint_file, dump_json_atomic,
                                   existing_file, parse_common_args,
                                   run_with_runner, to_plain)
from nsd_toolkit.utils.dist import LAUNCHERS


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test (and eval) a model')
    parser.add_argument('config', type=existing_file, help='test config file')
    parser.add_argument(
        'checkpoint', type=checkpoint_file,
        help='checkpoint file (checked to load before any work)')
    parser.add_argument(
        '--work-dir',
        help='the dir to save logs (default: the config\'s work_dir, else '
        './work_dirs/<config name>)')
    add_metrics_out_argument(parser)
    add_common_arguments(parser, LAUNCHERS)
    args = parse_common_args(parser, argv)
    return parser, args


def merge_args(cfg, args, parser):
    apply_common_args(cfg, args, parser)
    cfg.load_from = args.checkpoint
    cfg.resume = False
    return cfg


def main(argv=None):
    parser, args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    cfg = merge_args(cfg, args, parser)

    def test(runner):
        dataset = cfg.test_dataloader.dataset
        split = {key: dataset[key] for key in ('subjects', 'sequences')
                 if key in dataset}
        runner.logger.info(f'test split: {dataset.get("data_root")} '
                           f'{split or "(every sequence)"}')
        metrics = runner.test()
        if args.out is not None and get_rank() == 0:
            dump_json_atomic(to_plain(dict(metrics)), args.out)
            runner.logger.info(f'metrics written to {args.out}')
        return metrics

    return run_with_runner(cfg, args.launcher, test, parser)


if __name__ == '__main__':
    main()
