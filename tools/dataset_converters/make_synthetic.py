"""Generate a synthetic multi-view dataset in the toolkit's on-disk format.

Example::

    python tools/dataset_converters/make_synthetic.py data/synthetic \
        --num-people 2 --num-views 4 --num-frames 500 --size 128 96 \
        --num-sequences 4 --num-test-sequences 2
"""
import argparse

from nsd_toolkit.datasets.synthetic import MOTIONS, generate_synthetic_dataset
from nsd_toolkit.utils.cli import add_output_arguments, call_or_exit


def _positive(kind):

    def parse(text):
        value = kind(text)
        if not value > 0:
            raise argparse.ArgumentTypeError(f'must be > 0, got {text}')
        return value

    parse.__name__ = f'positive {kind.__name__}'
    return parse


def _non_negative_int(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f'must be >= 0, got {text}')
    return value


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_output_arguments(parser)
    parser.add_argument('--num-people', type=_positive(int), default=1)
    parser.add_argument('--num-views', type=_positive(int), default=4)
    parser.add_argument('--num-frames', type=_positive(int), default=100)
    parser.add_argument('--num-sequences',
                        type=_positive(int),
                        default=1,
                        help='sequences seq_000... of the training people '
                        '(training and validation sequences)')
    parser.add_argument('--num-test-sequences',
                        type=_non_negative_int,
                        default=0,
                        help='sequences test_000... of as many people never '
                        'seen in seq_000... (a test split)')
    parser.add_argument('--size',
                        type=_positive(int),
                        nargs=2,
                        default=(128, 96),
                        metavar=('W', 'H'),
                        help='image size in pixels')
    parser.add_argument('--seed', type=_non_negative_int, default=0)
    parser.add_argument('--motion',
                        choices=MOTIONS,
                        default='walk',
                        help="'box': people face each other and punch; "
                        "'mixed': random style per person and sequence")
    parser.add_argument('--ring-radius',
                        type=_positive(float),
                        default=5000.0,
                        help='camera ring radius (mm)')
    parser.add_argument('--camera-height',
                        type=_positive(float),
                        default=2200.0,
                        help='camera height (mm)')
    parser.add_argument('--walk-radius',
                        type=_positive(float),
                        default=1200.0,
                        help='radius of the area people move in (mm)')
    parser.add_argument('--fps', type=_positive(float), default=25.0)
    parser.add_argument('--min-separation',
                        type=_positive(float),
                        default=900.0,
                        help='minimum distance between people (mm)')
    parser.add_argument('--jpeg-quality', type=_positive(int), default=95)
    return parser, parser.parse_args(argv)


def main(argv=None):
    parser, args = parse_args(argv)
    options = vars(args).copy()
    options['size'] = tuple(args.size)
    options['progress'] = not options.pop('no_progress')
    call_or_exit(parser, generate_synthetic_dataset, **options)


if __name__ == '__main__':
    main()
