"""Files of a motion capture: ``tracks.json`` and one BVH file per person.

``tracks.json`` schema (version 1)::

    {
      "version": 1,
      "units": "mm",
      "fps": 25.0,
      "joint_names": ["pelvis", "r_hip", ...],   # the 17 Human3.6M joints
      "tracks": {
        "<track id>": {
          "frames": [F ints, increasing],         # moment indices
          "joints": [F x 17 x 3 numbers],         # world frame, null: unknown
          "confidence": [F x 17 numbers in [0, 1]], # null: unknown
          "views": [F lists of view indices]      # views that saw the person
        }
      }
    }

World coordinates are those of the capture's calibration (mm). The BVH files
(:mod:`~nsd_toolkit.mocap.bvh`, which says why BVH) start at a track's first
frame and cover every moment up to its last; moments the person was missed
repeat the last known pose and unknown joints keep their last known offset
from the root (:func:`fill_gaps`). ``tracks.json`` stays the reference for
frame indices.
"""
import os
import os.path as osp

import numpy as np

from nsd_toolkit.datasets.calibration import (UNITS, DatasetFormatError,
                                              read_json)
from nsd_toolkit.datasets.joint_sets import H36M_JOINTS
from nsd_toolkit.utils.cli import dump_json_atomic, to_plain

from .bvh import write_bvh
from .tracking import Track

TRACKS_VERSION = 1
TRACKS_FILE = 'tracks.json'


def write_tracks(path, tracks, fps):
    """Write tracks (:class:`~nsd_toolkit.mocap.tracking.Track`) and the
    frame rate ``fps`` to ``path`` (schema: module docstring), atomically."""
    dump_json_atomic(dict(
        version=TRACKS_VERSION, units=UNITS, fps=float(fps),
        joint_names=list(H36M_JOINTS),
        tracks={str(track.track_id): dict(
            frames=[int(f) for f in track.frames],
            joints=to_plain(track.joints),
            confidence=to_plain(track.confidence),
            views=[[int(v) for v in views] for views in track.views])
            for track in tracks}), path)


def _get(path, mapping, key, where):
    """``mapping[key]``; errors name the file and the key path."""
    if not isinstance(mapping, dict):
        raise DatasetFormatError(f'{path}: {where or "the file"} must be a '
                                 'JSON object')
    if key not in mapping:
        raise DatasetFormatError(f'{path}: missing key {where}{key!r}')
    return mapping[key]


def _array(path, value, where, shape):
    """float64 array of ``shape`` (None: any length); null -> NaN."""
    try:
        array = np.asarray(value, np.float64)
    except (TypeError, ValueError):
        raise DatasetFormatError(f'{path}: key {where} is not a numeric '
                                 'array') from None
    if array.ndim != len(shape) or any(
            n is not None and n != m for n, m in zip(shape, array.shape)):
        wanted = ', '.join('F' if n is None else str(n) for n in shape)
        raise DatasetFormatError(f'{path}: key {where} must have shape '
                                 f'[{wanted}], got {list(array.shape)}')
    return array


def _integers(path, value, where):
    """int64 array [F] of the whole numbers ``value`` or an error."""
    array = _array(path, value, where, (None, ))
    if not (np.isfinite(array) & (array == np.round(array))).all():
        raise DatasetFormatError(f'{path}: key {where} must hold integers')
    return array.astype(np.int64)


def _read_track(path, track_id, entry):
    where = f"'tracks'/{track_id!r}/"
    if not track_id.lstrip('-').isdigit():
        raise DatasetFormatError(f'{path}: track id {track_id!r} under key '
                                 "'tracks' is not an integer")
    frames = _integers(path, _get(path, entry, 'frames', where),
                       f"{where}'frames'")
    if (np.diff(frames) <= 0).any():
        raise DatasetFormatError(f"{path}: key {where}'frames' must "
                                 'increase')
    count = len(frames)
    joints = _array(path, _get(path, entry, 'joints', where),
                    f"{where}'joints'", (count, len(H36M_JOINTS), 3))
    confidence = _array(path, _get(path, entry, 'confidence', where),
                        f"{where}'confidence'", (count, len(H36M_JOINTS)))
    views = _get(path, entry, 'views', where)
    if not isinstance(views, list) or len(views) != count:
        raise DatasetFormatError(f"{path}: key {where}'views' must be a "
                                 f'list of {count} lists')
    views = [_integers(path, v, f"{where}'views'").tolist() for v in views]
    return Track(int(track_id), frames, joints, confidence, views)


