"""CMU Panoptic sequences, read in place as multi-view frames."""
import os
import os.path as osp
import re

import numpy as np
from mmengine.logging import print_log
from tqdm import tqdm

from nsd_toolkit.registry import DATASETS
from .calibration import (DatasetFormatError, parse_camera, read_json,
                          validate_calibration)
from .joint_sets import PANOPTIC_COCO19_JOINTS, to_h36m
from .multiview_base import BaseMultiViewDataset, list_frames

#: HD cameras of the usual multi-person protocol (VoxelPose, mmpose).
PANOPTIC_HD_CAMERAS = ('00_03', '00_06', '00_12', '00_13', '00_23')
POSE_DIR = 'hdPose3d_stage1_coco19'
_POSE_RE = re.compile(r'^body3DScene_(\d{8})\.json$')
CM_TO_MM = 10.0
_NUM_JOINTS = len(PANOPTIC_COCO19_JOINTS)


def panoptic_calibration(path, cameras):
    """Toolkit calibration (mm) of ``cameras`` of ``calibration_<seq>.json``.

    Panoptic stores ``K``, ``R``, ``t`` (cm) with ``X_cam = R X_world + t``,
    ``distCoef`` = ``[k1, k2, p1, p2, k3]`` (OpenCV) and ``resolution``
    ``[W, H]``; world y points down. Returns ``cam -> dict(K, R, t, dist,
    size)`` with ``t`` in mm, checked by
    :func:`~.calibration.validate_calibration`.
    """
    content = read_json(path, 'calibration')
    entries = content.get('cameras') if isinstance(content, dict) else None
    if not isinstance(entries, list):
        raise DatasetFormatError(f"{path}: key 'cameras' must be a list")
    by_name = {entry.get('name'): entry for entry in entries
               if isinstance(entry, dict)}
    missing = [cam for cam in cameras if cam not in by_name]
    if missing:
        raise DatasetFormatError(f'{path}: camera(s) {missing} not found')
    calib = {}
    for cam in cameras:
        entry = by_name[cam]
        try:
            fields = dict(K=entry['K'], R=entry['R'], t=entry['t'],
                          dist=entry['distCoef'], size=entry['resolution'])
        except KeyError as err:
            raise DatasetFormatError(
                f'{path}: camera {cam!r} misses key {err}')
        calib[cam] = parse_camera(path, cam, fields)
        calib[cam]['t'] *= CM_TO_MM
    return validate_calibration(path, calib)


def read_panoptic_bodies(path, min_confidence):
    """People of one ``body3DScene_<frame>.json`` sorted by body id.

    Returns:
        np.ndarray: float32 [P, 17, 3] Human3.6M joints, world mm; joints
        with confidence below ``min_confidence`` are NaN.
    """
    content = read_json(path, '3D poses')
    try:
        bodies = sorted(content['bodies'], key=lambda body: body['id'])
        joints = np.array([body['joints19'] for body in bodies],
                          np.float64).reshape(len(bodies), _NUM_JOINTS, 4)
    except (KeyError, TypeError, ValueError) as err:
        raise DatasetFormatError(
            f'{path}: bodies[i] must hold an id and joints19 = '
            f'{_NUM_JOINTS} x (x, y, z, confidence): {err!r}')
    xyz = CM_TO_MM * joints[..., :3]
    xyz[joints[..., 3] < min_confidence] = np.nan
    return to_h36m(xyz, 'panoptic_coco19').astype(np.float32)


