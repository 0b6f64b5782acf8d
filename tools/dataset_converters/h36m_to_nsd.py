"""Convert Human3.6M (mmpose's preprocessing) to the toolkit's format.

Example::

    python tools/dataset_converters/h36m_to_nsd.py data/h36m data/h36m_nsd \
        --ann-files annotation_body3d/fps10/h36m_train.npz \
        annotation_body3d/fps10/h36m_test.npz
"""
import argparse

from nsd_toolkit.datasets.converters import h36m_to_nsd
from nsd_toolkit.datasets.h36m_dataset import H36M_SUBJECTS
from nsd_toolkit.utils.cli import add_output_arguments, call_or_exit


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        'src', help='root holding annotation_body3d/ and images/')
    add_output_arguments(parser)
    parser.add_argument(
        '--ann-files',
        nargs='+',
        default=['annotation_body3d/fps50/h36m_train.npz',
                 'annotation_body3d/fps50/h36m_test.npz'],
        help='annotation files relative to SRC, merged')
    parser.add_argument(
        '--camera-file',
        default='annotation_body3d/cameras.pkl',
        help='cameras.pkl relative to SRC')
    parser.add_argument(
        '--img-dir', default='images', help='image folder relative to SRC')
    parser.add_argument(
        '--subjects',
        nargs='+',
        default=list(H36M_SUBJECTS['train'] + H36M_SUBJECTS['val']))
    parser.add_argument(
        '--cameras', nargs='+', default=None, help='camera ids (default all)')
    return parser, parser.parse_args(argv)


def main(argv=None):
    parser, args = parse_args(argv)
    summary = call_or_exit(
        parser,
        h36m_to_nsd,
        args.src,
        args.out_dir,
        ann_files=args.ann_files,
        subjects=args.subjects,
        cameras=args.cameras,
        camera_file=args.camera_file,
        img_dir=args.img_dir,
        overwrite=args.overwrite,
        progress=not args.no_progress)
    print(f"wrote {summary['frames']} frames of "
          f"{len(summary['sequences'])} sequences to {args.out_dir}")


if __name__ == '__main__':
    main()
