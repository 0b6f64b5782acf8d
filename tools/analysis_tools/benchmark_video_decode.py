"""Frames per second of reading video cameras, in order and at random.

    python tools/analysis_tools/benchmark_video_decode.py
        [--sizes 1920x1080 512x288] [--codecs mp4v FFV1] [--num-frames N]
        [--num-reads N] [--seed S]

Writes a test video per codec and size into a temporary folder (a textured
image drifting across the frame, ``--num-frames`` long), then reads it through
the toolkit's frame reader (``nsd_toolkit.datasets.video``) twice: every frame
in order (what the background estimation and sequential evaluation do) and
``--num-reads`` frames at random indices (what a shuffled training sampler
does; each read seeks to the preceding keyframe and decodes forward). Prints a
markdown table. ``mp4v`` (MPEG-4 part 2, 12-frame groups of pictures) stands
for the usual inter-frame codecs, ``FFV1`` for lossless intra-only video.
"""
import argparse
import os.path as osp
import tempfile
import time

import cv2
import numpy as np

from nsd_toolkit.datasets import video


def parse_size(text):
    try:
        width, height = (int(s) for s in text.lower().split('x'))
    except ValueError:
        raise argparse.ArgumentTypeError(f'expected WxH, got {text!r}')
    if min(width, height) < 16:
        raise argparse.ArgumentTypeError(f'size {text!r}: sides must be >= 16')
    return width, height


def drifting_frames(num_frames, width, height, seed):
    """RGB frames of a smooth random texture moving 2 px per frame."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (height // 16 + 1, width // 16 + 3, 3),
                         np.uint8)
    texture = cv2.resize(small, (16 * small.shape[1], 16 * small.shape[0]),
                         interpolation=cv2.INTER_CUBIC)
    for f in range(num_frames):
        shift = (2 * f) % (texture.shape[1] - width)
        yield np.ascontiguousarray(texture[:height, shift:shift + width])


def frames_per_second(path, indices):
    video.close_videos()
    start = time.perf_counter()
    for index in indices:
        video.read_video_frame(path, index)
    elapsed = time.perf_counter() - start
    video.close_videos()
    return len(indices) / elapsed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sizes', type=parse_size, nargs='+',
                        default=[(1920, 1080), (512, 288)], metavar='WxH')
    parser.add_argument('--codecs', nargs='+', default=['mp4v', 'FFV1'],
                        help='fourcc codes (default mp4v FFV1)')
    parser.add_argument('--num-frames', type=int, default=250,
                        help='frames of each test video (default 250)')
    parser.add_argument('--num-reads', type=int, default=100,
                        help='random-access reads (default 100)')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    if min(args.num_frames, args.num_reads) < 1:
        parser.error('--num-frames and --num-reads must be >= 1')
    if any(len(codec) != 4 for codec in args.codecs):
        parser.error(f'--codecs: fourcc codes have 4 characters, got '
                     f'{args.codecs}')
    rng = np.random.default_rng(args.seed)
    print('| codec | size | MiB | sequential frames/s | random frames/s |')
    print('|---|---|---|---|---|')
    with tempfile.TemporaryDirectory() as tmp:
        for codec in args.codecs:
            for width, height in args.sizes:
                path = osp.join(tmp, f'{codec}_{width}x{height}.mp4')
                try:
                    video.write_video(
                        path,
                        drifting_frames(args.num_frames, width, height,
                                        args.seed),
                        fourcc=codec)
                except OSError as err:
                    parser.error(f'--codecs: {err}')
                sequential = frames_per_second(path, range(args.num_frames))
                random = frames_per_second(
                    path, rng.integers(0, args.num_frames, args.num_reads))
                print(f'| {codec} | {width}x{height} | '
                      f'{osp.getsize(path) / 2**20:.1f} | {sequential:.1f} | '
                      f'{random:.1f} |')


if __name__ == '__main__':
    main()