@DATASETS.register_module()
class PanopticDataset(BaseMultiViewDataset):
    """CMU Panoptic sequences with HD images, as multi-view frames.

    Layout of one sequence folder ``data_root/<seq>``::

        calibration_<seq>.json
        hdImgs/<cam>/<cam>_<frame:08d>.jpg
        hdPose3d_stage1_coco19/body3DScene_<frame:08d>.json  (optional)

    Items are the frames with an image in every selected camera (frames
    missing in some camera are dropped and counted in the log). ``joints_3d``
    [N, 17, 3] (world mm, Human3.6M order via
    :func:`~.joint_sets.to_h36m`): the frame's bodies sorted by id, padded
    with NaN rows to N, the largest number of bodies in a frame of the
    sequence; frames without a pose file are all NaN; ``joints_3d`` is None
    for sequences without any body. Joints with confidence below
    ``min_confidence`` are NaN. Data infos and metainfo: see
    :class:`~.multiview_base.BaseMultiViewDataset` (units ``'mm'``).

    Args:
        data_root (str): folder of the sequence folders.
        cameras (list[str]): HD camera names, default
            :data:`PANOPTIC_HD_CAMERAS`.
        min_confidence (float): joints below it are unknown.
        **kwargs: ``sequences`` (default: every sub-folder holding its
            ``calibration_<seq>.json``), ``background_frames``,
            ``cache_dir``, ``frame_interval`` and mmengine's ``BaseDataset``
            arguments, see :class:`~.multiview_base.BaseMultiViewDataset`.
    """

    def __init__(self,
                 data_root,
                 cameras=PANOPTIC_HD_CAMERAS,
                 min_confidence=0.1,
                 **kwargs):
        self.min_confidence = min_confidence
        super().__init__(data_root=data_root, cameras=cameras, **kwargs)

    def scan(self):
        root = osp.abspath(self.data_root)
        sequences = self.sequences or [
            name for name in sorted(os.listdir(root))
            if osp.isfile(osp.join(root, name, f'calibration_{name}.json'))
        ]
        if not sequences:
            raise DatasetFormatError(
                f'{root}: no sequence folder <seq> holding '
                'calibration_<seq>.json')
        records = [self._record(osp.join(root, seq)) for seq in sequences]
        metainfo = dict(
            cameras=list(self.cameras),
            sequences=list(sequences),
            units='mm',
            image_sizes={
                cam: tuple(int(s) for s in records[0]['calib'][cam]['size'])
                for cam in self.cameras
            })
        return records, metainfo

    def _record(self, seq_dir):
        seq = osp.basename(seq_dir)
        calib = panoptic_calibration(
            osp.join(seq_dir, f'calibration_{seq}.json'), self.cameras)
        frames = {}
        for cam in self.cameras:
            folder = osp.join(seq_dir, 'hdImgs', cam)
            if not osp.isdir(folder):
                raise DatasetFormatError(f'{folder}: camera folder not found')
            frames[cam] = list_frames(
                folder, re.compile(rf'^{re.escape(cam)}_(\d{{8}})\.jpg$'))
        sets = [set(f) for f in frames.values()]
        frame_ids = sorted(set.intersection(*sets))
        if not frame_ids:
            raise DatasetFormatError(
                f'{seq_dir}: no frame has an image in every camera '
                f'{self.cameras} (hdImgs/<cam>/<cam>_<frame:08d>.jpg)')
        dropped = len(set.union(*sets)) - len(frame_ids)
        if dropped:
            print_log(f'PanopticDataset: {seq}: dropped {dropped} frames '
                      f'without an image in every camera', logger='current')
        return dict(
            seq=seq,
            calib=calib,
            frames=frames,
            frame_ids=frame_ids,
            masks={cam: {} for cam in self.cameras},
            **self._poses(seq_dir, frame_ids))

    def _poses(self, seq_dir, frame_ids):
        """``poses`` [F, N, 17, 3] (or None) and ``num_people``."""
        folder = osp.join(seq_dir, POSE_DIR)
        files = list_frames(folder, _POSE_RE) if osp.isdir(folder) else {}
        unused = len(files.keys() - set(frame_ids))
        if unused:
            print_log(f'PanopticDataset: {unused} pose files of '
                      f'{osp.basename(seq_dir)} have no frame with images in '
                      'every camera and are not used', logger='current')
        bodies = {
            frame: read_panoptic_bodies(files[frame], self.min_confidence)
            for frame in tqdm(frame_ids, desc=f'poses {osp.basename(seq_dir)}',
                              unit='frame', disable=not files)
            if frame in files
        }
        num_people = max((len(b) for b in bodies.values()), default=0)
        if num_people == 0:
            return dict(poses=None, num_people=self._metainfo['num_people'])
        poses = np.full((len(frame_ids), num_people, 17, 3), np.nan,
                        np.float32)
        for index, frame in enumerate(frame_ids):
            if frame in bodies:
                poses[index, :len(bodies[frame])] = bodies[frame]
        return dict(poses=poses, num_people=num_people)
