"""Consistency checks of multi-view datasets (``tools/misc/check_dataset.py``).

The checks read a dataset's sequence records (:meth:`~.multiview_base.
BaseMultiViewDataset.scan`), so no background is computed and only the first
frame of each camera is decoded. Problems are *errors* (the data cannot be
used as it is) or *warnings* (worth a look):

- errors: a format error raised while building or scanning the dataset
  (missing or unsynchronised frames, unreadable files, bad calibration keys),
  missing frame files, frames whose size differs from the calibration,
  degenerate calibrations (``R`` not a rotation, focal lengths <= 0),
  3D joints lying behind a camera or projecting further than ``margin`` times
  the image size outside the image (with and without lens distortion), and
  3D poses that are NaN everywhere;
- warnings: gaps in the frame numbering, person slots without any finite
  joint in a whole sequence.
"""
import collections
import math
import os.path as osp

import numpy as np
from tqdm import tqdm

from nsd_toolkit.utils import project_points, world_to_camera
from .calibration import DatasetFormatError
from .transforms.loading import read_image
from .video import close_videos, frame_file

ERROR, WARNING = 'error', 'warning'


class Problems:
    """Problems of one dataset; identical messages of several sequences are
    merged into one line naming the sequences."""

    def __init__(self):
        self._seqs = collections.OrderedDict()  # (level, message) -> seqs

    def add(self, level, message, seq=None):
        seqs = self._seqs.setdefault((level, message), [])
        if seq is not None:
            seqs.append(seq)

    def lines(self):
        """``(level, text)`` pairs, errors first."""
        out = []
        for (level, message), seqs in self._seqs.items():
            if len(seqs) == 1:
                message = f'sequence {seqs[0]!r}: {message}'
            elif seqs:
                shown = ', '.join(repr(s) for s in seqs[:5])
                more = f' and {len(seqs) - 5} more' * (len(seqs) > 5)
                message = f'sequences {shown}{more}: {message}'
            out.append((level, message))
        return sorted(out, key=lambda line: line[0] != ERROR)


def calibration_problems(camera, tol=1e-3):
    """Messages about one camera's ``K``, ``R``, ``t``, ``dist``, ``size``
    (the dict of a sequence record's ``calib``); empty when sound."""
    messages = []
    for key in ('K', 'R', 't', 'dist'):
        if not np.isfinite(camera[key]).all():
            messages.append(f'key {key!r} holds non-finite values')
    if messages:
        return messages
    K, R = camera['K'], camera['R']
    error = np.abs(R @ R.T - np.eye(3)).max()
    if error > tol:
        messages.append(f"key 'R' is not orthonormal (max |R R^T - I| = "
                        f'{error:.3g})')
    det = np.linalg.det(R)
    if abs(det - 1) > tol:
        messages.append(f"key 'R' has determinant {det:.4g}, expected 1")
    if K[0, 0] <= 0 or K[1, 1] <= 0:
        messages.append(f"key 'K' has non-positive focal lengths "
                        f'(fx, fy) = ({K[0, 0]:.4g}, {K[1, 1]:.4g})')
    if not np.allclose(K[2], (0, 0, 1)):
        messages.append(f"key 'K' must have last row [0, 0, 1], got "
                        f'{K[2].tolist()}')
    if (np.asarray(camera['size']) <= 0).any():
        messages.append(f"key 'size' must be positive, got "
                        f"{np.asarray(camera['size']).tolist()}")
    return messages


def far_outside(points, camera, margin):
    """Which world points [P, 3] lie behind ``camera`` or project further
    than ``margin`` x the image size outside it, bool [P].

    Both the pinhole and the distorted projection are tested: far outside the
    calibrated field of view the distortion polynomial may fold points back
    into the image.
    """
    size = np.asarray(camera['size'], dtype=np.float64)
    low, high = -margin * size, (1 + margin) * size
    depth = world_to_camera(points, camera['R'], camera['t'])[:, 2]
    outside = depth <= 0
    for dist in (None, camera['dist']):
        uv = project_points(points, camera['K'], camera['R'], camera['t'],
                            dist)
        outside |= ((uv < low) | (uv > high)).any(axis=-1)
    return outside


def _frame_gaps(frame_ids):
    """Message about frame numbers deviating from the usual step, or None."""
    steps = np.diff(frame_ids)
    if len(steps) == 0:
        return None
    values, counts = np.unique(steps, return_counts=True)
    step = values[counts.argmax()]
    jumps = np.flatnonzero(steps != step)
    if len(jumps) == 0:
        return None
    first = jumps[0]
    return (f'frame numbers advance by {step} but jump {len(jumps)} time(s), '
            f'first from {frame_ids[first]} to {frame_ids[first + 1]}')


