"""PanopticDataset on the CMU Panoptic excerpt (NSD_REAL_DATA) with dummy
images in the documented layout."""
import json

import cv2
import numpy as np
import pytest
from real_fixtures import (PANOPTIC_CAMERAS, assert_validates_without_labels,
                           dummy_image, full_size_images, panoptic_tree)

from nsd_toolkit.datasets import DatasetFormatError, PanopticDataset
from nsd_toolkit.datasets.joint_sets import H36M_JOINTS
from nsd_toolkit.utils import world_to_camera

SEQ = '160906_band1'
GT_FRAMES = range(168, 188)  # the excerpt's pose files


def raw_calibration(real):
    path = real / 'panoptic_body3d' / SEQ / f'calibration_{SEQ}.json'
    return {c['name']: c for c in json.loads(path.read_text())['cameras']}


def raw_bodies(real, frame):
    """[P, 19, 4] (cm, confidence) sorted by id."""
    path = (real / 'panoptic_body3d' / SEQ / 'hdPose3d_stage1_coco19' /
            f'body3DScene_{frame:08d}.json')
    bodies = sorted(json.loads(path.read_text())['bodies'],
                    key=lambda b: b['id'])
    return np.array([b['joints19'] for b in bodies]).reshape(-1, 19, 4)


@pytest.fixture
def panoptic(real_data, tmp_path, cache_dir):
    """Images for frames 166..187 (166, 167 have no pose file) in every
    camera and frame 188 in all but one camera."""
    seq_dir = panoptic_tree(real_data, tmp_path / 'panoptic', SEQ,
                            range(166, 188))
    dummy_image(seq_dir / 'hdImgs' / '00_03' / '00_03_00000188.jpg', 0)
    return PanopticDataset(str(tmp_path / 'panoptic'))


def test_indexes_frames_with_images_in_every_camera(panoptic):
    assert [d['frame'] for d in panoptic] == list(range(166, 188))
    meta = panoptic.metainfo
    assert meta['cameras'] == list(PANOPTIC_CAMERAS)
    assert (meta['sequences'], meta['units']) == ([SEQ], 'mm')
    assert meta['image_sizes']['00_12'] == (1920, 1080)
    assert meta['num_people'] == 3
    first = panoptic.get_data_info(0)
    assert first['img_paths'][1].endswith('hdImgs/00_06/00_06_00000166.jpg')
    assert first['num_people'] == 3
    assert np.isnan(first['joints_3d']).all()  # no pose file


def test_calibration_in_mm(real_data, panoptic):
    raw = raw_calibration(real_data)
    info = panoptic.get_data_info(2)
    for v, cam in enumerate(PANOPTIC_CAMERAS):
        np.testing.assert_array_equal(info['K'][v], raw[cam]['K'])
        np.testing.assert_array_equal(info['R'][v], raw[cam]['R'])
        np.testing.assert_allclose(info['t'][v],
                                   10 * np.ravel(raw[cam]['t']))
        np.testing.assert_array_equal(info['dist'][v], raw[cam]['distCoef'])
        assert info['image_size'][v].tolist() == raw[cam]['resolution']

    # X_cam = R X + t in cm is the same point as in mm
    bodies = raw_bodies(real_data, info['frame'])
    pelvis_cm = bodies[:, 2, :3]
    for v, cam in enumerate(PANOPTIC_CAMERAS):
        R, t = np.array(raw[cam]['R']), np.ravel(raw[cam]['t'])
        expected_mm = 10 * (pelvis_cm @ R.T + t)
        pelvis_mm = info['joints_3d'][:, None, 0].astype(np.float64)
        np.testing.assert_allclose(
            world_to_camera(pelvis_mm, info['R'][v], info['t'][v])[:, 0],
            expected_mm, atol=1e-2)


def test_projections_land_in_the_hd_images(panoptic):
    infos = [d for d in panoptic if not np.isnan(d['joints_3d']).all()]
    assert len(infos) == len(GT_FRAMES)
    for v, cam in enumerate(PANOPTIC_CAMERAS):
        inside = []
        for info in infos:
            joints = info['joints_3d'].reshape(-1, 3).astype(np.float64)
            joints = joints[~np.isnan(joints).any(1)]
            K, R, t, dist = (info[key][v] for key in ('K', 'R', 't', 'dist'))
            uv = cv2.projectPoints(joints, cv2.Rodrigues(R)[0], t, K,
                                   dist)[0][:, 0]
            W, H = info['image_size'][v]
            front = world_to_camera(joints, R, t)[:, 2] > 0
            inside.append(front & (uv[:, 0] >= 0) & (uv[:, 0] < W)
                          & (uv[:, 1] >= 0) & (uv[:, 1] < H))
        assert np.concatenate(inside).mean() > 0.8, cam


