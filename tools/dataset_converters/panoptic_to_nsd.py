"""Convert one CMU Panoptic sequence to the toolkit's format.

Example::

    python tools/dataset_converters/panoptic_to_nsd.py \
        data/panoptic/160906_band1 data/panoptic_nsd \
        --cameras 00_03 00_06 00_12 00_13 00_23
"""
import argparse

from nsd_toolkit.datasets.converters import panoptic_to_nsd
from nsd_toolkit.datasets.panoptic_dataset import PANOPTIC_HD_CAMERAS
from nsd_toolkit.utils.cli import add_output_arguments, call_or_exit


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        'src', help='sequence folder <root>/<seq> (calibration_<seq>.json, '
        'hdImgs/, hdPose3d_stage1_coco19/)')
    add_output_arguments(parser)
    parser.add_argument(
        '--cameras',
        nargs='+',
        default=list(PANOPTIC_HD_CAMERAS),
        help='HD cameras')
    parser.add_argument(
        '--min-confidence',
        type=float,
        default=0.1,
        help='joints of lower confidence become NaN')
    return parser, parser.parse_args(argv)


def main(argv=None):
    parser, args = parse_args(argv)
    summary = call_or_exit(
        parser,
        panoptic_to_nsd,
        args.src,
        args.out_dir,
        cameras=args.cameras,
        min_confidence=args.min_confidence,
        overwrite=args.overwrite,
        progress=not args.no_progress)
    print(f"wrote {summary['frames']} frames to {args.out_dir}")


if __name__ == '__main__':
    main()