def _check_frames(record, cameras, problems):
    seq = record['seq']
    for cam in cameras:
        paths = [record['frames'][cam][f] for f in record['frame_ids']]
        files = dict.fromkeys(frame_file(p) for p in paths)
        missing = [f for f in files if not osp.isfile(f)]
        if missing:
            problems.add(ERROR, f'camera {cam!r}: {len(missing)} frame '
                         f'file(s) missing, e.g. {missing[0]}', seq)
            continue
        try:
            height, width = read_image(paths[0]).shape[:2]
        except DatasetFormatError as err:
            problems.add(ERROR, f'camera {cam!r}: {err}', seq)
            continue
        size = tuple(int(s) for s in record['calib'][cam]['size'])
        if (width, height) != size:
            problems.add(ERROR, f'camera {cam!r}: {paths[0]} is {width}x'
                         f'{height} (W x H), the calibration\'s size is '
                         f'{size[0]}x{size[1]}', seq)
    gaps = _frame_gaps(record['frame_ids'])
    if gaps:
        problems.add(WARNING, gaps, seq)


def _check_poses(record, cameras, margin, problems):
    """Checks of ``poses`` [F, N, 17, 3]; returns the labelled frame count."""
    seq, poses = record['seq'], record['poses']
    finite = np.isfinite(poses).all(axis=-1)  # [F, N, J]
    if not finite.any():
        problems.add(ERROR, 'joints_3d: every value is NaN', seq)
        return 0
    empty = np.flatnonzero(~finite.any(axis=(0, 2)))
    if len(empty):
        problems.add(WARNING, f'joints_3d: person slot(s) {empty.tolist()} '
                     'have no finite joint in any frame', seq)
    index = np.argwhere(finite)  # [P, 3] (frame, person, joint)
    points = poses[finite].astype(np.float64)
    for cam in cameras:
        camera = record['calib'][cam]
        outside = far_outside(points, camera, margin)
        if outside.any():
            frame, person, joint = index[outside.argmax()]
            problems.add(
                ERROR, f'camera {cam!r}: {outside.sum()} of {len(points)} '
                f'joints_3d points lie behind the camera or project more '
                f'than {margin:.0%} of the image size outside the image, '
                f'e.g. frame {record["frame_ids"][frame]} person {person} '
                f'joint {joint} at '
                f'{np.round(poses[frame, person, joint], 1).tolist()}',
                seq)
    return int(finite.any(axis=(1, 2)).sum())


def check_records(records, cameras, frame_interval=1, margin=0.5,
                  progress=True):
    """Check sequence records (:mod:`.multiview_base`).

    Args:
        records (list[dict]): as returned by ``scan()``.
        cameras (list[str]): the selected cameras.
        frame_interval (int): the dataset's, to count its items.
        margin (float): see :func:`far_outside`.
        progress (bool): show a progress bar over the sequences.

    Returns:
        tuple: a summary dict (``sequences``, ``cameras``, ``frames``,
        ``items``, ``people``, ``pose_coverage`` and ``mask_coverage``, the
        fractions of frames with a finite 3D joint and with masks of every
        camera) and the :class:`Problems`.
    """
    problems = Problems()
    frames = labelled = masked = 0
    try:
        for record in tqdm(records, desc='checking', unit='seq',
                           disable=not progress):
            seq, calib = record['seq'], record['calib']
            for cam in cameras:
                for message in calibration_problems(calib[cam]):
                    problems.add(ERROR, f'camera {cam!r} {message}', seq)
            _check_frames(record, cameras, problems)
            if record['poses'] is not None:
                labelled += _check_poses(record, cameras, margin, problems)
            masked += sum(
                all(f in record['masks'][cam] for cam in cameras)
                for f in record['frame_ids'])
            frames += len(record['frame_ids'])
    finally:
        close_videos()
    summary = dict(
        sequences=len(records),
        cameras=list(cameras),
        frames=frames,
        items=sum(math.ceil(len(r['frame_ids']) / frame_interval)
                  for r in records),
        people=max((r['num_people'] for r in records), default=0),
        pose_coverage=labelled / max(frames, 1),
        mask_coverage=masked / max(frames, 1))
    return summary, problems


