"""Check the datasets of a config for problems before training on them.

    python tools/misc/check_dataset.py CONFIG [--split train val test]
        [--margin 0.5] [--quick [--quick-step K]]
        [--cfg-options KEY=VALUE ...]

Builds each split's dataset without computing backgrounds (validating its
calibrations exactly as training does), decodes every frame and mask once
(with ``--quick`` only those of every K-th frame, K = 10 unless
``--quick-step K``), reports its sequences, cameras, frames, people and
label coverage, and lists every problem found with the files at fault (see
``nsd_toolkit.datasets.checks``). Nothing is written. Exits with 1 when
there is an error, 0 otherwise (warnings alone do not fail).
"""
import argparse
import sys

from mmengine.config import Config

from nsd_toolkit.datasets.checks import check_config
from nsd_toolkit.utils.cli import (CfgOptionsAction, existing_file,
                                   merge_cfg_options)

SPLITS = ('train', 'val', 'test')
#: Frame step of ``--quick`` without a value.
QUICK_STEP = 10


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', type=existing_file, help='config file')
    parser.add_argument(
        '--split', nargs='+', choices=SPLITS,
        help='splits to check (default: those the config has)')
    parser.add_argument(
        '--margin', type=float, default=0.5,
        help='3D joints projecting further than this fraction of the image '
        'size outside the image are errors (default 0.5)')
    parser.add_argument(
        '--quick', action='store_true',
        help='read only every K-th frame of each camera (and its masks), '
        'from the first (K: --quick-step); default: read every frame')
    parser.add_argument(
        '--quick-step', type=int, default=QUICK_STEP, metavar='K',
        help=f'frame step of --quick (default {QUICK_STEP})')
    parser.add_argument(
        '--cfg-options', nargs='+', action=CfgOptionsAction,
        help='override settings of the config, KEY=VALUE items')
    parser.add_argument('--no-progress', action='store_true',
                        help='hide the progress bar')
    args = parser.parse_args(argv)
    if args.margin < 0:
        parser.error('argument --margin: must be >= 0')
    if args.quick_step < 1:
        parser.error('argument --quick-step: must be >= 1')
    return parser, args


def main(argv=None):
    parser, args = parse_args(argv)
    cfg = merge_cfg_options(Config.fromfile(args.config), args.cfg_options,
                            parser)
    present = [s for s in SPLITS
               if 'dataset' in (cfg.get(f'{s}_dataloader') or {})]
    missing = sorted(set(args.split or ()) - set(present))
    if missing:
        parser.error(f'argument --split: the config has no dataset for '
                     f'{missing}')
    errors = check_config(cfg, args.split or present, args.margin,
                          progress=not args.no_progress,
                          step=args.quick_step if args.quick else 1)
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
