"""Loading of the frames, backgrounds and masks of the sampled views."""
import functools
import os

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from nsd_toolkit.registry import TRANSFORMS
from ..calibration import DatasetFormatError
from ..video import read_video_frame, split_frame_ref


_JPEG_SOI, _JPEG_EOI = b'\xff\xd8', b'\xff\xd9'
_PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'
_PNG_IEND = b'IEND\xaeB`\x82'  # type and CRC of the last chunk


def integrity_problem(data):
    """Why the bytes of an image file are not a complete image, or None.

    Checks what decoders let pass with a warning: an empty file, a JPEG
    without its end-of-image marker (trailing zero padding allowed), a PNG
    without its final IEND chunk. Other formats are left to the decoder.
    """
    if not data:
        return 'empty file (0 bytes)'
    if data.startswith(_JPEG_SOI):
        if not data.rstrip(b'\x00').endswith(_JPEG_EOI):
            return ('truncated or corrupt JPEG: no end-of-image marker '
                    f'(FF D9) at the end of its {len(data)} bytes')
    elif data.startswith(_PNG_SIGNATURE):
        if _PNG_IEND not in data[-64:]:
            return ('truncated or corrupt PNG: no IEND chunk at the end of '
                    f'its {len(data)} bytes')
    return None


def read_image_file(path, flags=cv2.IMREAD_COLOR, what='image'):
    """Decode the image file at ``path`` strictly: raise rather than return
    a partly decoded picture.

    The one function that reads image files (frames, masks, backgrounds).

    Args:
        path (str): an image file.
        flags (int): ``cv2.IMREAD_*`` flags.
        what (str): what the file is, for the messages.

    Returns:
        np.ndarray: as ``cv2.imdecode`` (BGR [H, W, 3] for the default flags).

    Raises:
        DatasetFormatError: naming the file when it is missing, empty,
        truncated (:func:`integrity_problem`) or not decodable.
    """
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except FileNotFoundError:
        raise DatasetFormatError(f'{path}: {what} file not found')
    except OSError as err:
        raise DatasetFormatError(f'{path}: unreadable {what}: {err}')
    problem = integrity_problem(data)
    if problem:
        raise DatasetFormatError(f'{path}: unreadable {what}: {problem}')
    img = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    if img is None:
        raise DatasetFormatError(f'{path}: unreadable {what}: not an image '
                                 'format OpenCV decodes, or corrupt')
    return img


def read_image(path):
    """RGB uint8 [H, W, 3] of an image file or a video frame reference
    ``'<video>#<index>'`` (:mod:`~nsd_toolkit.datasets.video`).

    The one function that reads frames: datasets, backgrounds and tools use
    it. Raises DatasetFormatError naming a missing, truncated or unreadable
    file (:func:`read_image_file`) or frame.
    """
    ref = split_frame_ref(path)
    img = read_video_frame(*ref) if ref is not None else read_image_file(path)
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def read_mask(path):
    """Instance-id mask [H, W] (uint8 or uint16) of a single-channel PNG,
    read by :func:`read_image_file`."""
    mask = read_image_file(path, cv2.IMREAD_UNCHANGED, 'mask')
    if mask.ndim != 2:
        raise DatasetFormatError(
            f'{path}: mask must be single-channel, got shape {mask.shape}')
    return mask


#: Decoded backgrounds kept per process by :func:`read_background`.
BACKGROUND_CACHE_SIZE = 32


def read_background(path):
    """:func:`read_image` of a camera's median background, cached.

    Every sample of a camera shares one background, and decoding it (a PNG)
    costs ~3 x a JPEG frame of the same size (30 ms against 10 ms at
    1920x1080), so the last :data:`BACKGROUND_CACHE_SIZE` decoded
    backgrounds are kept in each process, keyed by path, size and
    modification time (a rewritten file is read again). The returned array
    is read-only: it is shared by every caller.
    """
    try:
        stat = os.stat(path)
        version = (stat.st_size, stat.st_mtime_ns)
    except OSError:  # a video frame reference, or missing: read_image says
        version = None
    return _read_background_cached((path, version))


@functools.lru_cache(maxsize=BACKGROUND_CACHE_SIZE)
def _read_background_cached(key):
    img = read_image(key[0])
    img.flags.writeable = False
    return img


@TRANSFORMS.register_module()
class LoadMultiViewImages(BaseTransform):
    """Read every view's frame, background and (when present) mask.

    Required keys: ``img_paths`` (image files or video frame references, see
    :func:`read_image`), ``background_paths``, ``mask_paths`` (list
    or None) and ``image_size`` [V, 2] (W, H of the calibration).

    Added keys: ``img`` and ``background`` uint8 [V, H, W, 3] RGB,
    ``gt_masks`` [V, H, W] (only when ``mask_paths`` is not None),
    ``ori_shape`` and ``img_shape`` (H, W). Cameras of different sizes
    (e.g. Human3.6M's 1000x1000 and 1000x1002) give lists of per-view arrays
    instead, and ``ori_shape``/``img_shape`` lists of (H, W): follow with
    :class:`ResizeMultiView` to bring them to one size.

    Backgrounds are read through :func:`read_background` (decoded once per
    camera and process). Raises DatasetFormatError naming the file when a
    file is unreadable or its size differs from the calibration's ``size``.
    """

    def transform(self, results):
        expected = [(int(h), int(w)) for w, h in results['image_size']]
        results['img'] = self._stack(read_image, results['img_paths'],
                                     expected)
        results['background'] = self._stack(
            read_background, results['background_paths'], expected)
        if results.get('mask_paths') is not None:
            results['gt_masks'] = self._stack(read_mask, results['mask_paths'],
                                              expected)
        shapes = [view.shape[:2] for view in results['img']]
        results['ori_shape'] = results['img_shape'] = (
            shapes[0] if len(set(shapes)) == 1 else shapes)
        return results

    @staticmethod
    def _stack(read, paths, expected):
        arrays = [read(path) for path in paths]
        for path, array, shape in zip(paths, arrays, expected):
            if array.shape[:2] != shape:
                raise DatasetFormatError(
                    f'{path}: size (H, W) {array.shape[:2]} differs from the '
                    f'calibration\'s {shape}')
        if len({array.shape for array in arrays}) > 1:
            return arrays
        return np.stack(arrays)
