"""Dataset of the "boxing" layout of the NSD research code.

The research code reads ``ROOT/labels.h5`` (one row per image, with integer
``seq``, ``cam`` and ``frame`` columns) and the images
``ROOT/seq_XXX/cam_XX/img_XXXXXX.jpg``; it does not document the other fields
of ``labels.h5``. The schema below is this toolkit's reading of that layout:
the same folders and row columns, plus the calibration and 3D poses NSD needs.

``ROOT/labels.h5`` (file attribute ``units``, ``'mm'``: unit of ``t`` and
``pose_3d``, optional). Other keys are ignored.

=============  =====  ===============  =======================================
key            type   shape            meaning
=============  =====  ===============  =======================================
``seq``        int    [M]              sequence s of image row m: folder
                                       ``ROOT/seq_{s:03d}``
``cam``        int    [M]              camera c: folder ``cam_{c:02d}`` and
                                       row c of the calibration
``frame``      int    [M]              frame f: ``img_{f:06d}.jpg`` (or .png)
``K``          float  [C, 3, 3]        intrinsics (pixels)
``R``          float  [C, 3, 3]        world-to-camera rotation
``t``          float  [C, 3]           translation, ``x_cam = R @ X + t``
``image_size`` int    [C, 2]           (W, H) pixels
``dist``       float  [C, 5]           optional (k1, k2, p1, p2, k3)
``pose_seq``   int    [P]              optional, with ``pose_frame`` and
``pose_frame`` int    [P]              ``pose_3d``: one row per (seq, frame)
``pose_3d``    float  [P, N, 17, 3]    world frame, Human3.6M joint order,
                                       NaN where unknown
=============  =====  ===============  =======================================

One calibration serves all sequences. Optional instance masks (uint8,
0 = background, i + 1 = person i) lie beside the images as
``ROOT/seq_XXX/cam_XX/mask_XXXXXX.png``. The research code's background files
(``cam_XX/bg.jpg``) are neither read nor written: backgrounds are cached as
for :class:`~.multiview_dataset.MultiViewDataset`.
"""
import os
import os.path as osp
import re

import numpy as np

from nsd_toolkit.registry import DATASETS
from .calibration import (DatasetFormatError, parse_camera,
                          validate_calibration)
from .multiview_base import (NUM_JOINTS, BaseMultiViewDataset, list_frames,
                             synchronised_frames)

LABELS_FILE = 'labels.h5'
_IMAGE_RE = re.compile(r'^img_(\d{6})\.(jpg|png)$')
_MASK_RE = re.compile(r'^mask_(\d{6})\.png$')
_CAM_RE = re.compile(r'^cam_\d{2}$')
# key -> shape; letters are sizes shared between keys
REQUIRED_KEYS = {
    'seq': ('M', ),
    'cam': ('M', ),
    'frame': ('M', ),
    'K': ('C', 3, 3),
    'R': ('C', 3, 3),
    't': ('C', 3),
    'image_size': ('C', 2),
}
OPTIONAL_KEYS = {'dist': ('C', 5)}
POSE_KEYS = {
    'pose_seq': ('P', ),
    'pose_frame': ('P', ),
    'pose_3d': ('P', 'N', NUM_JOINTS, 3),
}
_INTEGER_KEYS = ('seq', 'cam', 'frame', 'image_size', 'pose_seq', 'pose_frame')


def seq_name(index):
    return f'seq_{index:03d}'


def cam_name(index):
    return f'cam_{index:02d}'


def image_name(frame, ext='.jpg'):
    return f'img_{frame:06d}{ext}'


def mask_name(frame):
    return f'mask_{frame:06d}.png'


def camera_folders(seq_dir):
    """``cam -> path`` of the ``cam_XX`` folders of a sequence folder (none
    if it is missing)."""
    if not osp.isdir(seq_dir):
        return {}
    return {name: osp.join(seq_dir, name)
            for name in sorted(os.listdir(seq_dir))
            if _CAM_RE.match(name) and osp.isdir(osp.join(seq_dir, name))}


def import_h5py():
    """The ``h5py`` module, with an ImportError saying how to install it."""
    try:
        import h5py
    except ImportError as err:
        raise ImportError('the boxing layout (labels.h5) needs h5py: '
                          'pip install h5py') from err
    return h5py


