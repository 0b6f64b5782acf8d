"""Reading and validation of calibrations
(on-disk format: docs/en/advanced_guides/design.md).

Schema: ``{"units": "mm", "cameras": {"<cam>": {"K": 3x3, "R": 3x3, "t": [3],
"dist": [5] (optional), "size": [W, H]}}}``, world-to-camera
``x_cam = R @ X_world + t``.

Every dataset class parses its own calibration format into this schema and
passes it to :func:`validate_calibration`, the one validation of the toolkit
(used while building a dataset, hence by training and by
``tools/misc/check_dataset.py`` alike).
"""
import json
import os.path as osp

import numpy as np


class DatasetFormatError(ValueError):
    """A file of a dataset does not follow the documented on-disk format."""


# key -> expected shape; ``t`` may also be written as a 3x1 column.
_SHAPES = {'K': (3, 3), 'R': (3, 3), 't': (3, ), 'size': (2, ), 'dist': (5, )}
REQUIRED_KEYS = ('K', 'R', 't', 'size')
#: The unit of the toolkit's 3D data; ``units`` may be absent (then mm).
UNITS = 'mm'
#: Plausible distance of a camera from the scene centre, mm (0.5 m - 100 m).
CAMERA_DISTANCE_MM = (500., 100000.)
#: Largest deviation of ``R @ R.T`` from the identity (and of det(R) from 1).
ROTATION_TOL = 1e-3
#: Units a value in mm may really be in, with the factor to mm.
_OTHER_UNITS = (('metres', 1000.), ('centimetres', 10.))


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
    """One camera ``dict(K, R, t, dist, size)`` of float64 arrays of the
    schema's shapes (``size`` int64 when integral; ``dist`` zeros when
    absent). Only the structure is checked here: the values are checked by
    :func:`validate_calibration`.

    Raises:
        DatasetFormatError: naming the file, camera and key of a missing,
        non-numeric, non-finite or wrongly shaped entry.
    """
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
    if (camera['size'] == np.round(camera['size'])).all():
        camera['size'] = camera['size'].astype(np.int64)
    return camera


def _number(value):
    return f'{value:.6g}'


def camera_problems(cam, camera):
    """Messages about the values of one parsed camera; empty when sound.

    ``K`` needs positive focal lengths, last row ``[0, 0, 1]`` and the
    principal point inside the image; ``R`` must be a rotation; ``size``
    positive integers ``[W, H]``. Messages start with the key, e.g.
    ``"cameras['cam_02'].K[0][0] = 0: focal length must be > 0"``.
    """
    key = f'cameras[{cam!r}]'
    K, R, size = camera['K'], camera['R'], camera['size']
    messages = []
    error = np.abs(R @ R.T - np.eye(3)).max()
    if error > ROTATION_TOL:
        messages.append(f'{key}.R is not a rotation: R R^T differs from I by '
                        f'up to {error:.3g} (must be orthonormal)')
    elif abs(np.linalg.det(R) - 1) > ROTATION_TOL:
        messages.append(f'{key}.R is not a rotation: det(R) = '
                        f'{np.linalg.det(R):.4g}, must be +1 (a mirror or a '
                        'left-handed frame)')
    for i in (0, 1):
        if not K[i, i] > 0:
            messages.append(f'{key}.K[{i}][{i}] = {_number(K[i, i])}: focal '
                            'length must be > 0')
    if not np.allclose(K[2], (0, 0, 1)):
        messages.append(f'{key}.K[2] = {K[2].tolist()}: must be [0, 0, 1]')
    if (size <= 0).any() or (size != np.round(size)).any():
        messages.append(f'{key}.size = {size.tolist()}: must be positive '
                        'integers [W, H]')
        return messages
    for i, name in ((0, 'W'), (1, 'H')):
        if not 0 <= K[i, 2] <= size[i]:
            messages.append(
                f'{key}.K[{i}][2] = {_number(K[i, 2])}: the principal point '
                f'must lie inside the image, 0 to {name} = {int(size[i])}')
    return messages


def camera_centres(cameras):
    """Centres ``-R^T t`` [C, 3] and optical axes (unit, world) [C, 3] of
    ``cameras`` (name -> dict with ``R``, ``t``)."""
    R = np.stack([camera['R'] for camera in cameras.values()])
    t = np.stack([camera['t'] for camera in cameras.values()])
    return -np.einsum('cji,cj->ci', R, t), R[:, 2]


