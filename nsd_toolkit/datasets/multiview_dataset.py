"""Dataset of the toolkit's own multi-view on-disk format (DESIGN.md)."""
import itertools
import os
import os.path as osp
import re

import numpy as np
from mmengine.dataset import BaseDataset

from nsd_toolkit.registry import DATASETS
from .background import default_cache_dir, prepare_backgrounds
from .calibration import DatasetFormatError, load_calibration

_FRAME_RE = re.compile(r'^(\d{6})\.(jpg|png)$')
_MASK_RE = re.compile(r'^(\d{6})\.png$')
NUM_JOINTS = 17


def _list_frames(folder, pattern):
    """``frame number -> path`` of ``folder``'s files matching ``pattern``."""
    frames = {}
    for name in sorted(os.listdir(folder)):
        match = pattern.match(name)
        if match:
            frames.setdefault(int(match.group(1)), osp.join(folder, name))
    return frames


@DATASETS.register_module()
class MultiViewDataset(BaseDataset):
    """Synchronised multi-view frames in the toolkit's on-disk format.

    Layout: ``ROOT/calibration.json`` (+ optional
    ``ROOT/<seq>/calibration.json`` whose cameras replace those of the root
    file), frames
    ``ROOT/<seq>/<cam>/<frame:06d>.jpg|png``, optional
    ``ROOT/<seq>/poses3d.npy`` float [F, N, 17, 3] (row ``i`` = ``i``-th frame
    in sorted order) and ``ROOT/<seq>/masks/<cam>/<frame:06d>.png``.

    One item per (sequence, frame), holding all selected cameras. Keys of a
    data info (V cameras; per-view keys listed in ``PER_VIEW_KEYS``):

    - ``seq`` (str), ``frame`` (int, from the file name), ``num_people`` (int)
    - ``cameras`` (list[str]), ``img_paths``, ``background_paths`` (list[str])
    - ``mask_paths``: list[str], or None unless every camera has the mask
    - ``K``, ``R`` float64 [V, 3, 3], ``t`` [V, 3], ``dist`` [V, 5] (zeros when
      absent), ``image_size`` int64 [V, 2] (W, H)
    - ``joints_3d``: float32 [N, 17, 3] world frame, calibration units, or None

    ``metainfo`` adds ``cameras``, ``sequences``, ``units``, ``image_sizes``
    (``cam -> (W, H)`` of the root calibration) and ``num_people`` (the largest
    over sequences; sequences without poses use the configured default).

    Args:
        data_root (str): ROOT.
        sequences (list[str], optional): sub-folders to read; default all
            sub-folders holding a camera folder (or video), sorted.
        cameras (list[str], optional): default all cameras of
            ``ROOT/calibration.json`` in file order.
        background_frames (int): frames in each median background.
        cache_dir (str, optional): cache root, default
            :func:`default_cache_dir`; must lie outside ``data_root``.
        frame_interval (int): keep every ``frame_interval``-th frame of each
            sequence as an item (backgrounds still use the whole sequence).
        **kwargs: the arguments of mmengine's ``BaseDataset`` (``pipeline``,
            ``test_mode``, ``metainfo``, ``lazy_init``, ...).

    Backgrounds are computed in ``full_init`` (rank 0 first when distributed).
    Raises DatasetFormatError naming the file (and camera/key) on bad input;
    NotImplementedError for video cameras ``ROOT/<seq>/<cam>.mp4``.
    """

    METAINFO = dict(num_people=1)

    def __init__(self,
                 data_root,
                 sequences=None,
                 cameras=None,
                 background_frames=50,
                 cache_dir=None,
                 frame_interval=1,
                 **kwargs):
        if int(frame_interval) != frame_interval or frame_interval < 1:
            raise ValueError('MultiViewDataset: frame_interval must be an '
                             f'integer >= 1, got {frame_interval!r}')
        self.frame_interval = int(frame_interval)
        self.sequences = None if sequences is None else list(sequences)
        self.cameras = None if cameras is None else list(cameras)
        self.background_frames = background_frames
        self.cache_dir = osp.abspath(cache_dir or default_cache_dir())
        root = osp.abspath(data_root)
        if osp.commonpath([root, self.cache_dir]) == root:
            raise ValueError(f'cache_dir {self.cache_dir} must lie outside '
                             f'data_root {root}')
        super().__init__(data_root=data_root, **kwargs)

    def load_data_list(self):
        root = osp.abspath(self.data_root)
        calibration = load_calibration(osp.join(root, 'calibration.json'))
        cameras = self.cameras or list(calibration['cameras'])
        sequences = self.sequences or self._discover_sequences(
            root, list(calibration['cameras']))
        if not sequences:
            raise DatasetFormatError(f'{root}: no sequence folder holds a '
                                     'camera folder of calibration.json')

        per_seq, jobs = [], {}
        for seq in sequences:
            info = self._read_sequence(root, seq, calibration, cameras)
            per_seq.append(info)
            jobs.update({(seq, cam): [frames[f] for f in info['frame_ids']]
                         for cam, frames in info['frames'].items()})
        backgrounds = prepare_backgrounds(jobs, self.cache_dir, root,
                                          self.background_frames)

        data_list = [
            item for info in per_seq
            for item in itertools.islice(
                self._items(info, cameras, backgrounds), 0, None,
                self.frame_interval)
        ]
        self._metainfo.update(
            cameras=cameras,
            sequences=sequences,
            units=calibration['units'],
            image_sizes={
                cam: tuple(int(s) for s in calibration['cameras'][cam]['size'])
                for cam in cameras
            },
            num_people=max(info['num_people'] for info in per_seq))
        return data_list

    @staticmethod
    def _discover_sequences(root, cameras):
        def holds_camera(seq_dir):
            return any(
                osp.isdir(osp.join(seq_dir, cam))
                or osp.isfile(osp.join(seq_dir, f'{cam}.mp4'))
                for cam in cameras)

        return [
            name for name in sorted(os.listdir(root))
            if osp.isdir(osp.join(root, name))
            and holds_camera(osp.join(root, name))
        ]

    def _read_sequence(self, root, seq, calibration, cameras):
        """Validated files and cameras of one sequence."""
        seq_dir = osp.join(root, seq)
        if not osp.isdir(seq_dir):
            raise DatasetFormatError(f'{seq_dir}: sequence folder not found')
        calib = dict(calibration['cameras'])
        override = osp.join(seq_dir, 'calibration.json')
        calib_file = osp.join(root, 'calibration.json')
        if osp.isfile(override):
            calib.update(load_calibration(override)['cameras'])
            calib_file = override
        missing = [cam for cam in cameras if cam not in calib]
        if missing:
            raise DatasetFormatError(
                f'{calib_file}: camera(s) {missing} not in calibration')

        frames = {cam: self._camera_frames(seq_dir, cam) for cam in cameras}
        counts = {cam: len(f) for cam, f in frames.items()}
        if len(set(counts.values())) > 1:
            raise DatasetFormatError(
                f'{seq_dir}: cameras have different frame counts {counts}')
        frame_ids = sorted(frames[cameras[0]])
        for cam in cameras:
            if sorted(frames[cam]) != frame_ids:
                raise DatasetFormatError(
                    f'{seq_dir}: frame numbers of cameras {cameras[0]!r} and '
                    f'{cam!r} differ')

        poses = self._read_poses(seq_dir, len(frame_ids))
        num_people = (poses.shape[1] if poses is not None else
                      self._metainfo['num_people'])
        return dict(
            seq=seq,
            calib=calib,
            frames=frames,
            frame_ids=frame_ids,
            masks=self._read_masks(seq_dir, cameras),
            poses=poses,
            num_people=num_people)

    @staticmethod
    def _camera_frames(seq_dir, cam):
        folder = osp.join(seq_dir, cam)
        video = osp.join(seq_dir, f'{cam}.mp4')
        if not osp.isdir(folder):
            if osp.isfile(video):
                raise NotImplementedError(
                    f'{video}: video cameras are not supported yet; extract '
                    f'the frames to {folder}/<frame:06d>.jpg')
            raise DatasetFormatError(f'{folder}: camera folder not found')
        frames = _list_frames(folder, _FRAME_RE)
        if not frames:
            raise DatasetFormatError(
                f'{folder}: camera folder holds no <frame:06d>.jpg|png frames')
        return frames

    @staticmethod
    def _read_poses(seq_dir, num_frames):
        path = osp.join(seq_dir, 'poses3d.npy')
        if not osp.isfile(path):
            return None
        try:
            poses = np.load(path)
        except (OSError, ValueError) as err:
            raise DatasetFormatError(f'{path}: unreadable: {err}')
        if poses.ndim != 4 or poses.shape[2:] != (NUM_JOINTS, 3):
            raise DatasetFormatError(
                f'{path}: expected shape [F, N, {NUM_JOINTS}, 3], got '
                f'{poses.shape}')
        if poses.shape[0] != num_frames:
            raise DatasetFormatError(
                f'{path}: {poses.shape[0]} pose frames for {num_frames} image '
                'frames')
        return poses.astype(np.float32)

    @staticmethod
    def _read_masks(seq_dir, cameras):
        """``cam -> {frame: path}`` (empty dicts where there are no masks)."""
        folders = {cam: osp.join(seq_dir, 'masks', cam) for cam in cameras}
        return {
            cam: _list_frames(folder, _MASK_RE) if osp.isdir(folder) else {}
            for cam, folder in folders.items()
        }

    @staticmethod
    def _items(info, cameras, backgrounds):
        calib = [info['calib'][cam] for cam in cameras]
        views = {
            key: np.stack([c[key] for c in calib])
            for key in ('K', 'R', 't', 'dist')
        }
        views['image_size'] = np.stack([c['size'] for c in calib])
        background_paths = [backgrounds[(info['seq'], cam)] for cam in cameras]
        for index, frame in enumerate(info['frame_ids']):
            masks = [info['masks'][cam].get(frame) for cam in cameras]
            yield dict(
                seq=info['seq'],
                frame=frame,
                num_people=info['num_people'],
                cameras=list(cameras),
                img_paths=[info['frames'][cam][frame] for cam in cameras],
                background_paths=list(background_paths),
                mask_paths=None if None in masks else masks,
                joints_3d=(None if info['poses'] is None else
                           info['poses'][index]),
                **views)