def read_tracks(path):
    """Read a ``tracks.json`` (module docstring).

    Returns:
        tuple: list of :class:`~nsd_toolkit.mocap.tracking.Track` sorted by
        id, and fps (float).

    Raises:
        DatasetFormatError: naming the file and the key that is missing or
        malformed.
    """
    content = read_json(path, 'tracks')
    version = _get(path, content, 'version', '')
    if version != TRACKS_VERSION:
        raise DatasetFormatError(f"{path}: key 'version' is {version!r}; "
                                 f'this toolkit reads version {TRACKS_VERSION}')
    units = _get(path, content, 'units', '')
    if units != UNITS:
        raise DatasetFormatError(f"{path}: key 'units' must be {UNITS!r}, "
                                 f'got {units!r}')
    if _get(path, content, 'joint_names', '') != list(H36M_JOINTS):
        raise DatasetFormatError(f"{path}: key 'joint_names' must list the "
                                 f'17 Human3.6M joints {list(H36M_JOINTS)}')
    fps = _get(path, content, 'fps', '')
    if isinstance(fps, bool) or not isinstance(fps, (int, float)) or \
            not 0 < fps < float('inf'):
        raise DatasetFormatError(f"{path}: key 'fps' must be a positive "
                                 f'number, got {fps!r}')
    entries = _get(path, content, 'tracks', '')
    if not isinstance(entries, dict):
        raise DatasetFormatError(f"{path}: key 'tracks' must be an object")
    tracks = [_read_track(path, key, entry) for key, entry in entries.items()]
    return sorted(tracks, key=lambda t: t.track_id), float(fps)


def _hold(values, known):
    """Values [S, J, ...] with unknown entries (``known`` [S, J] False)
    replaced by the last known value, or the first one before it."""
    steps = np.arange(len(values))[:, None]
    latest = np.maximum.accumulate(np.where(known, steps, 0), axis=0)
    source = np.where(np.logical_or.accumulate(known, axis=0), latest,
                      known.argmax(0))
    return values[source, np.arange(values.shape[1])]


def fill_gaps(track):
    """Joints [S, 17, 3] of every moment from a track's first frame to its
    last, gaps filled: the root holds its last known position, the other
    joints their last known offsets from it (first known ones at the start).

    Raises:
        ValueError: a joint is never known.
    """
    span = int(track.frames[-1] - track.frames[0]) + 1
    dense = np.full((span, len(H36M_JOINTS), 3), np.nan)
    dense[track.frames - track.frames[0]] = track.joints
    known = np.isfinite(dense).all(-1)  # [S, 17]
    never = np.flatnonzero(~known.any(0))
    if len(never):
        raise ValueError(f'track {track.track_id}: joints '
                         f'{[H36M_JOINTS[j] for j in never]} are never known')
    held = _hold(dense[:, :1], known[:, :1]) + _hold(
        dense - dense[:, :1], known & known[:, :1])
    return np.where(known[..., None], dense, held)


def export_tracks(out_dir, tracks, fps):
    """Write ``tracks.json`` and ``person_<id>.bvh`` per track in
    ``out_dir``; returns the written paths (json first)."""
    os.makedirs(out_dir, exist_ok=True)
    paths = [osp.join(out_dir, TRACKS_FILE)]
    write_tracks(paths[0], tracks, fps)
    for track in tracks:
        paths.append(osp.join(out_dir, f'person_{track.track_id:03d}.bvh'))
        write_bvh(paths[-1], fill_gaps(track), fps)
    return paths
