"""Convert Campus or Shelf to the toolkit's format.

Example::

    python tools/dataset_converters/campus_shelf_to_nsd.py data/shelf \
        data/shelf_nsd
"""
import argparse

from nsd_toolkit.datasets.converters import campus_shelf_to_nsd
from nsd_toolkit.utils.cli import add_output_arguments, call_or_exit


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        'src', help='folder holding calibration_{campus,shelf}.json, '
        'actorsGT.mat and Camera<c>/')
    add_output_arguments(parser)
    parser.add_argument(
        '--cameras', nargs='+', default=None, help='cameras (default all)')
    return parser, parser.parse_args(argv)


def main(argv=None):
    parser, args = parse_args(argv)
    summary = call_or_exit(
        parser,
        campus_shelf_to_nsd,
        args.src,
        args.out_dir,
        cameras=args.cameras,
        overwrite=args.overwrite,
        progress=not args.no_progress)
    print(f"wrote {summary['frames']} frames to {args.out_dir}")


if __name__ == '__main__':
    main()