def scene_centre(centres, axes, min_spread=1e-3):
    """The point nearest (least squares) to the optical axes [C, 3]; the
    world origin for one camera or nearly parallel axes (the smallest
    eigenvalue of the normal matrix below ``min_spread`` per camera)."""
    projectors = np.eye(3) - axes[:, :, None] * axes[:, None, :]  # [C, 3, 3]
    normal = projectors.sum(axis=0)
    if np.linalg.eigvalsh(normal)[0] < min_spread * len(axes):
        return np.zeros(3)
    return np.linalg.solve(normal,
                           np.einsum('cij,cj->i', projectors, centres))


def unit_hint(values_mm, low, high):
    """``'; the values look like metres: convert them to mm (x 1000)'`` (or
    centimetres) when the median of ``values_mm`` [N] falls within
    ``[low, high]`` once read in those units; else ``''``."""
    median = np.median(values_mm)
    for unit, factor in _OTHER_UNITS:
        if low <= median * factor <= high:
            return (f'; the values look like {unit}: convert them to mm '
                    f'(x {factor:g})')
    return ''


def scale_problems(cameras):
    """Messages about camera distances (mm) from the scene centre
    (:func:`scene_centre`) outside :data:`CAMERA_DISTANCE_MM`, which reveal
    a calibration in other units than mm."""
    centres, axes = camera_centres(cameras)
    distance = np.linalg.norm(centres - scene_centre(centres, axes), axis=1)
    low, high = CAMERA_DISTANCE_MM
    bad = (distance < low) | (distance > high)
    expected = f'plausible: {low / 1000:g} m to {high / 1000:g} m'
    if bad.all() and len(cameras) > 1:
        return [f'cameras: the cameras lie {distance.min():.4g} to '
                f'{distance.max():.4g} mm from the scene centre ({expected})'
                f'{unit_hint(distance, low, high)}']
    return [f'cameras[{cam!r}].t: the camera lies {d:.4g} mm from the scene '
            f'centre ({expected}){unit_hint(d[None], low, high)}'
            for cam, d, out in zip(cameras, distance, bad) if out]


def folder_problems(cameras, folder, found):
    """Messages unless the cameras equal the cameras ``found`` on disk in
    ``folder`` (``name -> path`` of their folders or videos)."""
    return [f'cameras: camera {name!r} ({path}) has no calibration'
            for name, path in found.items() if name not in cameras] + [
        f'cameras[{cam!r}]: calibrated camera without a folder in {folder}'
        for cam in cameras if cam not in found]


def validate_calibration(path, cameras, units=UNITS, folders=None):
    """Check a calibration in the toolkit's schema, raising on any problem.

    Args:
        path (str): the calibration file, named in the messages.
        cameras (dict): ``name -> dict(K [3, 3], R [3, 3], t [3] (mm),
            size [2] (W, H))`` as returned by :func:`parse_camera`.
        units (str, optional): the calibration's ``units``; must be
            :data:`UNITS` or None (absent).
        folders (tuple, optional): ``(folder, found)``: the cameras found on
            disk in ``folder``, ``name -> path`` of their folders (or
            videos); the cameras must equal them.

    Returns:
        dict: ``cameras``, unchanged.

    Raises:
        DatasetFormatError: listing every problem, one per line, each as
        ``'<path>: <key>...: <problem>'`` (:func:`camera_problems`,
        :func:`scale_problems`, :func:`folder_problems`).
    """
    problems = []
    if units not in (None, UNITS):
        problems.append(f'units = {units!r}: the toolkit works in {UNITS}; '
                        f'convert t (and poses) to {UNITS}')
    for cam, camera in cameras.items():
        problems += camera_problems(cam, camera)
    if not problems:
        problems += scale_problems(cameras)
    if folders is not None:
        problems += folder_problems(cameras, *folders)
    if problems:
        raise DatasetFormatError('\n'.join(f'{path}: {p}' for p in problems))
    return cameras


def load_calibration(path, validate=True):
    """Read one ``calibration.json`` and (unless ``validate`` is False)
    validate it with :func:`validate_calibration`.

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
    cameras = {
        cam: parse_camera(path, cam, entry)
        for cam, entry in cameras.items()
    }
    if validate:
        validate_calibration(path, cameras, content.get('units'))
    return dict(units=content.get('units'), cameras=cameras)
