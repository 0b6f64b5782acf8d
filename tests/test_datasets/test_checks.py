"""Dataset checks: a sound synthetic dataset, then one broken part at a time."""
import json
import shutil

import cv2
import numpy as np
import pytest

from nsd_toolkit.datasets import MultiViewDataset
from nsd_toolkit.datasets.checks import (ERROR, WARNING, calibration_problems,
                                         check_dataset, check_records,
                                         far_outside)


@pytest.fixture
def root(synthetic_root, tmp_path):
    """A copy of the session's synthetic dataset (2 sequences x 4 frames,
    4 cameras, 1 person, 64x48) that a test may break."""
    return shutil.copytree(synthetic_root, tmp_path / 'data')


def check(root, cache_dir, **kwargs):
    dataset = MultiViewDataset(data_root=str(root), lazy_init=True,
                               cache_dir=str(cache_dir), **kwargs)
    summary, problems = check_dataset(dataset, progress=False)
    return summary, problems.lines()


def errors(lines):
    return [message for level, message in lines if level == ERROR]


def test_sound_dataset(root, tmp_path):
    summary, lines = check(root, tmp_path / 'cache', frame_interval=3)
    assert lines == []
    assert summary == dict(sequences=2, cameras=['cam_00', 'cam_01', 'cam_02',
                                                 'cam_03'],
                           frames=8, items=4, people=1, pose_coverage=1.0,
                           mask_coverage=1.0)
    assert not (tmp_path / 'cache').exists()  # no background computed


def test_missing_frame_of_one_camera(root, tmp_path):
    (root / 'seq_001' / 'cam_02' / '000002.jpg').unlink()
    summary, lines = check(root, tmp_path / 'cache')
    assert summary is None
    [message] = errors(lines)
    assert 'seq_001: cameras have different frame counts' in message
    assert "camera 'cam_02' lacks frame(s) [2]" in message


def test_frames_missing_after_the_scan_and_wrong_sizes(root, tmp_path):
    dataset = MultiViewDataset(data_root=str(root), lazy_init=True)
    records, metainfo = dataset.scan()
    (root / 'seq_000' / 'cam_01' / '000003.jpg').unlink()
    cv2.imwrite(str(root / 'seq_001' / 'cam_03' / '000000.jpg'),
                np.zeros((10, 20, 3), np.uint8))
    _, problems = check_records(records, metainfo['cameras'], progress=False)
    assert errors(problems.lines()) == [
        "sequence 'seq_000': camera 'cam_01': 1 frame file(s) missing, e.g. "
        f"{root / 'seq_000' / 'cam_01' / '000003.jpg'}",
        f"sequence 'seq_001': camera 'cam_03': "
        f"{root / 'seq_001' / 'cam_03' / '000000.jpg'} is 20x10 (W x H), the "
        "calibration's size is 64x48"
    ]


def edit_camera(root, cam, **entries):
    path = root / 'calibration.json'
    calib = json.loads(path.read_text())
    calib['cameras'][cam].update(entries)
    path.write_text(json.dumps(calib))


def test_non_orthonormal_rotation_is_a_format_error(root, tmp_path):
    edit_camera(root, 'cam_01', R=[[2, 0, 0], [0, 1, 0], [0, 0, 1]])
    summary, lines = check(root, tmp_path / 'cache')
    assert summary is None
    [message] = errors(lines)
    assert message.startswith(str(root / 'calibration.json'))
    assert "camera 'cam_01' key 'R' is not a rotation" in message


def test_non_positive_focal_length(root, tmp_path):
    calib = json.loads((root / 'calibration.json').read_text())
    K = calib['cameras']['cam_03']['K']
    K[0][0] = -K[0][0]
    edit_camera(root, 'cam_03', K=K)
    _, lines = check(root, tmp_path / 'cache')
    # one line for both sequences sharing the calibration
    assert errors(lines)[0] == (
        "sequences 'seq_000', 'seq_001': camera 'cam_03' key 'K' has "
        f"non-positive focal lengths (fx, fy) = ({K[0][0]:.4g}, "
        f"{K[1][1]:.4g})")


def test_calibration_problems():
    camera = dict(K=np.diag([100., 100., 1.]), R=np.eye(3), t=np.zeros(3),
                  dist=np.zeros(5), size=np.array([64, 48]))
    assert calibration_problems(camera) == []
    skewed = dict(camera, R=np.array([[1., 0.1, 0.], [0., 1., 0.],
                                      [0., 0., 1.]]))
    assert 'not orthonormal' in calibration_problems(skewed)[0]
    mirrored = dict(camera, R=np.diag([1., 1., -1.]))
    assert calibration_problems(mirrored) == [
        "key 'R' has determinant -1, expected 1"]
    assert calibration_problems(dict(camera, t=np.array([0., np.nan, 0.]))) \
        == ["key 't' holds non-finite values"]


def test_poses_shifted_far_away(root, tmp_path):
    path = root / 'seq_000' / 'poses3d.npy'
    poses = np.load(path)
    poses[2, 0, 5] += 1e5  # one joint of frame 2, 100 m away
    np.save(path, poses)
    _, lines = check(root, tmp_path / 'cache')
    found = errors(lines)
    assert len(found) == 4  # every camera
    assert found[0].startswith("sequence 'seq_000': camera 'cam_00': 1 of 68 "
                               'joints_3d points lie behind the camera or '
                               'project more than 50% of the image size')
    assert 'frame 2 person 0 joint 5' in found[0]


def test_far_outside_with_distortion_folding_back():
    camera = dict(K=np.array([[100., 0., 100.], [0., 100., 50.],
                              [0., 0., 1.]]),
                  R=np.eye(3), t=np.zeros(3), size=np.array([200, 100]),
                  dist=np.array([-0.16, 0., 0., 0., 0.]))
    points = np.array([[0.1, 0.1, 1.],  # inside
                       [2.5, 0., 1.],  # pinhole u = 350; lens folds it to 100
                       [0., 0., -1.]])  # behind the camera
    assert far_outside(points, camera, 0.5).tolist() == [False, True, True]


def test_nan_poses(root, tmp_path):
    np.save(root / 'seq_000' / 'poses3d.npy',
            np.full((4, 1, 17, 3), np.nan, np.float32))
    path = root / 'seq_001' / 'poses3d.npy'
    poses = np.load(path)
    poses = np.concatenate([poses, np.full_like(poses, np.nan)], axis=1)
    poses[1] = np.nan  # frame 1 unlabelled
    np.save(path, poses)
    summary, lines = check(root, tmp_path / 'cache')
    assert lines == [
        (ERROR, "sequence 'seq_000': joints_3d: every value is NaN"),
        (WARNING, "sequence 'seq_001': joints_3d: person slot(s) [1] have no "
         'finite joint in any frame'),
    ]
    assert summary['pose_coverage'] == 3 / 8 and summary['people'] == 2


def test_gap_in_frame_numbers_is_a_warning(root, tmp_path):
    seq = root / 'seq_001'
    for path in seq.glob('**/000002.*'):
        path.unlink()
    np.save(seq / 'poses3d.npy', np.delete(np.load(seq / 'poses3d.npy'), 2,
                                           axis=0))
    summary, lines = check(root, tmp_path / 'cache')
    assert lines == [(WARNING, "sequence 'seq_001': frame numbers advance by "
                      '1 but jump 1 time(s), first from 1 to 3')]
    assert summary['frames'] == 7