def test_poses_follow_the_pose_files(real_data, panoptic):
    J = {name: j for j, name in enumerate(H36M_JOINTS)}
    for info in panoptic:
        if info['frame'] not in GT_FRAMES:
            continue
        bodies = raw_bodies(real_data, info['frame'])
        joints = info['joints_3d']
        assert joints.shape == (3, 17, 3) == (len(bodies), 17, 3)
        valid = bodies[..., 3] >= 0.1
        # COCO-19: 0 neck, 1 nose, 2 body centre, 6 l-hip, 14 r-ankle
        for h36m, coco in (('pelvis', 2), ('thorax', 0), ('neck_nose', 1),
                           ('l_hip', 6), ('r_ankle', 14)):
            expected = np.where(valid[:, coco, None],
                                10 * bodies[:, coco, :3], np.nan)
            np.testing.assert_allclose(joints[:, J[h36m]], expected,
                                       rtol=1e-6)
        assert np.isnan(joints[:, [J['spine'], J['head_top']]]).all()
    # world y points down: noses above (smaller y than) pelvises (the
    # musicians sit)
    y = panoptic.get_data_info(2)['joints_3d'][:, [J['neck_nose'],
                                                   J['pelvis']], 1]
    known = ~np.isnan(y).any(1)
    assert known.sum() >= 2 and (y[known, 0] < y[known, 1] - 100).all()


def test_low_confidence_joints_are_unknown(real_data, tmp_path, cache_dir):
    panoptic_tree(real_data, tmp_path / 'p', SEQ, GT_FRAMES)
    strict = PanopticDataset(str(tmp_path / 'p'), min_confidence=0.5)
    frame = strict.get_data_info(0)['frame']
    confidence = raw_bodies(real_data, frame)[:, [2, 12, 13, 14, 6, 7, 8], 3]
    pelvis_and_legs = strict.get_data_info(0)['joints_3d'][:, :7]
    assert (np.isnan(pelvis_and_legs).any(-1) == (confidence < 0.5)).all()
    assert (confidence < 0.5).any()


def test_discovers_sequences_and_reports_errors(real_data, tmp_path,
                                                cache_dir):
    root = tmp_path / 'panoptic'
    panoptic_tree(real_data, root, '160906_band1', [170, 171])
    panoptic_tree(real_data, root, '160906_band2', [140], cameras=['00_03'])
    (root / 'notes').mkdir()
    both = PanopticDataset(str(root), cameras=['00_03'])
    assert both.metainfo['sequences'] == ['160906_band1', '160906_band2']
    assert [(d['seq'], d['frame']) for d in both] == [
        ('160906_band1', 170), ('160906_band1', 171), ('160906_band2', 140)
    ]

    with pytest.raises(DatasetFormatError, match=r'hdImgs/00_06'):
        PanopticDataset(str(root), sequences=['160906_band2'])
    with pytest.raises(DatasetFormatError,
                       match=r"calibration_160906_band1.json.*'99_99'"):
        PanopticDataset(str(root), cameras=['99_99'])
    with pytest.raises(DatasetFormatError, match='no sequence folder'):
        PanopticDataset(str(root / 'notes'))
    (root / '160906_band2' / 'hdImgs' / '00_03' / '00_03_00000140.jpg'
     ).unlink()
    with pytest.raises(DatasetFormatError, match='no frame has an image'):
        PanopticDataset(str(root), sequences=['160906_band2'],
                        cameras=['00_03'])


def test_frames_without_pose_files_validate_on_what_needs_no_labels(
        real_data, tmp_path, cache_dir):
    """A capture without hdPose3d_stage1_coco19 (self-supervision's normal
    case) validates instead of failing at the first validation."""
    seq_dir = panoptic_tree(real_data, tmp_path / 'panoptic', SEQ,
                            range(166, 169))
    (seq_dir / 'hdPose3d_stage1_coco19').unlink()
    full_size_images(seq_dir / 'hdImgs', (1920, 1080))
    assert_validates_without_labels(PanopticDataset, tmp_path / 'panoptic')
