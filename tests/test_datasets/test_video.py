"""Video cameras: frame references, frame-accurate reading, datasets."""
import shutil

import cv2
import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from multiview_fixtures import write_multiview_root

from nsd_toolkit.datasets import DatasetFormatError, MultiViewDataset, video
from nsd_toolkit.datasets.transforms import read_image

PIPELINE = [
    dict(type='SampleViews', mode='all'),
    dict(type='LoadMultiViewImages'),
    dict(type='PackMultiViewInputs'),
]


def moving_frames(num_frames, width=64, height=48):
    """RGB frames with texture and motion, so inter-frame codecs predict."""
    rng = np.random.default_rng(1)
    base = rng.integers(0, 256, (height, width + num_frames, 3), np.uint8)
    return [np.ascontiguousarray(base[:, f:f + width]) for f in
            range(num_frames)]


def decode_all(path):
    capture = cv2.VideoCapture(str(path))
    frames = []
    ok, frame = capture.read()
    while ok:
        frames.append(frame)
        ok, frame = capture.read()
    capture.release()
    return frames


def camera_to_video(cam_dir, fourcc='FFV1'):
    """Replace the frame folder ``cam_dir`` with ``<cam_dir>.mp4``."""
    frames = [read_image(str(p)) for p in sorted(cam_dir.iterdir())]
    video.write_video(f'{cam_dir}.mp4', frames, fourcc=fourcc)
    shutil.rmtree(cam_dir)


def test_frame_references():
    ref = video.frame_ref('/data/s#1/cam.mp4', 12)
    assert ref == '/data/s#1/cam.mp4#000012'
    assert video.split_frame_ref(ref) == ('/data/s#1/cam.mp4', 12)
    assert video.frame_file(ref) == '/data/s#1/cam.mp4'
    assert video.split_frame_ref('/data/cam/000012.jpg') is None
    assert video.frame_file('/data/cam/000012.jpg') == '/data/cam/000012.jpg'


@pytest.mark.parametrize('fourcc', ['FFV1', 'mp4v'])
def test_random_access_matches_sequential_decode(tmp_path, fourcc):
    path = str(tmp_path / 'cam.mp4')
    frames = moving_frames(40)
    assert video.write_video(path, frames, fourcc=fourcc) == 40
    sequential = decode_all(path)
    assert len(sequential) == video.count_video_frames(path) == 40
    if fourcc == 'FFV1':  # lossless
        for decoded, frame in zip(sequential, frames):
            np.testing.assert_array_equal(decoded[..., ::-1], frame)
    # backward seeks, forward skips inside and beyond the window, repeats
    order = [5, 6, 39, 0, 3, 3, 30, 12, 13, 21, 38, 1, 25, 24, 7]
    order += np.random.default_rng(0).permutation(40).tolist()
    video.close_videos()
    for index in order:
        np.testing.assert_array_equal(
            video.read_video_frame(path, index), sequential[index],
            err_msg=f'{fourcc} frame {index}')
    video.close_videos()


def test_read_errors_name_the_video(tmp_path):
    path = str(tmp_path / 'cam.mp4')
    video.write_video(path, moving_frames(3))
    with pytest.raises(DatasetFormatError, match='cam.mp4: cannot decode '
                       'frame 3'):
        read_image(video.frame_ref(path, 3))
    # the reader recovers after a failed read
    assert read_image(video.frame_ref(path, 1)).shape == (48, 64, 3)
    broken = tmp_path / 'broken.mp4'
    broken.write_bytes(b'not a video')
    with pytest.raises(DatasetFormatError, match='broken.mp4: missing or '
                       'unreadable video'):
        read_image(video.frame_ref(str(broken), 0))
    video.close_videos()


class WrongFrameCount:
    """A capture whose container reports ``count`` frames."""

    def __init__(self, capture, count):
        self.capture, self.count = capture, count

    def get(self, prop):
        if prop == cv2.CAP_PROP_FRAME_COUNT:
            return float(self.count)
        return self.capture.get(prop)

    def __getattr__(self, name):
        return getattr(self.capture, name)


@pytest.mark.parametrize('reported', [0, 4, 9, 10, 11, 25])
def test_count_frames_verifies_the_container(tmp_path, monkeypatch,
                                             reported):
    path = str(tmp_path / 'cam.mp4')
    video.write_video(path, moving_frames(10))
    opened = video._open
    monkeypatch.setattr(video, '_open',
                        lambda p: WrongFrameCount(opened(p), reported))
    assert video.count_video_frames(path) == 10


def build(root, cache_dir, **kwargs):
    init_default_scope('nsd_toolkit')
    return MultiViewDataset(data_root=str(root), pipeline=PIPELINE,
                            cache_dir=str(cache_dir), background_frames=3,
                            **kwargs)


def test_video_cameras_give_the_samples_of_frame_folders(
        synthetic_root, tmp_path):
    root = tmp_path / 'data'
    shutil.copytree(synthetic_root, root)
    for cam_dir in sorted((root / 'seq_000').glob('cam_*')):
        camera_to_video(cam_dir)  # every camera of seq_000
    camera_to_video(root / 'seq_001' / 'cam_01')  # one camera of seq_001

    frames = build(synthetic_root, tmp_path / 'cache_frames')
    videos = build(root, tmp_path / 'cache_videos')
    assert len(videos) == len(frames) == 8
    info = videos.get_data_info(5)
    assert info['img_paths'][1] == video.frame_ref(
        str(root / 'seq_001' / 'cam_01.mp4'), 1)
    assert info['img_paths'][0].endswith('cam_00/000001.jpg')
    for index in range(len(frames)):
        expected, actual = frames[index], videos[index]
        for key in ('img', 'background', 'K', 'R', 't'):
            torch.testing.assert_close(actual['inputs'][key],
                                       expected['inputs'][key], rtol=0, atol=0)
        for key in ('gt_masks', 'gt_joints_3d', 'gt_depths'):
            torch.testing.assert_close(actual['data_samples'].get(key),
                                       expected['data_samples'].get(key),
                                       rtol=0, atol=0, equal_nan=True)
        assert (actual['data_samples'].metainfo ==
                expected['data_samples'].metainfo)
    video.close_videos()


def test_unsynchronised_video_is_refused(tmp_path, cache_dir):
    root = write_multiview_root(tmp_path / 'data', sequences={'seq0': 5})
    frames = [read_image(str(p))
              for p in sorted((root / 'seq0' / 'cam1').iterdir())][:4]
    shutil.rmtree(root / 'seq0' / 'cam1')
    video.write_video(str(root / 'seq0' / 'cam1.mp4'), frames)
    with pytest.raises(DatasetFormatError,
                       match=r"seq0: cameras have different frame counts .*"
                       r"camera 'cam1' lacks frame\(s\) \[4\]"):
        MultiViewDataset(data_root=str(root))


def test_unreadable_video_camera(tmp_path, cache_dir):
    root = write_multiview_root(tmp_path / 'data', sequences={'seq0': 3})
    shutil.rmtree(root / 'seq0' / 'cam2')
    (root / 'seq0' / 'cam2.mp4').write_bytes(b'')
    with pytest.raises(DatasetFormatError,
                       match='seq0/cam2.mp4: missing or unreadable video'):
        MultiViewDataset(data_root=str(root))
