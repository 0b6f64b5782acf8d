"""Campus and Shelf (Belagiannis et al.), read in place as multi-view frames."""
import os
import os.path as osp
import re

import numpy as np
from mmengine.logging import print_log

from nsd_toolkit.registry import DATASETS
from .calibration import (DatasetFormatError, parse_camera, read_json,
                          validate_calibration)
from .joint_sets import CAMPUS_SHELF14_JOINTS, to_h36m
from .multiview_base import BaseMultiViewDataset, list_frames

M_TO_MM = 1000.0
_NUM_JOINTS = len(CAMPUS_SHELF14_JOINTS)


def campus_shelf_calibration(path, size):
    """Toolkit calibration (mm) of ``calibration_{campus,shelf}.json``.

    Each camera (keys ``'0'``, ``'1'``, ...) stores ``R`` (world-to-camera),
    ``T`` (camera centre, mm), ``fx fy cx cy``, ``k`` (3 radial), ``p`` (2
    tangential): ``X_cam = R (X_world - T)``. Returns ``cam -> dict(K, R, t,
    dist, size)`` with ``t = -R T`` and ``dist = [k1, k2, p1, p2, k3]``.
    """
    content = read_json(path, 'calibration')
    if not isinstance(content, dict) or not content:
        raise DatasetFormatError(f'{path}: expected an object of cameras')
    calib = {}
    for cam, entry in content.items():
        try:
            R = np.asarray(entry['R'], np.float64).reshape(3, 3)
            T = np.asarray(entry['T'], np.float64).reshape(3)
            k = np.asarray(entry['k'], np.float64).reshape(3)
            p = np.asarray(entry['p'], np.float64).reshape(2)
            K = [[entry['fx'], 0., entry['cx']],
                 [0., entry['fy'], entry['cy']], [0., 0., 1.]]
        except (KeyError, TypeError, ValueError) as err:
            raise DatasetFormatError(
                f'{path}: camera {cam!r}: bad or missing key: {err!r}')
        calib[cam] = parse_camera(
            path, cam,
            dict(K=K, R=R, t=-R @ T, size=size,
                 dist=[k[0], k[1], p[0], p[1], k[2]]))
    return calib


def camera_folders(root):
    """``cam -> path`` of the ``Camera<cam>`` folders in ``root``."""
    return {name[len('Camera'):]: osp.join(root, name)
            for name in sorted(os.listdir(root))
            if name.startswith('Camera') and osp.isdir(osp.join(root, name))}


def read_actors_gt(path):
    """3D ground truth of ``actorsGT.mat`` (``actor3D`` cell array).

    ``actor3D{p}{f}`` is a 14 x 3 array in metres (joint order
    :data:`~.joint_sets.CAMPUS_SHELF14_JOINTS`) or empty where actor ``p``
    has no ground truth in frame ``f``.

    Returns:
        np.ndarray: float32 [F, P, 17, 3] Human3.6M joints, world mm; NaN
        where unknown.
    """
    from scipy.io import loadmat
    if not osp.isfile(path):
        raise DatasetFormatError(f'{path}: ground-truth file not found')
    try:
        actors = loadmat(path)['actor3D'].reshape(-1)
        frames = [actor.reshape(-1) for actor in actors]
    except (OSError, ValueError, KeyError, AttributeError) as err:
        raise DatasetFormatError(
            f"{path}: expected a cell array 'actor3D' {{actor}}{{frame}}: "
            f'{err!r}')
    num_frames = {len(f) for f in frames}
    if len(num_frames) != 1:
        raise DatasetFormatError(
            f'{path}: actors have different frame counts {num_frames}')
    joints = np.full((num_frames.pop(), len(actors), _NUM_JOINTS, 3),
                     np.nan)
    for p, cells in enumerate(frames):
        for f, cell in enumerate(cells):
            if cell.size:
                if cell.shape != (_NUM_JOINTS, 3):
                    raise DatasetFormatError(
                        f'{path}: actor3D{{{p + 1}}}{{{f + 1}}} must be '
                        f'{_NUM_JOINTS} x 3, got {cell.shape}')
                joints[f, p] = cell
    return to_h36m(M_TO_MM * joints, 'campus_shelf14').astype(np.float32)


