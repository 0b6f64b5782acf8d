"""Reading and validation of ``calibration.json``
(on-disk format: docs/en/advanced_guides/design.md).

Schema: ``{"units": "mm", "cameras": {"<cam>": {"K": 3x3, "R": 3x3, "t": [3],
"dist": [5] (optional), "size": [W, H]}}}``, world-to-camera
``x_cam = R @ X_world + t``.
"""
import json
import os.path as osp

import numpy as np


class DatasetFormatError(ValueError):
    """A file of a dataset does not follow the documented on-disk format."""


# key -> expected shape; ``t`` may also be written as a 3x1 column.
_SHAPES = {'K': (3, 3), 'R': (3, 3), 't': (3, ), 'size': (2, ), 'dist': (5, )}
REQUIRED_KEYS = ('K', 'R', 't', 'size')


def read_json(path, what):
    """Content of a JSON file; DatasetFormatError naming ``what`` and the file."""
    if not osp.isfile(path):
        raise DatasetFormatError(f'{path}: {what} file not found')
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as err:
        raise DatasetFormatError(f'{path}: unreadable {what}: {err}')


def _parse_entry(path, cam, key, value):
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise DatasetFormatError(
            f'{path}: camera {cam!r} key {key!r} is not numeric: {err}')
    if key == 't' and array.size == 3:
        array = array.reshape(3)
    shape = _SHAPES[key]
    if array.shape != shape:
        raise DatasetFormatError(
            f'{path}: camera {cam!r} key {key!r} must have shape {shape}, '
            f'got {array.shape}')
    if not np.isfinite(array).all():
        raise DatasetFormatError(
            f'{path}: camera {cam!r} key {key!r} holds non-finite values')
    return array


def parse_camera(path, cam, entry):
    if not isinstance(entry, dict):
        raise DatasetFormatError(f'{path}: camera {cam!r} must be an object')
    missing = [key for key in REQUIRED_KEYS if key not in entry]
    if missing:
        raise DatasetFormatError(
            f'{path}: camera {cam!r} misses key(s) {missing}')
    camera = {
        key: _parse_entry(path, cam, key, entry[key])
        for key in _SHAPES if key in entry
    }
    camera.setdefault('dist', np.zeros(5))
    R, K, size = camera['R'], camera['K'], camera['size']
    if not np.allclose(R @ R.T, np.eye(3), atol=1e-3) or np.linalg.det(R) < 0:
        raise DatasetFormatError(
            f'{path}: camera {cam!r} key \'R\' is not a rotation matrix')
    if not np.allclose(K[2], (0, 0, 1)):
        raise DatasetFormatError(
            f'{path}: camera {cam!r} key \'K\' must have last row [0, 0, 1]')
    if (size <= 0).any() or (size != np.round(size)).any():
        raise DatasetFormatError(
            f'{path}: camera {cam!r} key \'size\' must be positive integers '
            f'[W, H], got {entry["size"]}')
    camera['size'] = size.astype(np.int64)
    return camera


def load_calibration(path):
    """Read and validate one calibration file.

    Returns:
        dict: ``units`` (str or None) and ``cameras``, an ordered dict
        ``name -> dict(K [3, 3], R [3, 3], t [3], dist [5], size [2] (W, H))``
        of float64 arrays (``size`` int64; ``dist`` zeros when absent).

    Raises:
        DatasetFormatError: naming the file, and the camera and key at fault.
    """
    content = read_json(path, 'calibration')
    cameras = content.get('cameras') if isinstance(content, dict) else None
    if not isinstance(cameras, dict) or not cameras:
        raise DatasetFormatError(
            f'{path}: key \'cameras\' must be a non-empty object')
    return dict(
        units=content.get('units'),
        cameras={
            cam: parse_camera(path, cam, entry)
            for cam, entry in cameras.items()
        })
