"""Convert a dataset in the toolkit's multi-view format to the boxing layout.

Example::

    python tools/dataset_converters/nsd_to_boxing.py data/synthetic_2p \
        data/synthetic_2p_boxing
"""
import argparse

from nsd_toolkit.datasets.converters import export_boxing
from nsd_toolkit.utils.cli import add_output_arguments, call_or_exit


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', help='dataset root in the toolkit format')
    add_output_arguments(parser)
    return parser, parser.parse_args(argv)


def main(argv=None):
    parser, args = parse_args(argv)
    names = call_or_exit(
        parser,
        export_boxing,
        args.src,
        args.out_dir,
        overwrite=args.overwrite,
        progress=not args.no_progress)
    for kind, mapping in names.items():
        for old, new in mapping.items():
            if old != new:
                print(f'{kind[:-1]} {old} -> {new}')


if __name__ == '__main__':
    main()
