"""Convert a dataset in the toolkit's multi-view format to the boxing layout.

Example::

    python tools/dataset_converters/nsd_to_boxing.py data/synthetic_2p \
        data/synthetic_2p_boxing
"""
import argparse

from nsd_toolkit.datasets.converters import export_boxing


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', help='dataset root in the toolkit format')
    parser.add_argument('out_dir', help='output folder (absent or empty)')
    parser.add_argument('--overwrite',
                        action='store_true',
                        help='replace a non-empty OUT_DIR')
    parser.add_argument('--no-progress', action='store_true')
    return parser, parser.parse_args(argv)


def main(argv=None):
    parser, args = parse_args(argv)
    try:
        names = export_boxing(args.src,
                              args.out_dir,
                              overwrite=args.overwrite,
                              progress=not args.no_progress)
    except (ImportError, ValueError, FileExistsError) as e:
        parser.error(str(e))
    for kind, mapping in names.items():
        for old, new in mapping.items():
            if old != new:
                print(f'{kind[:-1]} {old} -> {new}')


if __name__ == '__main__':
    main()
