"""Dataset checks: a sound synthetic dataset, then one broken part at a time."""
import json
import shutil

import cv2
import numpy as np
import pytest

from nsd_toolkit.datasets import DatasetFormatError, MultiViewDataset
from nsd_toolkit.datasets.checks import (ERROR, WARNING, check_dataset,
                                         check_records, examples,
                                         far_outside, person_sizes)


@pytest.fixture
def root(synthetic_root, tmp_path):
    """A copy of the session's synthetic dataset (2 sequences x 4 frames,
    4 cameras, 1 person, 64x48) that a test may break."""
    return shutil.copytree(synthetic_root, tmp_path / 'data')


def check(root, cache_dir, step=1, **kwargs):
    dataset = MultiViewDataset(data_root=str(root), lazy_init=True,
                               cache_dir=str(cache_dir), **kwargs)
    summary, problems = check_dataset(dataset, progress=False, step=step)
    return summary, problems.lines()


def errors(lines):
    return [message for level, message in lines if level == ERROR]


def test_sound_dataset(root, tmp_path):
    summary, lines = check(root, tmp_path / 'cache', frame_interval=3)
    assert lines == []
    assert summary == dict(sequences=2, cameras=['cam_00', 'cam_01', 'cam_02',
                                                 'cam_03'],
                           frames=8, items=4, people=1, pose_coverage=1.0,
                           mask_coverage=1.0, files_read=64, step=1)
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
    missing = root / 'seq_000' / 'cam_01' / '000003.jpg'
    missing.unlink()
    odd = root / 'seq_001' / 'cam_03' / '000002.jpg'  # mid-sequence
    cv2.imwrite(str(odd), np.zeros((10, 20, 3), np.uint8))
    _, problems = check_records(records, metainfo['cameras'], progress=False)
    assert errors(problems.lines()) == [
        "sequence 'seq_000': camera 'cam_01': 1 of 4 frame(s) unreadable: "
        f'{missing}: image file not found',
        "sequence 'seq_001': camera 'cam_03': 1 of 4 frame(s) differ from "
        f"the calibration's size 64x48 (W x H): {odd} is 20x10"
    ]


def truncate(path, fraction):
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * fraction)])


def test_corrupt_empty_and_odd_sized_files_are_named(root, tmp_path):
    cam = root / 'seq_000' / 'cam_01'
    truncate(cam / '000002.jpg', 1 / 3)
    (cam / '000003.jpg').write_bytes(b'')
    mask = root / 'seq_001' / 'masks' / 'cam_02' / '000001.png'
    cv2.imwrite(str(mask), np.zeros((24, 32), np.uint8))
    truncate(root / 'seq_001' / 'masks' / 'cam_00' / '000003.png', 0.5)
    before = sorted((p, p.stat().st_mtime_ns) for p in root.rglob('*'))
    summary, lines = check(root, tmp_path / 'cache')
    assert summary['files_read'] == 64
    assert errors(lines) == [
        "sequence 'seq_000': camera 'cam_01': 2 of 4 frame(s) unreadable: "
        f'{cam / "000002.jpg"}: unreadable image: truncated or corrupt JPEG: '
        'no end-of-image marker (FF D9) at the end of its '
        f'{(cam / "000002.jpg").stat().st_size} bytes; '
        f'{cam / "000003.jpg"}: unreadable image: empty file (0 bytes)',
        "sequence 'seq_001': camera 'cam_00': 1 of 4 mask(s) unreadable: "
        f"{root / 'seq_001' / 'masks' / 'cam_00' / '000003.png'}: unreadable "
        'mask: truncated or corrupt PNG: no IEND chunk at the end of its '
        f"{(root / 'seq_001/masks/cam_00/000003.png').stat().st_size} bytes",
        "sequence 'seq_001': camera 'cam_02': 1 of 4 mask(s) differ from the "
        f"calibration's size 64x48 (W x H): {mask} is 32x24",
    ]
    # nothing written: no cache, the data untouched
    assert not (tmp_path / 'cache').exists()
    assert sorted((p, p.stat().st_mtime_ns) for p in root.rglob('*')) == before


