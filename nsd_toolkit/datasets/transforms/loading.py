"""Loading of the frames, backgrounds and masks of the sampled views."""
import functools
import os

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from nsd_toolkit.registry import TRANSFORMS
from nsd_toolkit.utils.geometry import scale_intrinsics
from nsd_toolkit.utils.lru import LRUCache
from ..calibration import DatasetFormatError
from ..video import frame_file, read_video_frame, split_frame_ref


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


#: Decoding scales libjpeg applies in the DCT domain (OpenCV's
#: ``IMREAD_REDUCED_COLOR_*``), output ``ceil(size / scale)``.
DECODE_SCALES = {
    1: cv2.IMREAD_COLOR,
    2: cv2.IMREAD_REDUCED_COLOR_2,
    4: cv2.IMREAD_REDUCED_COLOR_4,
    8: cv2.IMREAD_REDUCED_COLOR_8
}


def read_image_file(path, flags=cv2.IMREAD_COLOR, what='image', scale=1):
    """Decode the image file at ``path`` strictly: raise rather than return
    a partly decoded picture.

    The one function that reads image files (frames, masks, backgrounds).

    Args:
        path (str): an image file.
        flags (int): ``cv2.IMREAD_*`` flags.
        what (str): what the file is, for the messages.
        scale (int): a key of :data:`DECODE_SCALES`: a JPEG is decoded at
            ``ceil(size / scale)`` (much faster than decoding and resizing);
            other formats are decoded at full size (see :func:`read_image`).

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
    if scale != 1 and data.startswith(_JPEG_SOI):
        flags = DECODE_SCALES[scale]
    img = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    if img is None:
        raise DatasetFormatError(f'{path}: unreadable {what}: not an image '
                                 'format OpenCV decodes, or corrupt')
    return img


def read_image(path, scale=1, size=None):
    """RGB uint8 [H, W, 3] of an image file or a video frame reference
    ``'<video>#<index>'`` (:mod:`~nsd_toolkit.datasets.video`).

    The one function that reads frames: datasets, backgrounds and tools use
    it. With ``scale`` > 1 (a key of :data:`DECODE_SCALES`) and the full
    ``size`` (W, H) the image comes at ``ceil(H / scale) x ceil(W / scale)``:
    JPEGs decoded at that size by libjpeg, other files and video frames
    decoded whole and area-averaged. Raises DatasetFormatError naming a
    missing, truncated or unreadable file (:func:`read_image_file`) or frame.
    """
    if scale not in DECODE_SCALES:
        raise ValueError(f'decode scale must be one of {list(DECODE_SCALES)}'
                         f', got {scale!r}')
    ref = split_frame_ref(path)
    img = (read_video_frame(*ref)
           if ref is not None else read_image_file(path, scale=scale))
    if scale != 1 and img.shape[:2] == (int(size[1]), int(size[0])):
        # decoded whole (not a JPEG): shrink; any other size is left for the
        # caller's size check to name
        img = cv2.resize(img, reduced_size(size, scale),
                         interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def reduced_size(size, scale):
    """(W, H) of an image of ``size`` (W, H) decoded at 1 / ``scale``."""
    return tuple(-(-int(side) // scale) for side in size)


def read_mask(path, scale=1, size=None):
    """Instance-id mask [H, W] (uint8 or uint16) of a single-channel PNG,
    read by :func:`read_image_file`; with ``scale`` > 1 and the full
    ``size`` (W, H), shrunk by nearest neighbour as :func:`read_image`
    shrinks the frames (ids are never blended)."""
    mask = read_image_file(path, cv2.IMREAD_UNCHANGED, 'mask')
    if mask.ndim != 2:
        raise DatasetFormatError(
            f'{path}: mask must be single-channel, got shape {mask.shape}')
    if scale != 1 and mask.shape == (int(size[1]), int(size[0])):
        mask = cv2.resize(mask, reduced_size(size, scale),
                          interpolation=cv2.INTER_NEAREST_EXACT)
    return mask


class DecodedImageCache:
    """Decoded images kept in memory up to a byte budget (per process).

    Keyed by the reading function, path, decoding scale, size and the
    version (byte size, modification time) of the file holding the image
    (the video of a frame reference), so a rewritten file is decoded again.
    The least recently used images are dropped first; an image larger than
    the budget is decoded every time. Returned arrays are read-only: every
    caller shares them.

    Args:
        max_bytes (int): the largest total of decoded pixels kept.
    """

    def __init__(self, max_bytes):
        self._images = LRUCache(int(max_bytes))

    def read(self, read, path, scale=1, size=None):
        """``read(path, scale, size)`` (:func:`read_image` or
        :func:`read_mask`), decoded at most once per file version."""
        try:
            stat = os.stat(frame_file(path))
        except OSError:  # missing: ``read`` names the file
            return read(path, scale, size)
        key = (read, path, stat.st_size, stat.st_mtime_ns, scale,
               None if size is None else tuple(int(side) for side in size))
        img = self._images.get(key)
        if img is None:
            img = read(path, scale, size)
            img.flags.writeable = False
            self._images.put(key, img, img.nbytes)
        return img

    def clear(self):
        """Forget every image."""
        self._images.clear()


#: Decoded backgrounds kept per process by :func:`read_background`: 256 MiB,
#: 43 backgrounds of 1920x1080.
BACKGROUNDS = DecodedImageCache(256 * 2**20)


def read_background(path, scale=1, size=None):
    """:func:`read_image` of a camera's median background, cached.

    Every sample of a camera shares one background, and decoding it (a PNG)
    costs ~3 x a JPEG frame of the same size (30 ms against 10 ms at
    1920x1080), so decoded backgrounds are kept in each process
    (:data:`BACKGROUNDS`; a rewritten file is read again). The returned
    array is read-only: it is shared by every caller.
    """
    return BACKGROUNDS.read(read_image, path, scale, size)


@TRANSFORMS.register_module()
class LoadMultiViewImages(BaseTransform):
    """Read every view's frame, background and (when present) mask.

    Required keys: ``img_paths`` (image files or video frame references, see
    :func:`read_image`), ``background_paths``, ``mask_paths`` (list
    or None) and ``image_size`` [V, 2] (W, H of the calibration).

    Added keys: ``img`` and ``background`` uint8 [V, H, W, 3] RGB,
    ``gt_masks`` [V, H, W] (only when ``mask_paths`` is not None),
    ``ori_shape`` (H, W) of the calibration and ``img_shape`` (H, W) as
    read. Cameras of different sizes
    (e.g. Human3.6M's 1000x1000 and 1000x1002) give lists of per-view arrays
    instead, and ``ori_shape``/``img_shape`` lists of (H, W): follow with
    :class:`ResizeMultiView` to bring them to one size.

    Backgrounds are read through :func:`read_background` (decoded once per
    camera and process). Raises DatasetFormatError naming the file when a
    file is unreadable or its size differs from the calibration's ``size``.

    Args:
        decode_scale (int): 1, 2, 4 or 8: every view is read at
            ``ceil(size / decode_scale)`` (JPEG frames decoded at that size
            by libjpeg, several times faster than a full decode; other files
            area-averaged, masks by nearest neighbour) and ``K`` is scaled to
            match (as :class:`ResizeMultiView` does), e.g. 2 for 1920x1080
            frames used at 960x540. Defaults to 1 (full size).
        cache_mb (float): keep up to this many MiB of decoded frames and
            masks in memory (:class:`DecodedImageCache`, per process and
            loader worker), so a frame sampled again is not read and decoded
            again. Worth it where the frames fit, e.g. the built-in 128x96
            scenes (37 KiB a frame); at 1920x1080 (6 MiB a frame) random
            sampling rarely hits. Defaults to 0 (off).
    """

    def __init__(self, decode_scale=1, cache_mb=0):
        if decode_scale not in DECODE_SCALES:
            raise ValueError(
                f'LoadMultiViewImages: decode_scale must be one of '
                f'{list(DECODE_SCALES)}, got {decode_scale!r}')
        if (isinstance(cache_mb, bool) or not isinstance(cache_mb, (int, float))
                or not cache_mb >= 0):
            raise ValueError(
                f'LoadMultiViewImages: cache_mb must be >= 0, got '
                f'{cache_mb!r}')
        self.decode_scale = decode_scale
        self.cache_mb = cache_mb
        self._cache = (DecodedImageCache(cache_mb * 2**20)
                       if cache_mb else None)

    def _reader(self, read):
        """``read`` at this transform's scale, through the cache if any."""
        if self._cache is not None:
            read = functools.partial(self._cache.read, read)
        return functools.partial(read, scale=self.decode_scale)

    def transform(self, results):
        scale, sizes = self.decode_scale, results['image_size']
        reduced = [reduced_size(size, scale) for size in sizes]  # (W, H)
        expected = [(h, w) for w, h in reduced]
        results['img'] = self._stack(self._reader(read_image),
                                     results['img_paths'], sizes, expected)
        results['background'] = self._stack(
            functools.partial(read_background, scale=scale),
            results['background_paths'], sizes, expected)
        if results.get('mask_paths') is not None:
            results['gt_masks'] = self._stack(self._reader(read_mask),
                                              results['mask_paths'], sizes,
                                              expected)
        if scale != 1:
            ratio = (np.asarray(reduced, dtype=float) /
                     np.asarray(sizes, dtype=float))  # [V, 2]
            results['K'] = scale_intrinsics(results['K'], ratio[:, 0],
                                            ratio[:, 1])
        results['img_shape'] = _one_or_all(
            [view.shape[:2] for view in results['img']])
        results['ori_shape'] = _one_or_all([(int(h), int(w))
                                            for w, h in sizes])
        return results

    def __repr__(self):
        return (f'{type(self).__name__}(decode_scale={self.decode_scale}, '
                f'cache_mb={self.cache_mb})')

    @staticmethod
    def _stack(read, paths, sizes, expected):
        arrays = [read(path, size=size) for path, size in zip(paths, sizes)]
        for path, array, shape in zip(paths, arrays, expected):
            if array.shape[:2] != shape:
                raise DatasetFormatError(
                    f'{path}: size (H, W) {array.shape[:2]} differs from the '
                    f'calibration\'s {shape}')
        if len({array.shape for array in arrays}) > 1:
            return arrays
        return np.stack(arrays)


def _one_or_all(shapes):
    """The common (H, W) of the views, or the list when they differ."""
    return shapes[0] if len(set(shapes)) == 1 else shapes
