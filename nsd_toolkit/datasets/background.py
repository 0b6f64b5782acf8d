"""Median background per (sequence, camera), cached outside the dataset.

The background of a camera is the per-pixel median of ``num_samples`` frames
evenly spaced through the sequence (upper median for even counts, so values
stay exact uint8). It is stored as a PNG under ``<cache_dir>/backgrounds``;
the file name holds a hash of the absolute data root, sequence, camera, frame
count, ``num_samples`` and the names, sizes and mtimes of the sampled frames
(of the video for video frame references ``'<video>#<index>'``), so edited
or replaced frames never reuse a stale background. Frames are read with
:func:`~.transforms.loading.read_image`, from image files or videos alike,
which refuses truncated or corrupt files, so a bad frame never enters a
background; nothing is written when a frame fails.
"""
import collections
import hashlib
import json
import os
import os.path as osp
import re

import cv2
import numpy as np
from mmengine.dist import barrier, is_main_process
from tqdm import tqdm

from nsd_toolkit.utils.checkpoint import save_atomic
from .calibration import DatasetFormatError
from .transforms.loading import read_image
from .video import close_videos, frame_file


def default_cache_dir():
    """``$NSD_CACHE_DIR``, else ``~/.cache/nsd_toolkit``."""
    return os.environ.get('NSD_CACHE_DIR') or osp.join(
        osp.expanduser('~'), '.cache', 'nsd_toolkit')


def sample_evenly(paths, num_samples):
    """At most ``num_samples`` paths, evenly spread from first to last."""
    indices = np.linspace(0, len(paths) - 1, min(num_samples, len(paths)))
    return [paths[i] for i in np.unique(np.round(indices).astype(int))]


def odd_sizes(paths, shapes, limit=5):
    """Text naming the paths whose shape differs from the most common one
    (the first of equally common ones), or None when all are equal."""
    counts = collections.Counter(shapes)
    if len(counts) == 1:
        return None
    (common, count), = counts.most_common(1)
    odd = [f'{path} is {shape[1]}x{shape[0]}'
           for path, shape in zip(paths, shapes) if shape != common]
    more = f' and {len(odd) - limit} more' * (len(odd) > limit)
    return (f"{'; '.join(odd[:limit])}{more} (W x H), while {count} of the "
            f'{len(paths)} frames are {common[1]}x{common[0]}')


def median_image(paths, desc=None, progress=True):
    """Per-pixel upper median uint8 [H, W, 3] (RGB) of images at ``paths``.

    Raises:
        DatasetFormatError: naming an unreadable or truncated frame
            (:func:`~.transforms.loading.read_image`), or the frames whose
            size differs from the others'.
    """
    frames = [
        read_image(path) for path in tqdm(
            paths, desc=desc, unit='frame', disable=not progress)
    ]
    odd = odd_sizes(paths, [frame.shape for frame in frames])
    if odd:
        raise DatasetFormatError(
            f'frames of different sizes cannot share a background: {odd}')
    stack = np.stack(frames)
    middle = len(frames) // 2
    return np.partition(stack, middle, axis=0)[middle]


def atomic_imwrite(path, img):
    """Write an RGB image (format by the extension) so that ``path`` is
    either absent or complete; concurrent writers of one path do not clash
    (:func:`~nsd_toolkit.utils.checkpoint.save_atomic`)."""
    ok, encoded = cv2.imencode(osp.splitext(path)[1],
                               cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
    if not ok:
        raise OSError(f'{path}: could not encode image')
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    save_atomic(path, encoded.tobytes())


def background_path(cache_dir, data_root, seq, cam, frame_paths, num_samples):
    """Cache file of the background of one (sequence, camera)."""
    sampled = sample_evenly(frame_paths, num_samples)
    stats = [(osp.basename(p), os.stat(frame_file(p)).st_size,
              os.stat(frame_file(p)).st_mtime_ns) for p in sampled]
    key = json.dumps([
        osp.abspath(data_root), seq, cam,
        len(frame_paths), num_samples, stats
    ])
    digest = hashlib.sha1(key.encode()).hexdigest()[:16]
    name = re.sub(r'[^\w.-]', '_', f'{seq}-{cam}')
    return osp.join(cache_dir, 'backgrounds', f'{name}-{digest}.png')


def ensure_background(cache_dir, data_root, seq, cam, frame_paths,
                      num_samples):
    """Path of the cached background, computed and written first if missing."""
    path = background_path(cache_dir, data_root, seq, cam, frame_paths,
                           num_samples)
    if not osp.isfile(path):
        median = median_image(
            sample_evenly(frame_paths, num_samples),
            desc=f'background {seq}/{cam}')
        atomic_imwrite(path, median)
    return path


def prepare_backgrounds(jobs, cache_dir, data_root, num_samples):
    """Backgrounds of many (sequence, camera) pairs, rank 0 first.

    Args:
        jobs (dict): ``(seq, cam) -> list of frame paths``.

    Returns:
        dict: ``(seq, cam) -> background path``.

    Videos opened for the medians are closed again, so DataLoader workers
    forked afterwards start without open captures.

    In distributed runs rank 0 fills the cache while the other ranks wait at a
    barrier, then they find the files (cache hits). Writes are atomic and
    idempotent, so ranks on other nodes without a shared cache stay safe.
    """
    if not is_main_process():
        barrier()
    try:
        paths = {(seq, cam): ensure_background(cache_dir, data_root, seq,
                                               cam, frames, num_samples)
                 for (seq, cam), frames in jobs.items()}
    finally:
        close_videos()
    if is_main_process():
        barrier()
    return paths
