"""Consistency checks of multi-view datasets (``tools/misc/check_dataset.py``).

The checks read a dataset's sequence records (:meth:`~.multiview_base.
BaseMultiViewDataset.scan`, which validates the calibrations with
:func:`~.calibration.validate_calibration` as training does), then decode
every frame and mask once (every ``step``-th frame with ``step > 1``); no
background is computed and nothing is written. Problems are *errors* (the
data cannot be used as it is) or *warnings* (worth a look):

- errors: a format error raised while building or scanning the dataset
  (missing or unsynchronised frames, bad calibration values or scale, camera
  folders without calibration, unreadable poses or videos), frames and masks
  that are missing, empty, truncated or not decodable, frames and masks whose
  size differs from their camera's calibrated size, 3D joints lying behind a
  camera or projecting further than ``margin`` times the image size outside
  the image (with and without lens distortion), 3D poses that are NaN
  everywhere and people of implausible size (poses in other units than mm);
- warnings: gaps in the frame numbering, person slots without any finite
  joint in a whole sequence.

Messages name the sequence, camera and the exact files (the first
:data:`EXAMPLES` of each kind, and how many more).
"""
import collections
import math

import numpy as np
from tqdm import tqdm

from nsd_toolkit.utils import project_points, world_to_camera
from .calibration import DatasetFormatError, unit_hint
from .transforms.loading import read_image, read_mask
from .video import close_videos

ERROR, WARNING = 'error', 'warning'
#: Files named per problem of a camera before ``'and N more'``.
EXAMPLES = 10
#: Plausible size of a person, mm: the median over the labelled people of
#: the largest distance between two of their joints (about their height).
PERSON_SIZE_MM = (500., 3000.)


class Problems:
    """Problems of one dataset; identical messages of several sequences are
    merged into one line naming the sequences."""

    def __init__(self):
        self._seqs = collections.OrderedDict()  # (level, message) -> seqs

    def add(self, level, message, seq=None):
        seqs = self._seqs.setdefault((level, message), [])
        if seq is not None:
            seqs.append(seq)

    def add_error(self, err):
        """Add a DatasetFormatError (or OSError), one error per line."""
        for line in str(err).splitlines():
            self.add(ERROR, line)

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


def examples(items, limit=EXAMPLES):
    """``'a; b; c and N more'`` of the first ``limit`` items."""
    more = f' and {len(items) - limit} more' * (len(items) > limit)
    return '; '.join(items[:limit]) + more


def inspect_files(read, paths, size, bar=None):
    """Decode each file once and compare its size with the camera's.

    Args:
        read (callable): :func:`read_image` or :func:`read_mask`.
        paths (list[str]): files or video frame references.
        size (tuple): the calibrated (W, H).
        bar (tqdm, optional): advanced once per file.

    Returns:
        tuple: the error messages of the unreadable files and
        ``'<path> is WxH'`` texts of the files of another size.
    """
    unreadable, wrong = [], []
    for path in paths:
        try:
            height, width = read(path).shape[:2]
        except DatasetFormatError as err:
            unreadable.append(str(err))
        else:
            if (width, height) != size:
                wrong.append(f'{path} is {width}x{height}')
        if bar is not None:
            bar.update()
    return unreadable, wrong


def sampled_frames(record, step):
    """Every ``step``-th frame number of a record, from the first."""
    return record['frame_ids'][::step]


def _check_files(record, cameras, step, problems, bar):
    """Read the sampled frames and masks of every camera of a record."""
    seq, frames = record['seq'], sampled_frames(record, step)
    for cam in cameras:
        size = tuple(int(s) for s in record['calib'][cam]['size'])
        masks = record['masks'][cam]
        for what, read, paths in (
                ('frame', read_image, [record['frames'][cam][f]
                                       for f in frames]),
                ('mask', read_mask, [masks[f] for f in frames if f in masks])):
            unreadable, wrong = inspect_files(read, paths, size, bar)
            if unreadable:
                problems.add(ERROR, f'camera {cam!r}: {len(unreadable)} of '
                             f'{len(paths)} {what}(s) unreadable: '
                             f'{examples(unreadable)}', seq)
            if wrong:
                problems.add(ERROR, f'camera {cam!r}: {len(wrong)} of '
                             f'{len(paths)} {what}(s) differ from the '
                             f"calibration's size {size[0]}x{size[1]} (W x "
                             f'H): {examples(wrong)}', seq)
    gaps = _frame_gaps(record['frame_ids'])
    if gaps:
        problems.add(WARNING, gaps, seq)


def count_files(records, cameras, step):
    """Number of frames and masks :func:`check_records` reads."""
    total = 0
    for record in records:
        frames = sampled_frames(record, step)
        total += sum(len(frames) + sum(f in record['masks'][cam]
                                       for f in frames) for cam in cameras)
    return total


