"""Shared part of the multi-view datasets: one item per (sequence, frame).

A subclass reads its on-disk layout in :meth:`BaseMultiViewDataset.scan` into
*sequence records*; the base class computes the cached median backgrounds,
assembles the data infos and keeps every ``frame_interval``-th frame, so every
layout yields the same data infos. A sequence record is a dict:

- ``seq`` (str), ``num_people`` (int)
- ``calib``: ``cam -> dict(K [3, 3], R [3, 3], t [3], dist [5], size [2])``
  as returned by :func:`~.calibration.load_calibration`
- ``frames``: ``cam -> {frame: image path}`` (or video frame reference
  ``'<video>#<index>'``, see :mod:`.video`); ``frame_ids``: sorted frame
  numbers, the same for every camera
- ``masks``: ``cam -> {frame: mask path}`` (empty dicts where there are none)
- ``poses``: float32 [F, N, 17, 3] (row ``i`` = ``frame_ids[i]``) or None
"""
import itertools
import os
import os.path as osp

import numpy as np
from mmengine.dataset import BaseDataset

from .background import default_cache_dir, prepare_backgrounds
from .calibration import DatasetFormatError

NUM_JOINTS = 17


def list_frames(folder, pattern):
    """``frame number -> path`` of ``folder``'s files matching ``pattern``
    (group 1 = frame number)."""
    frames = {}
    for name in sorted(os.listdir(folder)):
        match = pattern.match(name)
        if match:
            frames.setdefault(int(match.group(1)), osp.join(folder, name))
    return frames


def _missing_frames(frames, limit=10):
    """Text naming, per camera, the frame numbers other cameras have."""
    union = set().union(*frames.values())
    parts = []
    for cam, ids in frames.items():
        lacking = sorted(union - set(ids))
        if lacking:
            more = f' and {len(lacking) - limit} more' * (len(lacking) > limit)
            parts.append(f'camera {cam!r} lacks frame(s) {lacking[:limit]}'
                         f'{more}')
    return '; '.join(parts)


def synchronised_frames(where, frames):
    """Sorted frame numbers shared by all cameras.

    Args:
        where (str): prefix of the error message (file, sequence).
        frames (dict): ``cam -> collection of frame numbers``.

    Raises:
        DatasetFormatError: when the cameras' frame counts or numbers differ,
        naming the frames each camera lacks.
    """
    counts = {cam: len(f) for cam, f in frames.items()}
    if len(set(counts.values())) > 1:
        raise DatasetFormatError(
            f'{where}: cameras have different frame counts {counts}: '
            f'{_missing_frames(frames)}')
    (first, first_ids), *others = [(cam, sorted(f))
                                   for cam, f in frames.items()]
    for cam, ids in others:
        if ids != first_ids:
            raise DatasetFormatError(
                f'{where}: frame numbers of cameras {first!r} and {cam!r} '
                f'differ: {_missing_frames(frames)}')
    return first_ids


