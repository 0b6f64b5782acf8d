"""validate_calibration: values, scale and camera folders, one check for
dataset loading (training) and tools/misc/check_dataset.py."""
import json
import pickle
import shutil

import cv2
import numpy as np
import pytest
from multiview_fixtures import camera, write_multiview_root
from real_fixtures import campus_shelf_tree

from nsd_toolkit.datasets import (CampusDataset, DatasetFormatError,
                                  MultiViewDataset)
from nsd_toolkit.datasets.calibration import (camera_problems, parse_camera,
                                              scene_centre,
                                              validate_calibration)
from nsd_toolkit.datasets.campus_shelf_dataset import campus_shelf_calibration
from nsd_toolkit.datasets.h36m_dataset import h36m_camera
from nsd_toolkit.datasets.panoptic_dataset import panoptic_calibration


def sound_camera():
    """A 64 x 48 camera 3 m from the origin, looking at it."""
    return parse_camera('calib.json', 'cam', camera(0))


def with_entry(key, index, value):
    cam = sound_camera()
    cam[key][index] = value
    return cam


@pytest.mark.parametrize('cam, message', [
    (with_entry('K', (0, 0), 0.),
     "cameras['c'].K[0][0] = 0: focal length must be > 0"),
    (with_entry('K', (1, 1), -30.),
     "cameras['c'].K[1][1] = -30: focal length must be > 0"),
    (with_entry('K', (0, 2), 40.),
     "cameras['c'].K[0][2] = 40: the principal point must lie inside the "
     'image, 0 to W = 32'),
    (with_entry('K', (1, 2), -1.),
     "cameras['c'].K[1][2] = -1: the principal point must lie inside the "
     'image, 0 to H = 24'),
    (with_entry('K', (2, 2), 2.), "cameras['c'].K[2] = [0.0, 0.0, 2.0]: must "
     'be [0, 0, 1]'),
    (with_entry('R', (0, 1), 0.1),
     "cameras['c'].R is not a rotation: R R^T differs from I by up to 0.1 "
     '(must be orthonormal)'),
    (dict(sound_camera(), R=np.diag([1., 1., -1.])),
     "cameras['c'].R is not a rotation: det(R) = -1, must be +1 (a mirror "
     'or a left-handed frame)'),
    (dict(sound_camera(), size=np.array([0, 24])),
     "cameras['c'].size = [0, 24]: must be positive integers [W, H]"),
])
def test_camera_problems(cam, message):
    assert camera_problems('c', sound_camera()) == []
    assert camera_problems('c', cam) == [message]


def rig(t_scale=1., **cameras):
    """Three ring cameras (multiview fixture) with ``t`` scaled."""
    rig = {f'cam{i}': parse_camera('calib.json', f'cam{i}', camera(i))
           for i in range(3)}
    rig.update(cameras)
    for cam in rig.values():
        cam['t'] = cam['t'] * t_scale
    return rig


def test_scene_centre():
    centres, axes = np.eye(3) * 3000., -np.eye(3)  # looking at the origin
    np.testing.assert_allclose(scene_centre(centres + 7., axes), [7.] * 3,
                               atol=1e-9)
    # parallel axes meet nowhere: the world origin stands in
    assert scene_centre(centres, np.tile([0., 0., 1.], (3, 1))).tolist() \
        == [0., 0., 0.]


@pytest.mark.parametrize('t_scale, message', [
    (1e-3, 'cameras: the cameras lie 3 to 3 mm from the scene centre '
     '(plausible: 0.5 m to 100 m); the values look like metres: convert '
     'them to mm (x 1000)'),
    (1e-1, 'cameras: the cameras lie 300 to 300 mm from the scene centre '
     '(plausible: 0.5 m to 100 m); the values look like centimetres: '
     'convert them to mm (x 10)'),
    (1e2, 'cameras: the cameras lie 3e+05 to 3e+05 mm from the scene '
     'centre (plausible: 0.5 m to 100 m)'),
])
def test_implausible_scale(t_scale, message):
    assert validate_calibration('calib.json', rig()) is not None
    with pytest.raises(DatasetFormatError) as err:
        validate_calibration('calib.json', rig(t_scale))
    assert str(err.value) == f'calib.json: {message}'