def person_sizes(poses, min_joints=8, max_people=2000):
    """Largest distance between two joints of each labelled person, [P].

    Args:
        poses (np.ndarray): [F, N, J, 3].
        min_joints (int): people with fewer finite joints are skipped.
        max_people (int): at most this many (frame, person) pairs, evenly
            spread, are measured.
    """
    people = poses.reshape(-1, *poses.shape[-2:]).astype(np.float64)
    people = people[np.isfinite(people).all(-1).sum(-1) >= min_joints]
    if not len(people):
        return np.zeros(0)
    if len(people) > max_people:
        people = people[np.linspace(0, len(people) - 1, max_people).astype(
            int)]
    gaps = np.linalg.norm(people[:, :, None] - people[:, None], axis=-1)
    return np.nanmax(gaps.reshape(len(people), -1), axis=1)


def person_size_problem(poses):
    """Message when people of ``poses`` [F, N, J, 3] are implausibly sized
    for mm (:data:`PERSON_SIZE_MM`, :func:`person_sizes`), else None."""
    sizes = person_sizes(poses)
    low, high = PERSON_SIZE_MM
    if not len(sizes) or low <= np.median(sizes) <= high:
        return None
    return (f'joints_3d: people measure {np.median(sizes):.4g} mm (median '
            f'over {len(sizes)} labelled people of the largest distance '
            f'between two joints; plausible: {low / 1000:g} m to '
            f'{high / 1000:g} m){unit_hint(sizes, low, high)}')


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
    size = person_size_problem(poses)
    if size:
        problems.add(ERROR, size, seq)
    index = np.argwhere(finite)  # [P, 3] (frame, person, joint)
    points = poses[finite].astype(np.float64)
    for cam in cameras:
        camera = record['calib'][cam]
        outside = far_outside(points, camera, margin)
        if outside.any():
            first = outside.argmax()
            frame, person, joint = index[first]
            problems.add(
                ERROR, f'camera {cam!r}: {outside.sum()} of {len(points)} '
                f'joints_3d points lie behind the camera or project more '
                f'than {margin:.0%} of the image size outside the image, '
                f'e.g. frame {record["frame_ids"][frame]} person {person} '
                f'joint {joint} at {np.round(points[first], 1).tolist()}',
                seq)
    return int(finite.any(axis=(1, 2)).sum())


def check_records(records, cameras, frame_interval=1, margin=0.5,
                  progress=True, step=1):
    """Check sequence records (:mod:`.multiview_base`).

    Args:
        records (list[dict]): as returned by ``scan()``.
        cameras (list[str]): the selected cameras.
        frame_interval (int): the dataset's, to count its items.
        margin (float): see :func:`far_outside`.
        progress (bool): show a progress bar over the files read.
        step (int): read every ``step``-th frame (and its masks) of each
            camera; 1 reads them all.

    Returns:
        tuple: a summary dict (``sequences``, ``cameras``, ``frames``,
        ``items``, ``people``, ``pose_coverage`` and ``mask_coverage``, the
        fractions of frames with a finite 3D joint and with masks of every
        camera, ``files_read`` and ``step``) and the :class:`Problems`.
    """
    problems = Problems()
    frames = labelled = masked = 0
    files = count_files(records, cameras, step)
    try:
        with tqdm(total=files, desc='reading frames and masks', unit='file',
                  disable=not progress) as bar:
            for record in records:
                _check_files(record, cameras, step, problems, bar)
                if record['poses'] is not None:
                    labelled += _check_poses(record, cameras, margin,
                                             problems)
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
        mask_coverage=masked / max(frames, 1),
        files_read=files,
        step=step)
    return summary, problems


def check_dataset(dataset, margin=0.5, progress=True, step=1):
    """Scan and check a :class:`~.multiview_base.BaseMultiViewDataset`
    (built with ``lazy_init=True``, so no background is computed).

    Returns:
        tuple: the summary of :func:`check_records` (None when the scan
        failed) and the :class:`Problems`; a :class:`DatasetFormatError` (or
        ``OSError``) of the scan is reported as errors, one per line.
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
        problems.add_error(err)
        return None, problems
    return check_records(records, metainfo['cameras'],
                         getattr(dataset, 'frame_interval', 1), margin,
                         progress, step)


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
        f"read: {summary['files_read']} frame and mask files"
        + (f" (one frame in {summary['step']}, --quick)"
           if summary['step'] > 1 else ' (all)'),
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


def check_config(cfg, splits, margin=0.5, print_fn=print, progress=True,
                 step=1):
    """Build each split's datasets lazily, check and report them.

    Args:
        cfg (mmengine.Config): a training/testing config.
        splits (list[str]): e.g. ``['train', 'val', 'test']``.
        margin (float): see :func:`far_outside`.
        print_fn (callable): receives each report line.
        progress (bool): show progress bars.
        step (int): see :func:`check_records`.

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
            problems.add_error(f'cannot build the dataset: {err}')
        else:
            summary, problems = check_dataset(dataset, margin, progress,
                                              step)
        for line in format_summary(summary) if summary else ():
            print_fn(f'  {line}')
        for level, message in problems.lines():
            print_fn(f'  {level.upper()}: {message}')
            errors += level == ERROR
            warnings += level == WARNING
    print_fn(f'{errors} error(s), {warnings} warning(s)')
    return errors