class BaseMultiViewDataset(BaseDataset):
    """Synchronised multi-view frames; subclasses implement :meth:`scan`.

    One item per (sequence, frame), holding all selected cameras. Keys of a
    data info (V cameras; per-view keys listed in ``PER_VIEW_KEYS``):

    - ``seq`` (str), ``frame`` (int, from the file name), ``num_people`` (int)
    - ``cameras`` (list[str]), ``img_paths``, ``background_paths`` (list[str])
    - ``mask_paths``: list[str], or None unless every camera has the mask
    - ``K``, ``R`` float64 [V, 3, 3], ``t`` [V, 3], ``dist`` [V, 5] (zeros when
      absent), ``image_size`` int64 [V, 2] (W, H)
    - ``joints_3d``: float32 [N, 17, 3] world frame, calibration units, or None

    ``metainfo`` adds ``cameras``, ``sequences``, ``units``, ``image_sizes``
    (``cam -> (W, H)``) and ``num_people`` (the largest over sequences;
    sequences without poses use the configured default).

    Args:
        data_root (str): root folder of the dataset.
        sequences (list[str], optional): sequences to read; default all.
        cameras (list[str], optional): cameras to read; default all.
        background_frames (int): frames in each median background.
        cache_dir (str, optional): cache root, default
            :func:`default_cache_dir`; must lie outside ``data_root``.
        frame_interval (int): keep every ``frame_interval``-th frame of each
            sequence as an item (backgrounds still use the whole sequence).
        with_labels (bool): keep the labels (``mask_paths``, ``joints_3d``)
            in the items. False for self-supervised training, which uses
            none: the pipeline then neither decodes the masks nor packs
            boxes and joints (3.9 of the 10.5 ms of loading a batch of
            eight 128x96 view pairs, docs/benchmarks.md). Defaults to True.
        **kwargs: the arguments of mmengine's ``BaseDataset`` (``pipeline``,
            ``test_mode``, ``metainfo``, ``lazy_init``, ...).

    Backgrounds are computed in ``full_init`` (rank 0 first when distributed)
    and never written into ``data_root``.
    """

    METAINFO = dict(num_people=1)

    def __init__(self,
                 data_root,
                 sequences=None,
                 cameras=None,
                 background_frames=50,
                 cache_dir=None,
                 frame_interval=1,
                 with_labels=True,
                 **kwargs):
        if int(frame_interval) != frame_interval or frame_interval < 1:
            raise ValueError(f'{type(self).__name__}: frame_interval must be '
                             f'an integer >= 1, got {frame_interval!r}')
        self.frame_interval = int(frame_interval)
        if not isinstance(with_labels, bool):
            raise TypeError(f'{type(self).__name__}: with_labels must be '
                            f'True or False, got {with_labels!r}')
        self.with_labels = with_labels
        self.sequences = None if sequences is None else list(sequences)
        self.cameras = None if cameras is None else list(cameras)
        self.background_frames = background_frames
        self.cache_dir = osp.abspath(cache_dir or default_cache_dir())
        root = osp.abspath(data_root)
        if osp.commonpath([root, self.cache_dir]) == root:
            raise ValueError(f'cache_dir {self.cache_dir} must lie outside '
                             f'data_root {root}')
        super().__init__(data_root=data_root, **kwargs)

    def scan(self):
        """Read and validate the layout (no image is decoded).

        Returns:
            tuple: the sequence records (module docstring) of the selected
            sequences and cameras, at least one, and a dict with the metainfo
            keys ``cameras``, ``sequences``, ``units`` and ``image_sizes``.

        Raises:
            DatasetFormatError: naming the file (and key) at fault.
        """
        raise NotImplementedError

    def load_data_list(self):
        records, metainfo = self.scan()
        cameras = metainfo['cameras']
        if not self.with_labels:  # items as of a sequence without labels
            records = [
                dict(record, masks={cam: {} for cam in cameras}, poses=None)
                for record in records
            ]
        jobs = {(record['seq'], cam): [frames[f] for f in record['frame_ids']]
                for record in records
                for cam, frames in record['frames'].items()}
        backgrounds = prepare_backgrounds(jobs, self.cache_dir,
                                          osp.abspath(self.data_root),
                                          self.background_frames)
        data_list = [
            item for record in records for item in itertools.islice(
                self._items(record, cameras, backgrounds), 0, None,
                self.frame_interval)
        ]
        self._metainfo.update(
            metainfo,
            num_people=max(record['num_people'] for record in records))
        return data_list

    @staticmethod
    def _items(record, cameras, backgrounds):
        calib = [record['calib'][cam] for cam in cameras]
        views = {
            key: np.stack([c[key] for c in calib])
            for key in ('K', 'R', 't', 'dist')
        }
        views['image_size'] = np.stack([c['size'] for c in calib])
        background_paths = [backgrounds[(record['seq'], cam)]
                            for cam in cameras]
        for index, frame in enumerate(record['frame_ids']):
            masks = [record['masks'][cam].get(frame) for cam in cameras]
            yield dict(
                seq=record['seq'],
                frame=frame,
                num_people=record['num_people'],
                cameras=list(cameras),
                img_paths=[record['frames'][cam][frame] for cam in cameras],
                background_paths=list(background_paths),
                mask_paths=None if None in masks else masks,
                joints_3d=(None if record['poses'] is None else
                           record['poses'][index]),
                **views)