def test_one_camera_far_away():
    far = parse_camera('c.json', 'far', dict(camera(1), t=[0., 0., 2e5]))
    with pytest.raises(DatasetFormatError) as err:
        validate_calibration('calib.json', rig(far=far))
    assert str(err.value) == (
        "calib.json: cameras['far'].t: the camera lies 2e+05 mm from the "
        'scene centre (plausible: 0.5 m to 100 m)')


def test_units_other_than_mm():
    with pytest.raises(DatasetFormatError, match="calib.json: units = 'm': "
                       'the toolkit works in mm; convert t'):
        validate_calibration('calib.json', rig(1e-3), units='m')
    validate_calibration('calib.json', rig(), units=None)  # absent: mm


def test_every_problem_listed_one_per_line():
    cams = rig(cam1=with_entry('K', (0, 0), 0.),
               cam2=with_entry('R', (0, 1), 0.1))
    with pytest.raises(DatasetFormatError) as err:
        validate_calibration('calib.json', cams,
                             folders=('seq', {c: f'seq/{c}' for c in (
                                 'cam0', 'cam1', 'cam2', 'x')}))
    assert str(err.value).splitlines() == [
        "calib.json: cameras['cam1'].K[0][0] = 0: focal length must be > 0",
        "calib.json: cameras['cam2'].R is not a rotation: R R^T differs from "
        'I by up to 0.1 (must be orthonormal)',
        "calib.json: cameras: camera 'x' (seq/x) has no calibration"]


def edit_camera(root, cam, key, index, value):
    path = root / 'calibration.json'
    calib = json.loads(path.read_text())
    np_value = np.array(calib['cameras'][cam][key])
    np_value[index] = value
    calib['cameras'][cam][key] = np_value.tolist()
    path.write_text(json.dumps(calib))


def test_training_refuses_zero_focal_length(multiview_root, cache_dir):
    edit_camera(multiview_root, 'cam2', 'K', (0, 0), 0)
    with pytest.raises(DatasetFormatError) as err:
        MultiViewDataset(data_root=str(multiview_root))
    assert str(err.value) == (
        f"{multiview_root / 'calibration.json'}: cameras['cam2'].K[0][0] = 0: "
        'focal length must be > 0')
    assert not cache_dir.exists()  # no background computed


def test_training_refuses_calibration_in_metres(multiview_root, cache_dir):
    for cam in ('cam0', 'cam1', 'cam2'):
        edit_camera(multiview_root, cam, 't', 2, 3.)  # 3000 mm written as m
    with pytest.raises(DatasetFormatError, match='calibration.json: cameras: '
                       'the cameras lie 3 to 3 mm .* look like metres'):
        MultiViewDataset(data_root=str(multiview_root))


def test_camera_folder_without_calibration(multiview_root, cache_dir):
    shutil.copytree(multiview_root / 'seq1' / 'cam0',
                    multiview_root / 'seq1' / 'cam3')
    with pytest.raises(DatasetFormatError) as err:
        MultiViewDataset(data_root=str(multiview_root))
    assert str(err.value) == (
        f"{multiview_root / 'calibration.json'}: cameras: camera 'cam3' "
        f"({multiview_root / 'seq1' / 'cam3'}) has no calibration")


def test_video_without_calibration(multiview_root, cache_dir):
    (multiview_root / 'seq0' / 'cam7.mp4').write_bytes(b'')
    with pytest.raises(DatasetFormatError,
                       match=r"camera 'cam7' \(.*seq0/cam7.mp4\) has no"):
        MultiViewDataset(data_root=str(multiview_root))


