"""Samples per second of a config's training data loader.

    python tools/analysis_tools/benchmark_loader.py CONFIG [--workers 0 1 2]
        [--batches N] [--warmup N] [--step-seconds S] [--cfg-options ...]

Builds the config's ``train_dataloader`` (dataset, pipeline, sampler, batch
size) once per worker count, draws ``--warmup`` batches, then times
``--batches`` more, and prints batches/s and view pairs/s. With
``--step-seconds`` (the model step's time, e.g. from
``benchmark_train_step.py`` on the target device) it also prints the loader's
rate as a multiple of what the step consumes (``batch_size / S`` pairs/s; the
loader keeps up at >= 1). The datasets' median backgrounds are computed (or
read from the cache) before the timing starts.
"""
import argparse
import time

from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from nsd_toolkit.utils.cli import (CfgOptionsAction, existing_file,
                                   merge_cfg_options)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', type=existing_file)
    parser.add_argument('--workers', type=int, nargs='+', default=[0, 1, 2],
                        help='worker counts to time (default 0 1 2)')
    parser.add_argument('--batches', type=int, default=20)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--step-seconds', type=float,
                        help='seconds per model step, to compare against')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction)
    args = parser.parse_args(argv)
    if min(args.workers) < 0 or args.batches < 1 or args.warmup < 0:
        parser.error('--workers must be >= 0, --batches >= 1, --warmup >= 0')
    if args.step_seconds is not None and args.step_seconds <= 0:
        parser.error('--step-seconds must be > 0')
    return parser, args


def pairs_per_second(loader_cfg: dict, workers: int, batches: int,
                     warmup: int) -> float:
    """View pairs (samples) per second drawn from the loader of
    ``loader_cfg`` with ``workers`` worker processes."""
    loader_cfg = dict(loader_cfg, num_workers=workers,
                      persistent_workers=workers > 0)
    loader = Runner.build_dataloader(loader_cfg)
    iterator = iter(loader)
    for _ in range(warmup):
        next(iterator)
    start = time.perf_counter()
    for _ in range(batches):
        next(iterator)
    seconds = time.perf_counter() - start
    return batches * loader.batch_size / seconds


def main(argv=None):
    parser, args = parse_args(argv)
    cfg = merge_cfg_options(Config.fromfile(args.config), args.cfg_options,
                            parser)
    init_default_scope(cfg.get('default_scope', 'nsd_toolkit'))
    loader_cfg = cfg.train_dataloader.to_dict()
    batch = loader_cfg['batch_size']
    print(f'{args.config}: batches of {batch} view pairs, {args.batches} '
          f'timed after {args.warmup}')
    rates = {}
    for workers in args.workers:
        rate = pairs_per_second(loader_cfg, workers, args.batches,
                                args.warmup)
        rates[workers] = rate
        line = (f'  {workers} worker(s): {rate / batch:7.2f} batches/s '
                f'{rate:8.1f} pairs/s')
        if args.step_seconds is not None:
            line += (f'  = {rate * args.step_seconds / batch:.2f} x the '
                     f'step\'s consumption ({batch / args.step_seconds:.1f} '
                     'pairs/s)')
        print(line)
    return rates


if __name__ == '__main__':
    main()
