"""Human3.6M in mmpose's preprocessing, read in place as multi-view frames."""
import os
import os.path as osp
import pickle
import re

import numpy as np
from mmengine.logging import print_log

from nsd_toolkit.registry import DATASETS
from .calibration import (DatasetFormatError, parse_camera,
                          validate_calibration)
from .multiview_base import BaseMultiViewDataset

#: Subject splits of the usual protocol (train S1, S5-S8; val S9, S11).
H36M_SUBJECTS = dict(
    train=('S1', 'S5', 'S6', 'S7', 'S8'), val=('S9', 'S11'))
H36M_CAMERAS = ('54138969', '55011271', '58860488', '60457274')
#: ``<subject>/<seq>.<cam>/<seq>.<cam>_<frame>.jpg`` (``seq`` starts with
#: the subject, e.g. ``S1_Directions_1``).
_IMGNAME_RE = re.compile(
    r'^(?P<subject>[^/]+)/(?P<seq>[^/]+)\.(?P<cam>[^./]+)/'
    r'(?P=seq)\.(?P=cam)_(?P<frame>\d+)\.(?:jpg|png)$')


def h36m_camera(path, subject, cam, entry):
    """Toolkit calibration of one entry of mmpose's ``cameras.pkl``.

    mmpose stores ``R`` camera-to-world and ``T`` the camera centre in metres
    (``X_cam = R^T (X_world - T)``), ``f``, ``c``, ``k`` (3 radial), ``p``
    (2 tangential), ``w``, ``h``. Returns ``dict(K, R, t, dist, size)`` in
    millimetres, world-to-camera (``R^T``, ``-1000 R^T T``), ``dist`` =
    ``[k1, k2, p1, p2, k3]``. Human3.6M's own tangential model is not
    OpenCV's (see ``docs/en/dataset_zoo.md``); the coefficients are kept.
    """
    where = f'{path}: camera {(subject, cam)}'
    try:
        R = np.asarray(entry['R'], np.float64).reshape(3, 3)
        T = np.asarray(entry['T'], np.float64).reshape(3)
        f, c = (np.asarray(entry[key], np.float64).reshape(2)
                for key in ('f', 'c'))
        k = np.asarray(entry['k'], np.float64).reshape(3)
        p = np.asarray(entry['p'], np.float64).reshape(2)
        size = [entry['w'], entry['h']]
    except (KeyError, TypeError, ValueError) as err:
        raise DatasetFormatError(f'{where}: bad or missing key: {err!r}')
    K = [[f[0], 0., c[0]], [0., f[1], c[1]], [0., 0., 1.]]
    return parse_camera(
        path, f'{subject}/{cam}',
        dict(K=K, R=R.T, t=-1000. * R.T @ T, size=size,
             dist=[k[0], k[1], p[0], p[1], k[2]]))


def _load(path, reader, what):
    if not osp.isfile(path):
        raise DatasetFormatError(f'{path}: {what} not found')
    try:
        return reader(path)
    except (OSError, ValueError, pickle.UnpicklingError, EOFError) as err:
        raise DatasetFormatError(f'{path}: unreadable {what}: {err}')


def _read_pickle(path):
    with open(path, 'rb') as f:
        return pickle.load(f)


def _read_npz(path):
    with np.load(path) as npz:
        missing = [key for key in ('imgname', 'S') if key not in npz]
        if missing:
            raise ValueError(f'missing key(s) {missing}')
        names, S = npz['imgname'].astype(str), npz['S'].astype(np.float64)
    if S.ndim != 3 or S.shape[1:] != (17, 4) or len(S) != len(names):
        raise ValueError(f"key 'S' must have shape [{len(names)}, 17, 4] "
                         f'(x, y, z in metres, visibility), got {S.shape}')
    return names, S