def check_dataset(dataset, margin=0.5, progress=True):
    """Scan and check a :class:`~.multiview_base.BaseMultiViewDataset`
    (built with ``lazy_init=True``, so no background is computed).

    Returns:
        tuple: the summary of :func:`check_records` (None when the scan
        failed) and the :class:`Problems`; a :class:`DatasetFormatError` (or
        ``OSError``) of the scan is reported as an error.
    """
    if not callable(getattr(dataset, 'scan', None)):
        problems = Problems()
        problems.add(ERROR, f'{type(dataset).__name__} is not a multi-view '
                     'dataset (it has no scan()); it cannot be checked')
        return None, problems
    try:
        records, metainfo = dataset.scan()
    except (DatasetFormatError, OSError) as err:
        problems = Problems()
        problems.add(ERROR, str(err))
        return None, problems
    return check_records(records, metainfo['cameras'],
                         getattr(dataset, 'frame_interval', 1), margin,
                         progress)


def format_summary(summary):
    """Lines describing a :func:`check_records` summary."""
    return [
        f"sequences: {summary['sequences']}",
        f"cameras: {len(summary['cameras'])} "
        f"({', '.join(summary['cameras'])})",
        f"frames: {summary['frames']} ({summary['items']} items)",
        f"people: {summary['people']} (most in a sequence)",
        f"labels: 3D poses in {summary['pose_coverage']:.1%} of the frames, "
        f"masks in {summary['mask_coverage']:.1%}",
    ]


def leaf_dataset_cfgs(dataset_cfg):
    """The dataset configs inside wrappers (``dataset=`` / ``datasets=``)."""
    if 'datasets' in dataset_cfg:
        return [leaf for cfg in dataset_cfg['datasets']
                for leaf in leaf_dataset_cfgs(cfg)]
    if 'dataset' in dataset_cfg:
        return leaf_dataset_cfgs(dataset_cfg['dataset'])
    return [dataset_cfg]


def split_dataset_cfgs(cfg, splits):
    """``(name, dataset config or None)`` per split's leaf dataset; None
    marks a split whose datasets equal an earlier split's (e.g. ``test =
    val``).

    Raises:
        KeyError: naming a split without ``<split>_dataloader.dataset``.
    """
    earlier, out = {}, []
    for split in splits:
        loader = cfg.get(f'{split}_dataloader') or {}
        if 'dataset' not in loader:
            raise KeyError(f'the config has no {split}_dataloader.dataset')
        leaves = leaf_dataset_cfgs(loader['dataset'])
        same = next((s for s, other in earlier.items() if other == leaves),
                    None)
        if same is not None:
            out.append((f'{split}: same datasets as {same}', None))
            continue
        earlier[split] = leaves
        out.extend((split if len(leaves) == 1 else f'{split}[{i}]', leaf)
                   for i, leaf in enumerate(leaves))
    return out


def check_config(cfg, splits, margin=0.5, print_fn=print, progress=True):
    """Build each split's datasets lazily, check and report them.

    Args:
        cfg (mmengine.Config): a training/testing config.
        splits (list[str]): e.g. ``['train', 'val', 'test']``.
        margin (float): see :func:`far_outside`.
        print_fn (callable): receives each report line.

    Returns:
        int: the number of errors (format errors raised while building a
        dataset included).
    """
    from mmengine.registry import init_default_scope

    from nsd_toolkit.registry import DATASETS
    init_default_scope(cfg.get('default_scope', 'nsd_toolkit'))
    errors = warnings = 0
    for name, dataset_cfg in split_dataset_cfgs(cfg, splits):
        if dataset_cfg is None:
            print_fn(f'[{name}]')
            continue
        print_fn(f"[{name}] {dataset_cfg.get('type')} "
                 f"{dataset_cfg.get('data_root', '')}")
        try:
            dataset = DATASETS.build(dict(dataset_cfg, lazy_init=True))
        except (DatasetFormatError, ValueError, OSError, KeyError) as err:
            summary, problems = None, Problems()
            problems.add(ERROR, f'cannot build the dataset: {err}')
        else:
            summary, problems = check_dataset(dataset, margin, progress)
        for line in format_summary(summary) if summary else ():
            print_fn(f'  {line}')
        for level, message in problems.lines():
            print_fn(f'  {level.upper()}: {message}')
            errors += level == ERROR
            warnings += level == WARNING
    print_fn(f'{errors} error(s), {warnings} warning(s)')
    return errors
