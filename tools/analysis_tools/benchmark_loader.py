"""Samples per second of a config's training data loader, delivered.

    python tools/analysis_tools/benchmark_loader.py CONFIG [--workers 0 1 2]
        [--batches N] [--warmup N] [--step-seconds S] [--device DEV]
        [--cfg-options ...]

Builds the config's ``train_dataloader`` (dataset, pipeline, collate
function, pinning, sampler, batch size) once per worker count, draws
``--warmup`` batches, then times ``--batches`` more through the model's data
preprocessor (stacking where the collate function did not, the copy to
``--device``, normalisation there), so a timed batch is one the step can
use. Prints batches/s and view pairs/s delivered, and the pairs/s drawn
(the time waited for the loader alone, the rate of a hand-off that costs
nothing). With
``--step-seconds`` (the model step's time, e.g. from
``benchmark_train_step.py`` on the target device) it also prints the loader's
rate as a multiple of what the step consumes (``batch_size / S`` pairs/s; the
loader keeps up at >= 1). The datasets' median backgrounds are computed (or
read from the cache) before the timing starts, and the config's host allocator
hook (``default_hooks.allocator``) is applied first, as its Runner applies it.
"""
import argparse
import time

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from nsd_toolkit.engine.hooks import apply_config_allocator
from nsd_toolkit.registry import MODELS
from nsd_toolkit.utils.cli import (CfgOptionsAction, call_or_exit,
                                   check_device, existing_file,
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
    parser.add_argument('--device', default=None,
                        help='where the batches go (default cuda when '
                        'available, else cpu)')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction)
    args = parser.parse_args(argv)
    if min(args.workers) < 0 or args.batches < 1 or args.warmup < 0:
        parser.error('--workers must be >= 0, --batches >= 1, --warmup >= 0')
    if args.step_seconds is not None and args.step_seconds <= 0:
        parser.error('--step-seconds must be > 0')
    if args.device is None:
        args.device = 'cuda' if torch.cuda.is_available() else 'cpu'
    call_or_exit(parser, check_device, args.device)
    return parser, args


def build_preprocessor(cfg: Config, device: str) -> torch.nn.Module:
    """The model's data preprocessor on ``device``: the config's, else its
    NSD config's (as ``NSDPoseEstimator`` defaults), else a default
    ``NSDDataPreprocessor``."""
    preprocessor_cfg = (cfg.model.get('data_preprocessor')
                        or cfg.model.get('nsd', {}).get('data_preprocessor')
                        or dict(type='NSDDataPreprocessor'))
    return MODELS.build(preprocessor_cfg).to(device)


def pairs_per_second(loader_cfg: dict, preprocessor: torch.nn.Module,
                     workers: int, batches: int,
                     warmup: int) -> tuple[float, float]:
    """View pairs (samples) per second of the loader of ``loader_cfg`` with
    ``workers`` worker processes: ``(drawn, delivered)``, counting the time
    waited for the loader only, and that plus ``preprocessor`` making each
    batch ready on its device."""
    loader_cfg = dict(loader_cfg, num_workers=workers,
                      persistent_workers=workers > 0)
    loader = Runner.build_dataloader(loader_cfg)
    iterator = iter(loader)
    for _ in range(warmup):
        preprocessor(next(iterator))
    waited = handed = 0.0
    for _ in range(batches):
        start = time.perf_counter()
        batch = next(iterator)
        drawn = time.perf_counter()
        ready = preprocessor(batch)['inputs']['img']
        if ready.is_cuda:
            torch.cuda.synchronize(ready.device)
        waited += drawn - start
        handed += time.perf_counter() - drawn
    pairs = batches * loader.batch_size
    return pairs / waited, pairs / (waited + handed)


def main(argv=None):
    parser, args = parse_args(argv)
    cfg = merge_cfg_options(Config.fromfile(args.config), args.cfg_options,
                            parser)
    init_default_scope(cfg.get('default_scope', 'nsd_toolkit'))
    allocator = apply_config_allocator(cfg)
    loader_cfg = cfg.train_dataloader.to_dict()
    preprocessor = build_preprocessor(cfg, args.device)
    batch = loader_cfg['batch_size']
    print(f'{args.config}: batches of {batch} view pairs onto {args.device}, '
          f'{args.batches} timed after {args.warmup}'
          f'{", host allocator hook applied" if allocator else ""}')
    rates = {}
    for workers in args.workers:
        drawn, delivered = pairs_per_second(loader_cfg, preprocessor, workers,
                                            args.batches, args.warmup)
        rates[workers] = delivered
        line = (f'  {workers} worker(s): {delivered / batch:7.2f} batches/s '
                f'{delivered:8.1f} pairs/s delivered ({drawn:.1f} drawn)')
        if args.step_seconds is not None:
            line += (f'  = {delivered * args.step_seconds / batch:.2f} x the '
                     f'step\'s consumption ({batch / args.step_seconds:.1f} '
                     'pairs/s)')
        print(line)
    return rates


if __name__ == '__main__':
    main()