def _parse_imgnames(path, names):
    """Folders ``(subject, seq, cam)``, folder index [N] and frame [N] of
    the image names ``<subject>/<seq>.<cam>/<seq>.<cam>_<frame>.jpg``."""
    folders, folder_of = {}, np.empty(len(names), np.int64)
    frame = np.empty(len(names), np.int64)
    for i, name in enumerate(names):
        match = _IMGNAME_RE.match(name)
        if match is None:
            raise DatasetFormatError(
                f'{path}: imgname {name!r} does not match '
                '<subject>/<seq>.<cam>/<seq>.<cam>_<frame>.jpg')
        key = match.group('subject', 'seq', 'cam')
        folder_of[i] = folders.setdefault(key, len(folders))
        frame[i] = int(match['frame'])
    return list(folders), folder_of, frame


@DATASETS.register_module()
class H36MDataset(BaseMultiViewDataset):
    """Human3.6M after mmpose's ``preprocess_h36m.py``, as multi-view frames.

    Layout (paths relative to ``data_root``, all configurable)::

        annotation_body3d/cameras.pkl            (subject, camera id) -> params
        annotation_body3d/fps50/h36m_train.npz   imgname, S, part, ...
        images/S1/S1_Directions_1.54138969/S1_Directions_1.54138969_000001.jpg

    The rows of the annotation file with the same subject, sequence and frame
    number form one item holding the selected cameras. Rows whose image file is
    missing are ignored, and moments where a selected camera lacks a row or an
    image are dropped (their count is logged), so every item has all cameras.
    ``joints_3d`` [1, 17, 3] is the 3D ground truth ``S`` (camera frame,
    metres) of the first selected camera taken to the world frame in mm;
    joints with visibility 0 are NaN. Data infos and metainfo: see
    :class:`~.multiview_base.BaseMultiViewDataset` (units ``'mm'``).

    Args:
        data_root (str): root of the preprocessed dataset.
        ann_file (str): annotation ``.npz`` (relative to ``data_root``).
        camera_file (str): ``cameras.pkl`` (relative to ``data_root``).
        img_dir (str): folder that ``imgname`` is relative to.
        subjects (str | list[str]): ``'train'`` or ``'val'``
            (:data:`H36M_SUBJECTS`) or a list such as ``['S9', 'S11']``.
        cameras (list[str], optional): camera ids, default
            :data:`H36M_CAMERAS`.
        **kwargs: ``sequences`` (e.g. ``['S9_Walking_1']``),
            ``background_frames``, ``cache_dir``, ``frame_interval`` and
            mmengine's ``BaseDataset`` arguments, see
            :class:`~.multiview_base.BaseMultiViewDataset`.
    """

    def __init__(self,
                 data_root,
                 ann_file='annotation_body3d/fps50/h36m_train.npz',
                 camera_file='annotation_body3d/cameras.pkl',
                 img_dir='images',
                 subjects='train',
                 cameras=H36M_CAMERAS,
                 **kwargs):
        if isinstance(subjects, str):
            if subjects not in H36M_SUBJECTS:
                raise ValueError(f'H36MDataset: subjects must be one of '
                                 f'{sorted(H36M_SUBJECTS)} or a list, got '
                                 f'{subjects!r}')
            subjects = H36M_SUBJECTS[subjects]
        self.subjects = list(subjects)
        self.camera_file = osp.join(data_root, camera_file)
        self.img_dir = osp.join(data_root, img_dir)
        super().__init__(
            data_root=data_root, ann_file=ann_file, cameras=cameras, **kwargs)

    def scan(self):
        names, S = _load(self.ann_file, _read_npz, 'annotation file')
        params = _load(self.camera_file, _read_pickle, 'camera file')
        folders, folder_of, frame = _parse_imgnames(self.ann_file, names)
        subject, seq, cam = (np.array(column)[folder_of]
                             for column in zip(*folders))
        view = np.array([self.cameras.index(c) if c in self.cameras else -1
                         for c in cam])
        keep = np.isin(subject, self.subjects) & (view >= 0)
        if self.sequences is not None:
            keep &= np.isin(seq, self.sequences)
        keep &= self._image_exists(names, keep)
        if not keep.any():
            raise DatasetFormatError(
                f'{self.ann_file}: no row with an image under {self.img_dir} '
                f'for subjects {self.subjects}, cameras {self.cameras}'
                + ('' if self.sequences is None else
                   f', sequences {self.sequences}'))
        table = self._group_views(names, seq, frame, view, keep)
        records = []
        first_rows = table[:, 0]
        for name in sorted(set(seq[first_rows].tolist())):
            rows = table[seq[first_rows] == name]
            records.append(
                self._record(name, subject[rows[0, 0]], rows, names, S,
                             frame, params))
        metainfo = dict(
            cameras=list(self.cameras),
            sequences=[record['seq'] for record in records],
            units='mm',
            image_sizes={
                c: tuple(int(s) for s in records[0]['calib'][c]['size'])
                for c in self.cameras
            })
        return records, metainfo

    def _group_views(self, names, seq, frame, view, keep):
        """Rows [G, V] of the moments (sequence, frame) of kept rows holding
        every camera, sorted by sequence and frame."""
        rows = np.flatnonzero(keep)
        _, seq_code = np.unique(seq[rows], return_inverse=True)
        _, group = np.unique(
            seq_code.astype(np.int64) * (frame.max() + 1) + frame[rows],
            return_inverse=True)
        slot = group * len(self.cameras) + view[rows]
        counts = np.bincount(slot)
        if counts.max() > 1:
            dup = names[rows[np.flatnonzero(counts[slot] > 1)[0]]]
            raise DatasetFormatError(
                f'{self.ann_file}: imgname {dup!r} appears more than once')
        table = np.full((group.max() + 1, len(self.cameras)), -1, np.int64)
        table[group, view[rows]] = rows
        complete = (table >= 0).all(axis=1)
        if not complete.any():
            raise DatasetFormatError(
                f'{self.ann_file}: no frame has rows and images of all '
                f'cameras {self.cameras}; select fewer cameras')
        if not complete.all():
            print_log(
                f'H36MDataset: dropped {int((~complete).sum())} of '
                f'{len(complete)} frames lacking a row or image of one of the '
                f'cameras {self.cameras}', logger='current')
        return table[complete]

    def _image_exists(self, names, candidates):
        """Mask [N]: row's image is a file (one listing per folder)."""
        folders = {osp.dirname(name) for name in names[candidates]}
        existing = set()
        for folder in folders:
            path = osp.join(self.img_dir, folder)
            if osp.isdir(path):
                existing.update(
                    f'{folder}/{name}' for name in os.listdir(path))
        return np.array([name in existing for name in names], bool)

    def _record(self, seq, subject, table, names, S, frame, params):
        """Sequence record of one sequence's complete groups [F, V]."""
        calib = {}
        for cam in self.cameras:
            if (subject, cam) not in params:
                raise DatasetFormatError(
                    f'{self.camera_file}: no camera {(subject, cam)}')
            calib[cam] = h36m_camera(self.camera_file, subject, cam,
                                     params[(subject, cam)])
        validate_calibration(
            self.camera_file,
            {f'{subject}/{cam}': camera for cam, camera in calib.items()})
        first = calib[self.cameras[0]]
        joints_cam = 1000. * S[table[:, 0], :, :3]  # [F, 17, 3] mm
        # world = R^T (x_cam - t) for world-to-camera R, t
        joints = (joints_cam - first['t']) @ first['R']
        joints[S[table[:, 0], :, 3] == 0] = np.nan
        frame_ids = frame[table[:, 0]].tolist()
        return dict(
            seq=seq,
            num_people=1,
            calib=calib,
            frames={
                cam: {f: osp.join(self.img_dir, names[row])
                      for f, row in zip(frame_ids, table[:, v])}
                for v, cam in enumerate(self.cameras)
            },
            frame_ids=frame_ids,
            masks={cam: {} for cam in self.cameras},
            poses=joints[:, None].astype(np.float32))
