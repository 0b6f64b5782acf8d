"""Convert Campus or Shelf to the toolkit's format.

Example::

    python tools/dataset_converters/campus_shelf_to_nsd.py data/shelf \
        data/shelf_nsd
"""
import argparse

from nsd_toolkit.datasets.converters import campus_shelf_to_nsd


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        'src', help='folder holding calibration_{campus,shelf}.json, '
        'actorsGT.mat and Camera<c>/')
    parser.add_argument('out_dir', help='output folder (absent or empty)')
    parser.add_argument(
        '--cameras', nargs='+', default=None, help='cameras (default all)')
    parser.add_argument(
        '--overwrite', action='store_true', help='replace a non-empty OUT_DIR')
    parser.add_argument('--no-progress', action='store_true')
    return parser, parser.parse_args(argv)


def main(argv=None):
    parser, args = parse_args(argv)
    try:
        summary = campus_shelf_to_nsd(
            args.src,
            args.out_dir,
            cameras=args.cameras,
            overwrite=args.overwrite,
            progress=not args.no_progress)
    except (ValueError, FileExistsError) as e:
        parser.error(str(e))
    print(f"wrote {summary['frames']} frames to {args.out_dir}")


if __name__ == '__main__':
    main()
