"""Write pictures of dataset samples: every view with its 3D joints and
median background.

    python tools/misc/browse_dataset.py CONFIG --output-dir DIR
        [--split train|val|test] [--num-samples K] [--max-width W]
        [--cfg-options KEY=VALUE ...]

Builds the split's dataset (computing or reusing its cached backgrounds) and
writes K PNGs spread evenly over it: one row per view, the frame with the
projected 3D joints (lens distortion honoured) beside the median background.
"""
import argparse
import sys

from mmengine.config import Config
from mmengine.registry import init_default_scope

from nsd_toolkit.datasets import DatasetFormatError
from nsd_toolkit.registry import DATASETS
from nsd_toolkit.utils.cli import (CfgOptionsAction, existing_file,
                                   merge_cfg_options, positive_int)
from nsd_toolkit.visualization.browse import browse_dataset


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', type=existing_file, help='config file')
    parser.add_argument('--output-dir', required=True,
                        help='folder of the PNGs (created if needed)')
    parser.add_argument('--split', choices=('train', 'val', 'test'),
                        default='train', help='default train')
    parser.add_argument('--num-samples', type=positive_int, default=8,
                        help='pictures to write (default 8)')
    parser.add_argument('--max-width', type=positive_int, default=480,
                        help='views wider than this are shrunk (default 480)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=CfgOptionsAction,
        help='override settings of the config, KEY=VALUE items')
    return parser, parser.parse_args(argv)


def main(argv=None):
    parser, args = parse_args(argv)
    cfg = merge_cfg_options(Config.fromfile(args.config), args.cfg_options,
                            parser)
    loader = cfg.get(f'{args.split}_dataloader') or {}
    if 'dataset' not in loader:
        parser.error(f'argument --split: the config has no '
                     f'{args.split}_dataloader.dataset')
    init_default_scope(cfg.get('default_scope', 'nsd_toolkit'))
    try:
        # the labels are what this tool draws, whatever the split's training
        # loader skips
        dataset = DATASETS.build(dict(loader['dataset'], with_labels=True))
        paths = browse_dataset(dataset, args.output_dir, args.num_samples,
                               args.max_width)
    except DatasetFormatError as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    print(f'{len(paths)} picture(s) written to {args.output_dir}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