def test_calibrated_camera_without_folder(multiview_root, cache_dir):
    shutil.rmtree(multiview_root / 'seq1' / 'cam2')
    with pytest.raises(DatasetFormatError) as err:  # even when not selected
        MultiViewDataset(data_root=str(multiview_root),
                         cameras=['cam0', 'cam1'])
    assert str(err.value) == (
        f"{multiview_root / 'calibration.json'}: cameras['cam2']: calibrated "
        f"camera without a folder in {multiview_root / 'seq1'}")


def test_masks_and_hidden_folders_are_no_cameras(tmp_path, cache_dir):
    root = write_multiview_root(tmp_path / 'data')
    (root / 'seq0' / '.thumbnails').mkdir()
    assert len(MultiViewDataset(data_root=str(root), lazy_init=True)
               .scan()[0]) == 2


def test_per_sequence_override_is_validated(multiview_root, cache_dir):
    override = multiview_root / 'seq1' / 'calibration.json'
    entry = dict(camera(1), K=[[30., 0., 15.5], [0., 0., 11.5], [0, 0, 1]])
    override.write_text(json.dumps(dict(cameras=dict(cam1=entry))))
    with pytest.raises(DatasetFormatError) as err:
        MultiViewDataset(data_root=str(multiview_root))
    assert str(err.value) == (
        f"{override}: cameras['cam1'].K[1][1] = 0: focal length must be > 0")


# real calibrations pass (NSD_REAL_DATA)

def test_real_panoptic_calibrations_pass(real_data):
    for seq in ('160906_band1', '160906_band2'):
        path = real_data / 'panoptic_body3d' / seq / f'calibration_{seq}.json'
        # every camera: 31 HD, 479 VGA, 10 Kinect
        names = [c['name'] for c in json.loads(path.read_text())['cameras']]
        assert len(panoptic_calibration(str(path), names)) == 520


def test_real_panoptic_zero_focal_length_named(real_data, tmp_path):
    seq = '160906_band1'
    src = real_data / 'panoptic_body3d' / seq / f'calibration_{seq}.json'
    content = json.loads(src.read_text())
    entry = next(c for c in content['cameras'] if c['name'] == '00_03')
    entry['K'][0][0] = 0
    path = tmp_path / src.name
    path.write_text(json.dumps(content))
    with pytest.raises(DatasetFormatError) as err:
        panoptic_calibration(str(path), ['00_03', '00_06'])
    assert str(err.value) == (
        f"{path}: cameras['00_03'].K[0][0] = 0: focal length must be > 0")


def test_real_h36m_calibrations_pass(real_data):
    with open(real_data / 'h36m' / 'cameras.pkl', 'rb') as f:
        params = pickle.load(f)
    for subject in sorted({s for s, _ in params}):
        cams = {f'{s}/{c}': h36m_camera('cameras.pkl', s, c, entry)
                for (s, c), entry in params.items() if s == subject}
        assert len(validate_calibration('cameras.pkl', cams)) == 4


@pytest.mark.parametrize('name, size', [('campus', (360, 288)),
                                        ('shelf', (1032, 776))])
def test_real_campus_shelf_calibrations_pass(real_data, name, size):
    path = real_data / name / f'calibration_{name}.json'
    calib = campus_shelf_calibration(str(path), size)
    assert validate_calibration(str(path), calib) is calib


def test_campus_folder_without_calibration(real_data, tmp_path, cache_dir):
    root = campus_shelf_tree(real_data, tmp_path / 'campus', 'campus',
                             range(2))
    (root / 'Camera7').mkdir()
    cv2.imwrite(str(root / 'Camera7' / 'campus4-c7-00000.png'),
                np.zeros((6, 8, 3), np.uint8))
    with pytest.raises(DatasetFormatError) as err:
        CampusDataset(str(root), lazy_init=True).scan()
    assert str(err.value) == (
        f"{root / 'calibration_campus.json'}: cameras: camera '7' "
        f"({root / 'Camera7'}) has no calibration")
