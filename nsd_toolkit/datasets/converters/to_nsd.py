"""Conversion of capture datasets to the toolkit's multi-view on-disk format.

Each source is read by its dataset class (``scan()``, no background is
computed), so a converted dataset read by :class:`MultiViewDataset` gives the
data infos of the source reader (same cameras, calibration, frame numbers and
``joints_3d``). Only frames the reader indexes are written: frames without an
image in every selected camera are skipped (the readers log their count); a
source without any image fails with a DatasetFormatError.
"""
import os
import os.path as osp
import shutil

import numpy as np
from tqdm import tqdm

from ..calibration import DatasetFormatError
from ..campus_shelf_dataset import CampusDataset, ShelfDataset
from ..h36m_dataset import H36M_SUBJECTS, H36MDataset
from ..panoptic_dataset import PANOPTIC_HD_CAMERAS, PanopticDataset
from ..writer import atomic_output_dir, write_json

_CALIB_KEYS = ('K', 'R', 't', 'dist', 'size')
_MAX_FRAME = 999999  # <frame:06d>


def _same_calibration(a, b, cameras):
    return all(
        np.array_equal(a[cam][key], b[cam][key]) for cam in cameras
        for key in _CALIB_KEYS)


def _calibration(calib, cameras, units=None):
    content = {} if units is None else dict(units=units)
    content['cameras'] = {
        cam: {key: calib[cam][key]
              for key in _CALIB_KEYS}
        for cam in cameras
    }
    return content


def _copy(src, folder, frame):
    ext = osp.splitext(src)[1].lower()
    if ext not in ('.jpg', '.png'):
        raise DatasetFormatError(
            f'{src}: only .jpg and .png frames can be written')
    shutil.copyfile(src, osp.join(folder, f'{frame:06d}{ext}'))