def test_quick_reads_every_kth_frame(root, tmp_path):
    truncate(root / 'seq_000' / 'cam_00' / '000001.jpg', 1 / 3)  # skipped
    truncate(root / 'seq_000' / 'cam_00' / '000002.jpg', 1 / 3)  # read
    summary, lines = check(root, tmp_path / 'cache', step=2)
    # frames 0 and 2 of 2 sequences x 4 cameras, each with its mask
    assert summary['files_read'] == 32 and summary['step'] == 2
    [message] = errors(lines)
    assert message.startswith("sequence 'seq_000': camera 'cam_00': 1 of 2 "
                              'frame(s) unreadable: ')
    assert '000002.jpg' in message and '000001.jpg' not in message


def test_examples_are_counted_beyond_the_limit():
    assert examples(['a', 'b', 'c'], limit=2) == 'a; b and 1 more'
    assert examples(['a', 'b']) == 'a; b'


def edit_camera(root, cam, **entries):
    path = root / 'calibration.json'
    calib = json.loads(path.read_text())
    calib['cameras'][cam].update(entries)
    path.write_text(json.dumps(calib))


def test_calibration_errors_are_those_of_training(root, tmp_path):
    calib = json.loads((root / 'calibration.json').read_text())
    calib['cameras']['cam_01']['R'] = [[2, 0, 0], [0, 1, 0], [0, 0, 1]]
    calib['cameras']['cam_03']['K'][0][0] = 0
    (root / 'calibration.json').write_text(json.dumps(calib))
    summary, lines = check(root, tmp_path / 'cache')
    assert summary is None
    path = root / 'calibration.json'
    assert errors(lines) == [
        f"{path}: cameras['cam_01'].R is not a rotation: R R^T differs from I "
        'by up to 3 (must be orthonormal)',
        f"{path}: cameras['cam_03'].K[0][0] = 0: focal length must be > 0"]
    with pytest.raises(DatasetFormatError) as err:  # what training meets
        MultiViewDataset(data_root=str(root), cache_dir=str(tmp_path))
    assert str(err.value).splitlines() == [line for _, line in lines]


def test_camera_folder_without_calibration(root, tmp_path):
    shutil.copytree(root / 'seq_001' / 'cam_00', root / 'seq_001' / 'cam_09')
    summary, lines = check(root, tmp_path / 'cache')
    assert summary is None
    assert errors(lines) == [
        f"{root / 'calibration.json'}: cameras: camera 'cam_09' "
        f"({root / 'seq_001' / 'cam_09'}) has no calibration"]


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


@pytest.mark.parametrize('factor, hint', [
    (1e-3, 'the values look like metres: convert them to mm (x 1000)'),
    (1e-1, 'the values look like centimetres: convert them to mm (x 10)'),
    (1e3, None)])
def test_poses_in_other_units(root, tmp_path, factor, hint):
    for seq in ('seq_000', 'seq_001'):
        path = root / seq / 'poses3d.npy'
        poses = np.load(path)
        np.save(path, poses * factor)
    _, lines = check(root, tmp_path / 'cache')
    found = [m for m in errors(lines) if 'joints_3d: people measure' in m]
    assert [m.split(':')[0] for m in found] == [
        "sequence 'seq_000'", "sequence 'seq_001'"]
    for message in found:
        assert ('labelled people of the largest distance between two joints; '
                'plausible: 0.5 m to 3 m)') in message
        assert message.endswith(hint) if hint else message.endswith('3 m)')


def test_person_sizes():
    poses = np.full((2, 2, 17, 3), np.nan)
    poses[0, 0] = 0
    poses[0, 0, 10] = [0, 0, 1700]  # head-top 1.7 m above the ankles
    poses[1, 1, :7] = 0  # too few joints to measure
    assert person_sizes(poses).tolist() == [1700.]
    assert person_sizes(poses[1:]).tolist() == []


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