def _check_shapes(path, labels, schema):
    """Sizes of the letters of ``schema`` (key -> dims) after checking the
    shapes of the keys of ``labels``."""
    sizes = {}
    for key, dims in schema.items():
        if key not in labels:
            continue
        shape = labels[key].shape
        matches = len(shape) == len(dims) and all(
            sizes.setdefault(d, s) == s if isinstance(d, str) else d == s
            for d, s in zip(dims, shape))
        if not matches:
            expected = ', '.join(f'{d}={sizes[d]}' if d in sizes else str(d)
                                 for d in dims)
            raise DatasetFormatError(f'{path}: key {key!r} must have shape '
                                     f'[{expected}], got {list(shape)}')
    return sizes


def read_labels(path):
    """Read and validate ``labels.h5``.

    Returns:
        tuple: ``key -> np.ndarray`` of the schema's keys present (int64 or
        float64; ``pose_3d`` float32) and the ``units`` attribute (or None).

    Raises:
        DatasetFormatError: naming the file and key at fault.
    """
    h5py = import_h5py()
    if not osp.isfile(path):
        raise DatasetFormatError(f'{path}: labels file not found')
    schema = {**REQUIRED_KEYS, **OPTIONAL_KEYS, **POSE_KEYS}
    try:
        with h5py.File(path, 'r') as f:
            not_arrays = [k for k in schema
                          if k in f and not isinstance(f[k], h5py.Dataset)]
            if not_arrays:
                raise DatasetFormatError(
                    f'{path}: key(s) {not_arrays} must be datasets')
            labels = {key: f[key][()] for key in schema if key in f}
            units = f.attrs.get('units')
    except OSError as err:
        raise DatasetFormatError(f'{path}: unreadable labels file: {err}')
    missing = [key for key in REQUIRED_KEYS if key not in labels]
    pose_keys = [key for key in POSE_KEYS if key in labels]
    if pose_keys:
        missing += [key for key in POSE_KEYS if key not in labels]
    if missing:
        raise DatasetFormatError(f'{path}: missing key(s) {missing}')

    sizes = _check_shapes(path, labels, schema)
    for key, array in labels.items():
        kind = np.integer if key in _INTEGER_KEYS else np.number
        if not np.issubdtype(array.dtype, kind):
            raise DatasetFormatError(
                f'{path}: key {key!r} must hold {kind.__name__} values, got '
                f'dtype {array.dtype}')
        labels[key] = array.astype(np.float32 if key == 'pose_3d' else
                                   np.int64 if kind is np.integer else
                                   np.float64)
    for key in ('seq', 'frame', 'cam', 'pose_seq', 'pose_frame'):
        if key in labels and (labels[key] < 0).any():
            raise DatasetFormatError(
                f'{path}: key {key!r} holds negative values')
    if (labels['cam'] >= sizes['C']).any():
        raise DatasetFormatError(
            f"{path}: key 'cam' holds camera {labels['cam'].max()}, the "
            f"calibration (key 'K') has {sizes['C']} cameras")
    if isinstance(units, bytes):
        units = units.decode()
    return labels, units


