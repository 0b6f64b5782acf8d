"""Atomic writing of a dataset in the toolkit's multi-view on-disk format."""
import contextlib
import json
import os
import os.path as osp
import shutil
import tempfile

import cv2
import numpy as np


def check_output_dir(out_dir, overwrite):
    """Raise ``FileExistsError`` unless ``out_dir`` is absent, an empty
    folder, or ``overwrite`` is set (then it must be a folder)."""
    if not osp.lexists(out_dir):
        return
    if not osp.isdir(out_dir) or osp.islink(out_dir):
        raise FileExistsError(f'out_dir {out_dir!r} exists and is not a '
                              'directory')
    if os.listdir(out_dir) and not overwrite:
        raise FileExistsError(f'out_dir {out_dir!r} exists and is not empty '
                              '(pass overwrite=True / --overwrite)')


@contextlib.contextmanager
def atomic_output_dir(out_dir, overwrite=False):
    """Yield a temporary sibling folder that replaces ``out_dir`` on success.

    On an exception the temporary folder is deleted and ``out_dir`` is left
    untouched, so a failed run never leaves a half-written dataset there.
    """
    out_dir = osp.abspath(out_dir)
    check_output_dir(out_dir, overwrite)
    parent = osp.dirname(out_dir)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f'.{osp.basename(out_dir)}.',
                           suffix='.tmp',
                           dir=parent)
    try:
        yield tmp
        check_output_dir(out_dir, overwrite)
        if osp.lexists(out_dir):
            old = tempfile.mkdtemp(prefix=f'.{osp.basename(out_dir)}.',
                                   suffix='.old',
                                   dir=parent)
            os.replace(out_dir, osp.join(old, 'data'))
            os.replace(tmp, out_dir)
            shutil.rmtree(old)
        else:
            os.replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_json(path, obj):
    """Write ``obj`` as indented JSON (arrays become lists)."""
    with open(path, 'w') as f:
        json.dump(obj, f, indent=2, default=lambda a: np.asarray(a).tolist())
        f.write('\n')


def write_frame(seq_dir, cam, frame, image, mask, jpeg_quality):
    """Write ``<seq>/<cam>/<frame:06d>.jpg`` and the mask PNG.

    Args:
        seq_dir (str): sequence folder.
        cam (str): camera name.
        frame (int): frame index.
        image (np.ndarray): uint8 RGB [H, W, 3].
        mask (np.ndarray): uint8 [H, W] instance ids.
        jpeg_quality (int): 1-100.
    """
    name = f'{frame:06d}'
    for path, data, params in ((osp.join(seq_dir, cam,
                                         name + '.jpg'), image[..., ::-1],
                                [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality]),
                               (osp.join(seq_dir, 'masks', cam, name + '.png'),
                                mask, [cv2.IMWRITE_PNG_COMPRESSION, 3])):
        if not cv2.imwrite(path, np.ascontiguousarray(data), params):
            raise OSError(f'cv2.imwrite failed for {path}')
