"""Dataset of the toolkit's own multi-view on-disk format
(docs/en/advanced_guides/design.md)."""
import os
import os.path as osp
import re

import numpy as np

from nsd_toolkit.registry import DATASETS
from .calibration import (DatasetFormatError, load_calibration,
                          validate_calibration)
from .multiview_base import (NUM_JOINTS, BaseMultiViewDataset, list_frames,
                             synchronised_frames)
from .video import count_video_frames, frame_ref

_FRAME_RE = re.compile(r'^(\d{6})\.(jpg|png)$')
_MASK_RE = re.compile(r'^(\d{6})\.png$')


def _camera_folders(seq_dir):
    """``cam -> path`` of the cameras of a sequence folder: its sub-folders
    (but ``masks`` and hidden ones) and ``<cam>.mp4`` videos."""
    found = {}
    for name in sorted(os.listdir(seq_dir)):
        path = osp.join(seq_dir, name)
        if name.startswith('.') or name == 'masks':
            continue
        if osp.isdir(path):
            found[name] = path
        elif name.endswith('.mp4'):
            found.setdefault(name[:-len('.mp4')], path)
    return found


@DATASETS.register_module()
class MultiViewDataset(BaseMultiViewDataset):
    """Synchronised multi-view frames in the toolkit's on-disk format.

    Layout: ``ROOT/calibration.json`` (+ optional
    ``ROOT/<seq>/calibration.json`` whose cameras replace those of the root
    file), frames
    ``ROOT/<seq>/<cam>/<frame:06d>.jpg|png`` or a video ``ROOT/<seq>/<cam>.mp4``
    whose ``i``-th frame (0-based) is frame number ``i`` (a frame folder wins
    over a video of the same camera; any camera may be a video), optional
    ``ROOT/<seq>/poses3d.npy`` float [F, N, 17, 3] (row ``i`` = ``i``-th frame
    in sorted order) and ``ROOT/<seq>/masks/<cam>/<frame:06d>.png``.

    Data infos and metainfo: see :class:`~.multiview_base.BaseMultiViewDataset`
    (``image_sizes`` of the metainfo come from the root calibration). Frames
    of video cameras appear in ``img_paths`` as references
    ``'<video>#<frame:06d>'`` (:mod:`~.video`), read by
    :class:`~.transforms.LoadMultiViewImages` and the background estimation.

    Args:
        data_root (str): ROOT.
        sequences (list[str], optional): sub-folders to read; default all
            sub-folders holding a camera folder (or video), sorted.
        cameras (list[str], optional): default all cameras of
            ``ROOT/calibration.json`` in file order.
        **kwargs: ``background_frames``, ``cache_dir``, ``frame_interval`` and
            mmengine's ``BaseDataset`` arguments, see
            :class:`~.multiview_base.BaseMultiViewDataset`.

    Each sequence's calibration (the root file updated by its override) is
    checked by :func:`~.calibration.validate_calibration`; its cameras must
    equal the sequence's camera folders and videos (every sub-folder but
    ``masks`` is a camera folder).

    Raises DatasetFormatError naming the file (and camera/key) on bad input,
    e.g. cameras with different frame counts, a camera folder without
    calibration or an unreadable video.
    """

    def scan(self):
        root = osp.abspath(self.data_root)
        calibration = load_calibration(osp.join(root, 'calibration.json'))
        cameras = self.cameras or list(calibration['cameras'])
        sequences = self.sequences or self._discover_sequences(
            root, list(calibration['cameras']))
        if not sequences:
            raise DatasetFormatError(f'{root}: no sequence folder holds a '
                                     'camera folder of calibration.json')
        records = [
            self._read_sequence(root, seq, calibration, cameras)
            for seq in sequences
        ]
        return records, dict(
            cameras=cameras,
            sequences=sequences,
            units=calibration['units'],
            image_sizes={
                cam: tuple(int(s) for s in calibration['cameras'][cam]['size'])
                for cam in cameras
            })

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
        """Sequence record (see :mod:`.multiview_base`) of one sequence."""
        seq_dir = osp.join(root, seq)
        if not osp.isdir(seq_dir):
            raise DatasetFormatError(f'{seq_dir}: sequence folder not found')
        calib = dict(calibration['cameras'])
        override = osp.join(seq_dir, 'calibration.json')
        calib_file = osp.join(root, 'calibration.json')
        if osp.isfile(override):
            calib.update(load_calibration(override, validate=False)['cameras'])
            calib_file = override
        validate_calibration(calib_file, calib, calibration['units'],
                             (seq_dir, _camera_folders(seq_dir)))
        missing = [cam for cam in cameras if cam not in calib]
        if missing:
            raise DatasetFormatError(
                f'{calib_file}: camera(s) {missing} not in calibration')

        frames = {cam: self._camera_frames(seq_dir, cam) for cam in cameras}
        frame_ids = synchronised_frames(seq_dir, frames)
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
        if osp.isdir(folder):
            frames = list_frames(folder, _FRAME_RE)
            if not frames:
                raise DatasetFormatError(f'{folder}: camera folder holds no '
                                         '<frame:06d>.jpg|png frames')
            return frames
        if not osp.isfile(video):
            raise DatasetFormatError(
                f'{folder}: camera folder (or video {cam}.mp4) not found')
        count = count_video_frames(video)
        if not count:
            raise DatasetFormatError(f'{video}: video holds no frames')
        return {i: frame_ref(video, i) for i in range(count)}

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
        """``cam -> {frame: path}`` (empty dicts where there are none)."""
        folders = {cam: osp.join(seq_dir, 'masks', cam) for cam in cameras}
        return {
            cam: list_frames(folder, _MASK_RE) if osp.isdir(folder) else {}
            for cam, folder in folders.items()
        }
