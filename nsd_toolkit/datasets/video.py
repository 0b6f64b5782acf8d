"""Frame-accurate reading of video cameras (``ROOT/<seq>/<cam>.mp4``).

A frame of a video is named like an image file, by a *frame reference*
``'<video path>#<index:06d>'`` (0-based index in decoding order), so data
infos hold one list of paths whatever the camera's storage; an image file
whose name ends in ``#<digits>`` is not supported.

Reading keeps one ``cv2.VideoCapture`` per video open in a small per-process
LRU cache (:data:`MAX_OPEN_VIDEOS`). A request for the frame after the last
one read, or one at most :data:`FORWARD_WINDOW` frames further, decodes
forward; any other request seeks with ``CAP_PROP_POS_FRAMES``, for which
OpenCV's FFmpeg backend seeks to the keyframe preceding frame ``index - 16``
and decodes forward to the frame (so a seek costs at least 16 decoded
frames, also for intra-only codecs). That is frame-accurate for files with
constant frame rate and increasing timestamps, as written by encoders and
``cv2.VideoWriter``; the tests compare random access against a sequential
decode for an intra-only (FFV1) and an inter-frame (MPEG-4 part 2) codec.
Whole videos are never decoded into memory.

Captures opened before a ``fork`` (DataLoader workers) are left alone in the
child, which opens its own: FFmpeg's decoder threads do not survive a fork.
"""
import collections
import os
import os.path as osp
import re
import tempfile
import threading

import cv2

from .calibration import DatasetFormatError

#: Captures kept open per process.
MAX_OPEN_VIDEOS = 16
#: Largest forward jump decoded frame by frame instead of seeking (a seek
#: decodes at least 16 frames, see the module docstring).
FORWARD_WINDOW = 16

_REF_RE = re.compile(r'^(.+)#(\d+)$')
_cache = collections.OrderedDict()  # path -> _Reader, least recent first
_cache_pid = None
_inherited = []  # captures of the parent process after a fork, never used
_lock = threading.Lock()


def frame_ref(video, index):
    """Reference ``'<video>#<index:06d>'`` of frame ``index`` of ``video``."""
    return f'{video}#{index:06d}'


def split_frame_ref(path):
    """``(video path, frame index)`` of a frame reference, else None."""
    match = _REF_RE.match(path)
    return None if match is None else (match.group(1), int(match.group(2)))


def frame_file(path):
    """The file holding a frame: the video of a reference, else ``path``."""
    ref = split_frame_ref(path)
    return path if ref is None else ref[0]


def write_video(path, frames, fps=25.0, fourcc='FFV1'):
    """Write RGB uint8 frames [H, W, 3] as a video, atomically.

    ``'FFV1'`` (default) is lossless in ``.mp4``, ``.mkv`` and ``.avi`` with
    OpenCV's FFmpeg backend; ``'mp4v'`` is a lossy inter-frame codec.

    Returns:
        int: the number of frames written.
    """
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix='.video.',
                               suffix=osp.splitext(path)[1])
    os.close(fd)
    writer, count = None, 0
    try:
        for frame in frames:
            if writer is None:
                size = (frame.shape[1], frame.shape[0])
                writer = cv2.VideoWriter(tmp, cv2.CAP_FFMPEG,
                                         cv2.VideoWriter_fourcc(*fourcc), fps,
                                         size)
                if not writer.isOpened():
                    raise OSError(f'{path}: cannot write {fourcc!r} video')
            writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
            count += 1
        if writer is None:
            raise ValueError(f'{path}: no frames to write')
        writer.release()
        os.replace(tmp, path)
    except BaseException:
        if writer is not None:
            writer.release()
        os.remove(tmp)
        raise
    return count


def _open(path):
    capture = cv2.VideoCapture(path, cv2.CAP_FFMPEG)
    if not capture.isOpened():
        raise DatasetFormatError(f'{path}: missing or unreadable video')
    return capture


def count_video_frames(path):
    """Number of decodable frames of the video at ``path``.

    ``CAP_PROP_FRAME_COUNT`` is an estimate (duration x frame rate) for some
    containers, so it is verified: frame ``n - 1`` must decode (frames
    decoding after it are added); otherwise the frames are counted by
    decoding from the start.

    Raises:
        DatasetFormatError: when the file cannot be opened.
    """
    capture = _open(path)
    try:
        count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        if (count > 0 and capture.set(cv2.CAP_PROP_POS_FRAMES, count - 1)
                and capture.grab()
                and capture.get(cv2.CAP_PROP_POS_FRAMES) == count):
            while capture.grab():
                count += 1
            return count
        capture.release()
        capture = _open(path)
        count = 0
        while capture.grab():
            count += 1
        return count
    finally:
        capture.release()


class _Reader:
    """An open video and the index of the frame it decodes next."""

    def __init__(self, path):
        self.path = path
        self.capture = _open(path)
        self.next_index = 0

    def read(self, index):
        skip = index - self.next_index
        if not 0 <= skip <= FORWARD_WINDOW:
            self.capture.set(cv2.CAP_PROP_POS_FRAMES, index)
            skip = 0
        ok = all(self.capture.grab() for _ in range(skip))
        ok, frame = self.capture.read() if ok else (False, None)
        if not ok:
            raise DatasetFormatError(
                f'{self.path}: cannot decode frame {index}')
        self.next_index = index + 1
        return frame


def _own_cache():
    """The reader cache of this process (after a fork, an empty one)."""
    global _cache_pid
    if _cache_pid != os.getpid():
        _inherited.extend(reader.capture for reader in _cache.values())
        _cache.clear()
        _cache_pid = os.getpid()
    return _cache


def read_video_frame(path, index):
    """Frame ``index`` of the video at ``path`` as BGR uint8 [H, W, 3].

    Raises:
        DatasetFormatError: naming the video when it cannot be opened or the
        frame cannot be decoded (e.g. ``index`` past the end).
    """
    with _lock:
        cache = _own_cache()
        reader = cache.pop(path, None) or _Reader(path)
        try:
            frame = reader.read(index)
        except DatasetFormatError:  # e.g. past the end: reopen next time
            reader.capture.release()
            raise
        cache[path] = reader
        while len(cache) > MAX_OPEN_VIDEOS:
            cache.popitem(last=False)[1].capture.release()
        return frame


def close_videos():
    """Release the captures this process keeps open."""
    with _lock:
        cache = _own_cache()
        for reader in cache.values():
            reader.capture.release()
        cache.clear()