class CampusShelfDataset(BaseMultiViewDataset):
    """Base of :class:`CampusDataset` and :class:`ShelfDataset`.

    Layout of ``data_root`` (mmpose's)::

        calibration_<name>.json
        actorsGT.mat                         3D ground truth (optional)
        Camera<cam>/<image name>             one folder per calibrated camera

    One sequence named ``<name>``. Items are the frames of ``split`` with an
    image in every selected camera (others dropped, count logged). ``joints_3d``
    [P, 17, 3]: one row per actor of ``actorsGT.mat`` (row ``p`` = actor
    ``p``), world mm, NaN where the actor has no ground truth or the frame is
    beyond it; the pelvis is the hip midpoint (:mod:`~.joint_sets`).
    ``actorsGT.npy`` is not read: it keeps only the actors with ground truth
    ([P', F, 14, 3]), losing which actor is which. Data infos and metainfo:
    see :class:`~.multiview_base.BaseMultiViewDataset` (units ``'mm'``).

    Args:
        data_root (str): the dataset folder.
        gt_file (str, optional): ``actorsGT.mat`` relative to ``data_root``;
            None for no poses.
        split (str, optional): ``'test'``: the community's evaluation frames
            (``TEST_FRAMES``, as the multi-view pose papers use them);
            ``'train'``: every other frame; None: all frames.
        cameras (list[str], optional): camera keys of the calibration
            (``'0'``, ``'1'``, ...), default all.
        **kwargs: ``background_frames``, ``cache_dir``, ``frame_interval``
            and mmengine's ``BaseDataset`` arguments, see
            :class:`~.multiview_base.BaseMultiViewDataset`.
    """

    NAME = None
    IMAGE_SIZE = None  # (W, H)
    IMAGE_PATTERN = None  # file name regex, ``{cam}`` filled, group 1 frame
    TEST_FRAMES = ()  # (first, last) frame numbers, inclusive

    def __init__(self, data_root, gt_file='actorsGT.mat', split=None,
                 **kwargs):
        sequences = kwargs.get('sequences')
        if sequences is not None and list(sequences) != [self.NAME]:
            raise ValueError(f'{type(self).__name__}: the only sequence is '
                             f'{self.NAME!r}, got {sequences!r}')
        if split not in (None, 'train', 'test'):
            raise ValueError(f"{type(self).__name__}: split must be 'train', "
                             f"'test' or None, got {split!r}")
        self.split = split
        self.gt_file = None if gt_file is None else osp.join(
            data_root, gt_file)
        super().__init__(data_root=data_root, **kwargs)

    def scan(self):
        root = osp.abspath(self.data_root)
        path = osp.join(root, f'calibration_{self.NAME}.json')
        calib = validate_calibration(
            path, campus_shelf_calibration(path, self.IMAGE_SIZE),
            folders=(root, camera_folders(root)))
        cameras = self.cameras or list(calib)
        missing = [cam for cam in cameras if cam not in calib]
        if missing:
            raise DatasetFormatError(
                f'{root}/calibration_{self.NAME}.json: camera(s) {missing} '
                'not found')
        frames = {}
        for cam in cameras:
            folder = osp.join(root, f'Camera{cam}')
            if not osp.isdir(folder):
                raise DatasetFormatError(f'{folder}: camera folder not found')
            pattern = self.IMAGE_PATTERN.format(cam=re.escape(cam))
            frames[cam] = list_frames(folder, re.compile(f'^{pattern}$'))
        sets = [set(f) for f in frames.values()]
        complete = sorted(set.intersection(*sets))
        if not complete:
            raise DatasetFormatError(
                f'{root}: no frame has an image in every camera {cameras}')
        dropped = len(set.union(*sets)) - len(complete)
        if dropped:
            print_log(f'{type(self).__name__}: dropped {dropped} frames '
                      'without an image in every camera', logger='current')
        frame_ids = self.split_frames(complete)
        if not frame_ids:
            raise DatasetFormatError(
                f'{root}: none of the {len(complete)} frames with an image in '
                f'every camera is in split {self.split!r} (test frames '
                f'{self.TEST_FRAMES})')
        record = dict(
            seq=self.NAME,
            calib={cam: calib[cam] for cam in cameras},
            frames=frames,
            frame_ids=frame_ids,
            masks={cam: {} for cam in cameras},
            poses=None,
            num_people=self._metainfo['num_people'])
        if self.gt_file is not None:
            gt = read_actors_gt(self.gt_file)
            poses = np.full((len(frame_ids), ) + gt.shape[1:], np.nan,
                            np.float32)
            ids = np.array(frame_ids)
            inside = ids < len(gt)
            poses[inside] = gt[ids[inside]]
            record.update(poses=poses, num_people=gt.shape[1])
        metainfo = dict(
            cameras=cameras,
            sequences=[self.NAME],
            units='mm',
            image_sizes={cam: tuple(self.IMAGE_SIZE) for cam in cameras})
        return [record], metainfo

    def split_frames(self, frame_ids):
        """The frame numbers of ``frame_ids`` (sorted) in ``self.split``."""
        if self.split is None:
            return frame_ids
        ids = np.asarray(frame_ids, np.int64)
        test = np.zeros(len(ids), bool)
        for first, last in self.TEST_FRAMES:
            test |= (ids >= first) & (ids <= last)
        keep = test if self.split == 'test' else ~test
        return ids[keep].tolist()


@DATASETS.register_module()
class CampusDataset(CampusShelfDataset):
    """Campus: 3 cameras, 360 x 288, ``Camera<c>/campus4-c<c>-<frame:05d>.png``,
    test frames 350-470 and 650-750 (see :class:`CampusShelfDataset`)."""

    NAME = 'campus'
    IMAGE_SIZE = (360, 288)
    IMAGE_PATTERN = r'campus4-c{cam}-(\d{{5}})\.png'
    TEST_FRAMES = ((350, 470), (650, 750))


@DATASETS.register_module()
class ShelfDataset(CampusShelfDataset):
    """Shelf: 5 cameras, 1032 x 776, ``Camera<c>/img_<frame:06d>.png``, test
    frames 300-600 (see :class:`CampusShelfDataset`)."""

    NAME = 'shelf'
    IMAGE_SIZE = (1032, 776)
    IMAGE_PATTERN = r'img_(\d{{6}})\.png'
    TEST_FRAMES = ((300, 600), )
