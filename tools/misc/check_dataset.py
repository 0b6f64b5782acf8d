"""Check the datasets of a config for problems before training on them.

    python tools/misc/check_dataset.py CONFIG [--split train val test]
        [--margin 0.5] [--cfg-options KEY=VALUE ...]

Builds each split's dataset without computing backgrounds, reports its
sequences, cameras, frames, people and label coverage, and lists every
problem found (see ``nsd_toolkit.datasets.checks``). Exits with 1 when there
is an error, 0 otherwise (warnings alone do not fail).
"""
import argparse
import sys

from mmengine.config import Config

from nsd_toolkit.datasets.checks import check_config
from nsd_toolkit.utils.cli import (CfgOptionsAction, existing_file,
                                   merge_cfg_options)

SPLITS = ('train', 'val', 'test')


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
        '--cfg-options', nargs='+', action=CfgOptionsAction,
        help='override settings of the config, KEY=VALUE items')
    parser.add_argument('--no-progress', action='store_true',
                        help='hide the progress bar')
    args = parser.parse_args(argv)
    if args.margin < 0:
        parser.error('argument --margin: must be >= 0')
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
                          progress=not args.no_progress)
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