@DATASETS.register_module()
class BoxingDataset(BaseMultiViewDataset):
    """Synchronised multi-view frames in the boxing layout (module docstring).

    Sequences are named ``seq_XXX`` and cameras ``cam_XX`` (their folders).
    Data infos and metainfo: see
    :class:`~.multiview_base.BaseMultiViewDataset`; ``num_people`` is N of
    ``pose_3d``, else the configured default; sequences without pose rows
    get ``joints_3d=None``. Images or pose rows beyond the image rows of
    ``labels.h5`` are ignored.

    Args:
        data_root (str): ROOT.
        sequences (list[str], optional): e.g. ``['seq_000']``; default all
            sequences of the rows, sorted.
        cameras (list[str], optional): e.g. ``['cam_01', 'cam_00']``; default
            all cameras of the calibration in index order.
        **kwargs: ``background_frames``, ``cache_dir``, ``frame_interval`` and
            mmengine's ``BaseDataset`` arguments, see
            :class:`~.multiview_base.BaseMultiViewDataset`.

    The calibration is checked by :func:`~.calibration.validate_calibration`;
    the ``cam_XX`` folders of every selected sequence must equal its cameras.

    Raises DatasetFormatError naming the file (and key) on bad input, and
    ImportError when h5py is not installed.
    """

    def scan(self):
        root = osp.abspath(self.data_root)
        path = osp.join(root, LABELS_FILE)
        labels, units = read_labels(path)
        cam_ids = {cam_name(c): c for c in range(len(labels['K']))}
        calib = {
            cam: parse_camera(
                path, cam, {
                    key: labels[name][c]
                    for key, name in (('K', 'K'), ('R', 'R'), ('t', 't'),
                                      ('size', 'image_size'), ('dist', 'dist'))
                    if name in labels
                })
            for cam, c in cam_ids.items()
        }
        cameras = self.cameras or list(calib)
        unknown = [cam for cam in cameras if cam not in calib]
        if unknown:
            raise DatasetFormatError(
                f"{path}: camera(s) {unknown} not in calibration (key 'K' "
                f'holds {len(calib)} cameras)')
        seq_ids = {seq_name(s): s for s in np.unique(labels['seq']).tolist()}
        if not seq_ids:
            raise DatasetFormatError(f"{path}: no image rows (key 'seq' is "
                                     'empty)')
        sequences = self.sequences or list(seq_ids)
        unknown = [seq for seq in sequences if seq not in seq_ids]
        if unknown:
            raise DatasetFormatError(
                f"{path}: sequence(s) {unknown} have no rows (key 'seq')")
        records = [
            self._read_sequence(root, path, labels, seq, seq_ids[seq],
                                {cam: cam_ids[cam]
                                 for cam in cameras}, calib, units)
            for seq in sequences
        ]
        return records, dict(
            cameras=cameras,
            sequences=sequences,
            units=units,
            image_sizes={
                cam: tuple(int(s) for s in calib[cam]['size'])
                for cam in cameras
            })

    def _read_sequence(self, root, path, labels, seq, s, cameras, calib,
                       units):
        """Sequence record (see :mod:`.multiview_base`) of sequence ``s``
        (``seq`` its name); ``cameras`` maps selected names to indices."""
        in_seq = labels['seq'] == s
        frames = {}
        for cam, c in cameras.items():
            ids = labels['frame'][in_seq & (labels['cam'] == c)]
            frames[cam] = np.unique(ids).tolist()
            if len(frames[cam]) < len(ids):
                raise DatasetFormatError(
                    f'{path}: duplicate rows of sequence {seq!r} camera '
                    f'{cam!r}')
        frame_ids = synchronised_frames(f'{path}: sequence {seq!r}', frames)
        if not frame_ids:
            raise DatasetFormatError(f'{path}: sequence {seq!r} has no rows '
                                     f'of cameras {list(cameras)}')
        seq_dir = osp.join(root, seq)
        validate_calibration(path, calib, units,
                             (seq_dir, camera_folders(seq_dir)))
        images, masks = {}, {}
        for cam in cameras:
            folder = osp.join(root, seq, cam)
            found = list_frames(folder, _IMAGE_RE)
            missing = [f for f in frame_ids if f not in found]
            if missing:
                raise DatasetFormatError(
                    f'{osp.join(folder, image_name(missing[0]))}: image of '
                    f'{path} not found (.jpg or .png; {len(missing)} of '
                    f'{len(frame_ids)} missing in this folder)')
            images[cam] = {f: found[f] for f in frame_ids}
            masks[cam] = list_frames(folder, _MASK_RE)
        poses = self._read_poses(path, labels, seq, s, frame_ids)
        return dict(
            seq=seq,
            calib=calib,
            frames=images,
            frame_ids=frame_ids,
            masks=masks,
            poses=poses,
            num_people=(labels['pose_3d'].shape[1] if 'pose_3d' in labels
                        else self._metainfo['num_people']))

    @staticmethod
    def _read_poses(path, labels, seq, s, frame_ids):
        """float32 [F, N, 17, 3] of ``frame_ids`` (NaN without a pose row),
        None when the sequence has no pose row."""
        rows = (labels['pose_seq'] == s) if 'pose_seq' in labels else None
        if rows is None or not rows.any():
            return None
        pose_frames = labels['pose_frame'][rows]
        if len(np.unique(pose_frames)) < len(pose_frames):
            raise DatasetFormatError(
                f'{path}: duplicate pose rows (keys pose_seq, pose_frame) of '
                f'sequence {seq!r}')
        ids = np.asarray(frame_ids)
        index = np.minimum(np.searchsorted(ids, pose_frames), len(ids) - 1)
        known = ids[index] == pose_frames
        poses = np.full((len(ids), ) + labels['pose_3d'].shape[1:], np.nan,
                        np.float32)
        poses[index[known]] = labels['pose_3d'][rows][known]
        return poses
