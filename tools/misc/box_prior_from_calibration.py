"""Derive the box prior's scale target from a calibration.

    python tools/misc/box_prior_from_calibration.py DATA_ROOT [--person-height MM]
        [--centre X Y Z] [--up X Y Z] [--aspect A]

Projects a person of ``--person-height`` standing at ``--centre`` (world frame,
calibration units) into every camera of ``DATA_ROOT/calibration.json`` and prints the
expected box scale per camera: the fraction of the image height (``sy``, the
``BoxPrior.scale_target``) and of the width (``sx``) the person covers, and the
``--cfg-options`` to use the mean.
"""
import argparse
import os.path as osp
import sys

import numpy as np

from nsd_toolkit.datasets import DatasetFormatError, load_calibration
from nsd_toolkit.models.priors import expected_box_scale


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('data_root', help='dataset root holding calibration.json')
    parser.add_argument('--person-height', type=float, default=1750.0,
                        help='in calibration units (default 1750 mm)')
    parser.add_argument('--centre', type=float, nargs=3, default=(0, 0, 0),
                        metavar=('X', 'Y', 'Z'),
                        help='feet position of the person, world frame')
    parser.add_argument('--up', type=float, nargs=3, default=(0, 0, 1),
                        metavar=('X', 'Y', 'Z'), help='world up direction')
    parser.add_argument('--aspect', type=float, default=1.5,
                        help='person height / width in pixels (default 1.5)')
    args = parser.parse_args(argv)
    if args.person_height <= 0:
        parser.error('argument --person-height: must be > 0')
    if not np.any(args.up):
        parser.error('argument --up: must not be the zero vector')
    path = osp.join(args.data_root, 'calibration.json')
    try:
        calibration = load_calibration(path)
    except (DatasetFormatError, FileNotFoundError) as err:
        parser.error(f'argument data_root: {err}')

    rows = []
    print(f'{"camera":<12} {"sy (height)":>12} {"sx (width)":>12}')
    for name, cam in calibration['cameras'].items():
        try:
            sx, sy = expected_box_scale(
                cam['K'], cam['R'], cam['t'], cam['size'], args.person_height,
                args.centre, args.up, args.aspect)
        except ValueError as err:
            parser.error(f'camera {name!r} of {path}: {err}')
        rows.append((sx, sy))
        print(f'{name:<12} {sy:>12.3f} {sx:>12.3f}')
    sx, sy = np.mean(rows, axis=0)
    print(f'{"mean":<12} {sy:>12.3f} {sx:>12.3f}')
    print(f'\n--cfg-options model.prior.scale_target={sy:.2f} '
          f'model.prior.aspect={args.aspect}')


if __name__ == '__main__':
    sys.exit(main())
