"""Export of a dataset in the toolkit's format to the boxing layout."""
import os
import os.path as osp
import re
import shutil

import numpy as np
from tqdm import tqdm

from ..boxing_dataset import (LABELS_FILE, cam_name, image_name, import_h5py,
                              mask_name, seq_name)
from ..multiview_dataset import MultiViewDataset
from ..writer import atomic_output_dir
from .to_nsd import source_apart_from_output

_CALIB_KEYS = ('K', 'R', 't', 'dist', 'size')


def _numbers(names, prefix, contiguous):
    """Index of each name: ``n`` of ``<prefix>_<n>`` when every name has that
    form (numbers distinct and, if ``contiguous``, exactly 0..len-1), else
    the name's position."""
    matches = [re.fullmatch(rf'{prefix}_(\d+)', name) for name in names]
    if all(matches):
        numbers = [int(m.group(1)) for m in matches]
        wanted = list(range(len(names))) if contiguous else sorted(
            set(numbers))
        if sorted(numbers) == wanted:
            return numbers
    return list(range(len(names)))


def _single_rig(src, records, cameras):
    """The calibration shared by all sequences (``cam -> dict``)."""
    first = records[0]['calib']
    for record in records[1:]:
        if any(not np.array_equal(first[cam][key], record['calib'][cam][key])
               for cam in cameras for key in _CALIB_KEYS):
            raise ValueError(
                f"{osp.join(src, record['seq'], 'calibration.json')}: the "
                'boxing layout holds one calibration for all sequences; '
                'per-sequence calibrations cannot be exported')
    return first


def _write_labels(path, arrays, units):
    """Write ``arrays`` (key -> array) and the ``units`` attribute."""
    h5py = import_h5py()
    with h5py.File(path, 'w') as f:
        if units is not None:
            f.attrs['units'] = units
        for key, array in arrays.items():
            f.create_dataset(key, data=array)


def export_boxing(src, out_dir, overwrite=False, progress=True):
    """Write the toolkit-format dataset ``src`` in the boxing layout.

    Images and masks are copied byte for byte (an image keeps its .jpg/.png
    extension); ``labels.h5`` follows the schema of
    :mod:`nsd_toolkit.datasets.boxing_dataset`. Sequences named ``seq_<n>``
    keep their number and cameras ``cam_00``...``cam_<C-1>`` theirs; other
    names are numbered in order. ``out_dir`` appears complete or not at all.

    Args:
        src (str): root of a dataset in the toolkit's format.
        out_dir (str): output folder, absent or empty unless ``overwrite``.
        overwrite (bool): replace a non-empty ``out_dir``.
        progress (bool): show a progress bar.

    Returns:
        dict: ``sequences`` and ``cameras``, each ``source name -> new name``.

    Raises:
        FileExistsError: ``out_dir`` is not empty and ``overwrite`` unset.
        ValueError: ``out_dir`` overlaps ``src``; sequences with different
            calibrations or numbers of people (the layout has one of each).
        DatasetFormatError: ``src`` does not follow the toolkit's format.
    """
    import_h5py()
    src = source_apart_from_output(src, out_dir)
    records, meta = MultiViewDataset(data_root=src, lazy_init=True).scan()
    cameras = meta['cameras']
    calib = _single_rig(src, records, cameras)
    people = {r['poses'].shape[1] for r in records if r['poses'] is not None}
    if len(people) > 1:
        raise ValueError(f'{src}: sequences hold different numbers of people '
                         f'{sorted(people)} in poses3d.npy; the boxing layout '
                         'holds one')
    seq_ids = dict(zip(meta['sequences'],
                       _numbers(meta['sequences'], 'seq', False)))
    cam_ids = dict(zip(cameras, _numbers(cameras, 'cam', True)))

    rows, pose_rows = [], []
    with atomic_output_dir(out_dir, overwrite) as tmp, tqdm(
            total=sum(len(r['frame_ids']) for r in records) * len(cameras),
            desc='export', unit='image', disable=not progress) as bar:
        for record in records:
            s = seq_ids[record['seq']]
            for cam, c in cam_ids.items():
                folder = osp.join(tmp, seq_name(s), cam_name(c))
                os.makedirs(folder)
                for frame in record['frame_ids']:
                    image = record['frames'][cam][frame]
                    shutil.copyfile(
                        image,
                        osp.join(folder,
                                 image_name(frame, osp.splitext(image)[1])))
                    mask = record['masks'][cam].get(frame)
                    if mask is not None:
                        shutil.copyfile(mask, osp.join(folder,
                                                       mask_name(frame)))
                    rows.append((s, c, frame))
                    bar.update()
            if record['poses'] is not None:
                pose_rows += [(s, frame, pose) for frame, pose in zip(
                    record['frame_ids'], record['poses'])]

        order = sorted(cam_ids, key=cam_ids.get)
        arrays = dict(
            zip(('seq', 'cam', 'frame'), np.array(rows, np.int64).T),
            **{key: np.stack([calib[cam][key] for cam in order])
               for key in ('K', 'R', 't', 'dist')},
            image_size=np.stack([calib[cam]['size'] for cam in order]))
        if pose_rows:
            pose_seq, pose_frame, poses = zip(*pose_rows)
            arrays.update(pose_seq=np.array(pose_seq, np.int64),
                          pose_frame=np.array(pose_frame, np.int64),
                          pose_3d=np.stack(poses).astype(np.float32))
        _write_labels(osp.join(tmp, LABELS_FILE), arrays, meta['units'])
    return dict(
        sequences={seq: seq_name(s) for seq, s in seq_ids.items()},
        cameras={cam: cam_name(c) for cam, c in cam_ids.items()})