def write_nsd_dataset(records, metainfo, out_dir, overwrite=False,
                      progress=True):
    """Write sequence records in the toolkit's on-disk format.

    ``ROOT/calibration.json`` holds the cameras of the first sequence; a
    sequence with another calibration (Human3.6M subjects) gets its own
    ``ROOT/<seq>/calibration.json``. Frames and masks are copied byte for
    byte to ``<seq>/<cam>/<frame:06d>.jpg|png`` and
    ``<seq>/masks/<cam>/<frame:06d>.png``, poses to ``<seq>/poses3d.npy``
    (float32 [F, N, 17, 3]). ``out_dir`` appears complete or not at all.

    Args:
        records (list[dict]): sequence records and ``metainfo`` (with
            ``cameras`` and ``units``) as returned by
            :meth:`~..multiview_base.BaseMultiViewDataset.scan`.
        out_dir (str): output folder, absent or empty unless ``overwrite``.
        overwrite (bool): replace a non-empty ``out_dir``.
        progress (bool): show a progress bar.

    Returns:
        dict: ``sequences`` (names) and ``frames`` (count of items).

    Raises:
        ValueError: sequence names repeat or a frame number exceeds 6 digits.
        FileExistsError: ``out_dir`` is not empty and ``overwrite`` unset.
    """
    cameras = metainfo['cameras']
    names = [record['seq'] for record in records]
    if len(set(names)) != len(names):
        raise ValueError(f'sequence names repeat: {names}')
    for record in records:
        if record['frame_ids'] and max(record['frame_ids']) > _MAX_FRAME:
            raise ValueError(
                f"sequence {record['seq']!r}: frame number "
                f"{max(record['frame_ids'])} does not fit <frame:06d>")
    root_calib = records[0]['calib']
    total = sum(len(record['frame_ids']) for record in records) * len(cameras)
    with atomic_output_dir(out_dir, overwrite) as tmp, tqdm(
            total=total, desc='convert', unit='image',
            disable=not progress) as bar:
        write_json(osp.join(tmp, 'calibration.json'),
                   _calibration(root_calib, cameras, metainfo['units']))
        for record in records:
            seq_dir = osp.join(tmp, record['seq'])
            os.makedirs(seq_dir)
            if not _same_calibration(record['calib'], root_calib, cameras):
                write_json(osp.join(seq_dir, 'calibration.json'),
                           _calibration(record['calib'], cameras))
            for cam in cameras:
                folder = osp.join(seq_dir, cam)
                os.makedirs(folder)
                masks = record['masks'][cam]
                if masks:
                    os.makedirs(osp.join(seq_dir, 'masks', cam))
                for frame in record['frame_ids']:
                    _copy(record['frames'][cam][frame], folder, frame)
                    if frame in masks:
                        _copy(masks[frame], osp.join(seq_dir, 'masks', cam),
                              frame)
                    bar.update()
            if record['poses'] is not None:
                np.save(osp.join(seq_dir, 'poses3d.npy'),
                        record['poses'].astype(np.float32))
    return dict(sequences=names, frames=total // len(cameras))


def source_apart_from_output(src, out_dir):
    """Absolute ``src``; raise unless it is a folder apart from out_dir."""
    src, out = osp.abspath(src), osp.abspath(out_dir)
    if not osp.isdir(src):
        raise DatasetFormatError(f'{src}: source folder not found')
    if osp.commonpath([src, out]) in (src, out):
        raise ValueError(f'out_dir {out} must not lie inside src {src} or '
                         'contain it')
    return src


def h36m_to_nsd(src,
                out_dir,
                ann_files=('annotation_body3d/fps50/h36m_train.npz',
                           'annotation_body3d/fps50/h36m_test.npz'),
                subjects=H36M_SUBJECTS['train'] + H36M_SUBJECTS['val'],
                cameras=None,
                overwrite=False,
                progress=True,
                **kwargs):
    """Convert mmpose's Human3.6M preprocessing in ``src``.

    Args:
        src (str): root holding ``annotation_body3d/`` and ``images/``.
        out_dir (str): output folder.
        ann_files (list[str]): annotation files to merge (relative to src).
        subjects (list[str] | str): as :class:`~..H36MDataset`.
        cameras (list[str], optional): camera ids, default all four.
        overwrite, progress: as :func:`write_nsd_dataset`.
        **kwargs: other arguments of :class:`~..H36MDataset`
            (``camera_file``, ``img_dir``, ``sequences``).
    """
    src = source_apart_from_output(src, out_dir)
    if cameras is not None:
        kwargs['cameras'] = cameras
    records, metainfo = [], None
    for ann_file in ann_files:
        part, metainfo = H36MDataset(
            data_root=src, ann_file=ann_file, subjects=subjects,
            lazy_init=True, **kwargs).scan()
        records += part
    metainfo = dict(metainfo, sequences=[r['seq'] for r in records])
    return write_nsd_dataset(records, metainfo, out_dir, overwrite, progress)


def panoptic_to_nsd(src,
                    out_dir,
                    cameras=PANOPTIC_HD_CAMERAS,
                    overwrite=False,
                    progress=True,
                    **kwargs):
    """Convert one CMU Panoptic sequence folder ``src`` (``<root>/<seq>``).

    Args:
        src (str): the sequence folder (``calibration_<seq>.json``,
            ``hdImgs/``, ``hdPose3d_stage1_coco19/``).
        out_dir (str): output folder; the sequence keeps its name.
        cameras (list[str]): HD cameras.
        overwrite, progress: as :func:`write_nsd_dataset`.
        **kwargs: other arguments of :class:`~..PanopticDataset`
            (``min_confidence``).
    """
    src = source_apart_from_output(src, out_dir)
    records, metainfo = PanopticDataset(
        data_root=osp.dirname(src), sequences=[osp.basename(src)],
        cameras=cameras, lazy_init=True, **kwargs).scan()
    return write_nsd_dataset(records, metainfo, out_dir, overwrite, progress)


def campus_shelf_to_nsd(src, out_dir, overwrite=False, progress=True,
                        **kwargs):
    """Convert a Campus or Shelf folder ``src`` (which one: by its
    ``calibration_campus.json`` or ``calibration_shelf.json``).

    Args:
        src (str): the dataset folder.
        out_dir (str): output folder; the sequence is named campus or shelf.
        overwrite, progress: as :func:`write_nsd_dataset`.
        **kwargs: other arguments of :class:`~..CampusDataset` (``cameras``,
            ``gt_file``).
    """
    src = source_apart_from_output(src, out_dir)
    found = [cls for cls in (CampusDataset, ShelfDataset)
             if osp.isfile(osp.join(src, f'calibration_{cls.NAME}.json'))]
    if len(found) != 1:
        raise DatasetFormatError(
            f'{src}: expected exactly one of calibration_campus.json and '
            f'calibration_shelf.json, found {len(found)}')
    records, metainfo = found[0](
        data_root=src, lazy_init=True, **kwargs).scan()
    return write_nsd_dataset(records, metainfo, out_dir, overwrite, progress)
