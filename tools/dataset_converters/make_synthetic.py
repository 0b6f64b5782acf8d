"""Generate a synthetic multi-view dataset in the toolkit's on-disk format.

Example::

    python tools/dataset_converters/make_synthetic.py data/synthetic \
        --num-people 2 --num-views 4 --num-frames 500 --size 128 96 \
        --num-sequences 4 --num-test-sequences 2

With ``--min-people M`` every frame shows M to N people (see
``nsd_toolkit.synthetic.generate_synthetic_dataset``)::

    python tools/dataset_converters/make_synthetic.py data/synthetic_upto3p \
        --num-people 3 --min-people 1 --num-views 4 --num-frames 250 \
        --num-sequences 4 --num-test-sequences 2 --size 128 96 --seed 3

With ``--num-casts C`` the training sequences cycle through C groups of N
people (more identities to learn appearance from; with C = --num-sequences
the validation sequence shows people unseen in the others).

With ``--num-val-sequences U`` the sequences ``val_000``... show N further
people seen neither in training nor in the test split: a validation split of
unseen people (the other sequences stay byte-identical).
"""
import argparse

from nsd_toolkit.synthetic import MOTIONS, generate_synthetic_dataset
from nsd_toolkit.utils.cli import add_output_arguments, call_or_exit


def _number(kind, allow_zero=False):
    """argparse type: a ``kind`` number > 0 (>= 0 with ``allow_zero``)."""
    bound = '>= 0' if allow_zero else '> 0'

    def parse(text):
        value = kind(text)
        if not (value >= 0 if allow_zero else value > 0):
            raise argparse.ArgumentTypeError(f'must be {bound}, got {text}')
        return value

    parse.__name__ = f'{kind.__name__} {bound}'
    return parse


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_output_arguments(parser)
    parser.add_argument('--num-people', type=_number(int), default=1)
    parser.add_argument('--min-people',
                        type=_number(int, allow_zero=True),
                        default=None,
                        help='fewest people a frame shows (0..num-people, '
                        'default num-people): people 0..min-people-1 are '
                        'always there, each other one appears and vanishes '
                        'in place during one random interval per sequence')
    parser.add_argument('--num-casts',
                        type=_number(int),
                        default=1,
                        help='groups of num-people training people; '
                        'training sequence s shows group s mod num-casts '
                        '(default 1: the same people in every sequence)')
    parser.add_argument('--num-views', type=_number(int), default=4)
    parser.add_argument('--num-frames', type=_number(int), default=100)
    parser.add_argument('--num-sequences',
                        type=_number(int),
                        default=1,
                        help='sequences seq_000... of the training people '
                        '(training and validation sequences)')
    parser.add_argument('--num-test-sequences',
                        type=_number(int, allow_zero=True),
                        default=0,
                        help='sequences test_000... of as many people never '
                        'seen in seq_000... (a test split)')
    parser.add_argument('--num-val-sequences',
                        type=_number(int, allow_zero=True),
                        default=0,
                        help='sequences val_000... of as many people seen '
                        'neither in seq_000... nor in test_000... (a '
                        'validation split of unseen people, for choosing '
                        'settings without the test split; adds no change to '
                        'the other sequences)')
    parser.add_argument('--size',
                        type=_number(int),
                        nargs=2,
                        default=(128, 96),
                        metavar=('W', 'H'),
                        help='image size in pixels')
    parser.add_argument('--seed', type=_number(int, allow_zero=True), default=0)
    parser.add_argument('--motion',
                        choices=MOTIONS,
                        default='walk',
                        help="'box': people face each other and punch; "
                        "'mixed': random style per person and sequence")
    parser.add_argument('--ring-radius',
                        type=_number(float),
                        default=5000.0,
                        help='camera ring radius (mm)')
    parser.add_argument('--camera-height',
                        type=_number(float),
                        default=2200.0,
                        help='camera height (mm)')
    parser.add_argument('--camera-height-jitter',
                        type=_number(float, allow_zero=True),
                        default=100.0,
                        help='each camera is at camera-height +- this (mm)')
    parser.add_argument('--zoom',
                        type=_number(float),
                        default=1.0,
                        help='focal-length factor; above 1 people near a '
                        'camera are cut at the image border (feet too), '
                        'where the lower-box depth cue fails')
    parser.add_argument('--walk-radius',
                        type=_number(float),
                        default=1200.0,
                        help='radius of the area people move in (mm)')
    parser.add_argument('--fps', type=_number(float), default=25.0)
    parser.add_argument('--min-separation',
                        type=_number(float),
                        default=900.0,
                        help='minimum distance between people (mm)')
    parser.add_argument('--jpeg-quality', type=_number(int), default=95)
    return parser, parser.parse_args(argv)


def main(argv=None):
    parser, args = parse_args(argv)
    options = vars(args).copy()
    options['size'] = tuple(args.size)
    options['progress'] = not options.pop('no_progress')
    call_or_exit(parser, generate_synthetic_dataset, **options)


if __name__ == '__main__':
    main()
