"""CampusDataset and ShelfDataset on the excerpts (NSD_REAL_DATA) with dummy
images in mmpose's layout."""
import json
import os.path as osp
from unittest.mock import patch

import numpy as np
import pytest
from real_fixtures import (CAMPUS_SHELF_IMAGE, assert_validates_without_labels,
                           campus_shelf_tree, dummy_image, full_size_images)
from scipy.io import loadmat

from nsd_toolkit.datasets import (CampusDataset, DatasetFormatError,
                                  ShelfDataset)
from nsd_toolkit.datasets.joint_sets import (CAMPUS_SHELF14_JOINTS,
                                             H36M_JOINTS)
from nsd_toolkit.utils import project_points

CLASSES = dict(campus=CampusDataset, shelf=ShelfDataset)
CONFIG_DIR = osp.join(osp.dirname(__file__), '..', '..', 'configs')
GT_FRAMES = 3  # frames of the excerpts' actorsGT.mat


def build(real, tmp_path, name, **kwargs):
    """Images for frames 0..3 (3 is beyond the ground truth) in every camera
    and frame 4 in camera 0 only."""
    root = campus_shelf_tree(real, tmp_path / name, name, range(4))
    dummy_image(
        root / 'Camera0' / CAMPUS_SHELF_IMAGE[name].format(cam=0, frame=4), 0)
    return CLASSES[name](str(root), **kwargs)


def projection_errors(real, name, dataset):
    """Pixel distances [K] between the stored 2D ground truth and the
    projected joints_3d, per camera (dict)."""
    mat = loadmat(str(real / name / 'actorsGT.mat'))
    pairs = [(j, j) for j in CAMPUS_SHELF14_JOINTS if j in H36M_JOINTS]
    pairs += [('head_top', 'top_head'), ('neck_nose', 'bottom_head')]
    h36m = [H36M_JOINTS.index(a) for a, _ in pairs]
    source = [CAMPUS_SHELF14_JOINTS.index(b) for _, b in pairs]
    errors = {cam: [] for cam in dataset.metainfo['cameras']}
    for frame in range(GT_FRAMES):
        info = dataset.get_data_info(frame)
        assert info['frame'] == frame
        uv = project_points(info['joints_3d'][:, None, h36m].astype(float),
                            info['K'], info['R'], info['t'])  # [P, V, J, 2]
        for p, actor in enumerate(mat['actor2D'][0]):
            for v, cam in enumerate(info['cameras']):
                stored = np.asarray(actor[frame, 0][0, v], float)
                if stored.size:
                    errors[cam].append(
                        np.linalg.norm(uv[p, v] - stored[source], axis=-1))
    return {cam: np.concatenate(e) for cam, e in errors.items()}


def test_shelf_reproduces_the_stored_2d(real_data, tmp_path, cache_dir):
    dataset = build(real_data, tmp_path, 'shelf')
    errors = projection_errors(real_data, 'shelf', dataset)
    assert list(errors) == ['0', '1', '2', '3', '4']
    assert all(len(e) == 2 * GT_FRAMES * 14 for e in errors.values())
    assert max(e.max() for e in errors.values()) < 0.05


def test_campus_reproduces_the_stored_2d(real_data, tmp_path, cache_dir):
    dataset = build(real_data, tmp_path, 'campus')
    errors = projection_errors(real_data, 'campus', dataset)
    # cameras 0 and 1 store integer pixels, camera 2 exact floats
    assert np.concatenate(list(errors.values())).mean() < 1.0
    assert errors['2'].max() < 0.01


@pytest.mark.parametrize('name, num_actors, annotated',
                         [('campus', 3, [0]), ('shelf', 4, [0, 2])])
def test_poses_calibration_and_frames(real_data, tmp_path, cache_dir, name,
                                      num_actors, annotated):
    dataset = build(real_data, tmp_path, name)
    assert [d['frame'] for d in dataset] == [0, 1, 2, 3]  # 4 dropped
    meta = dataset.metainfo
    assert (meta['sequences'], meta['units']) == ([name], 'mm')
    assert meta['num_people'] == num_actors
    W, H = dict(campus=(360, 288), shelf=(1032, 776))[name]
    assert set(meta['image_sizes'].values()) == {(W, H)}

    raw = json.loads((real_data / name / f'calibration_{name}.json'
                      ).read_text())
    mat = loadmat(str(real_data / name / 'actorsGT.mat'))['actor3D'][0]
    J = {j: i for i, j in enumerate(H36M_JOINTS)}
    S = {j: i for i, j in enumerate(CAMPUS_SHELF14_JOINTS)}
    for frame in range(GT_FRAMES):
        info = dataset.get_data_info(frame)
        joints = info['joints_3d']
        assert joints.shape == (num_actors, 17, 3)
        for p in range(num_actors):
            if p not in annotated:
                assert np.isnan(joints[p]).all()
                continue
            gt = 1000. * mat[p][frame, 0]
            np.testing.assert_allclose(joints[p, J['head_top']],
                                       gt[S['top_head']], rtol=1e-6)
            np.testing.assert_allclose(joints[p, J['l_wrist']],
                                       gt[S['l_wrist']], rtol=1e-6)
            np.testing.assert_allclose(
                joints[p, J['pelvis']],
                (gt[S['l_hip']] + gt[S['r_hip']]) / 2, rtol=1e-6)
            assert np.isnan(joints[p, [J['spine'], J['thorax']]]).all()
            # world z up
            assert joints[p, J['r_ankle'], 2] < joints[p, J['pelvis'], 2] \
                < joints[p, J['head_top'], 2]
        for v, cam in enumerate(info['cameras']):
            R, T = np.array(raw[cam]['R']), np.ravel(raw[cam]['T'])
            # X_cam = R (X_world - T): the camera centre maps to 0
            np.testing.assert_allclose(info['R'][v] @ T + info['t'][v], 0,
                                       atol=1e-6)
            np.testing.assert_array_equal(info['R'][v], R)
            assert info['K'][v][0, 0] == raw[cam]['fx']
            assert info['K'][v][1, 2] == raw[cam]['cy']
    assert np.isnan(dataset.get_data_info(3)['joints_3d']).all()


def test_options_and_errors(real_data, tmp_path, cache_dir):
    no_gt = build(real_data, tmp_path, 'shelf', gt_file=None,
                  cameras=['4', '1'])
    info = no_gt.get_data_info(0)
    assert info['joints_3d'] is None and info['cameras'] == ['4', '1']
    assert info['img_paths'][0].endswith('Camera4/img_000000.png')
    with pytest.raises(ValueError, match="only sequence is 'shelf'"):
        ShelfDataset(str(tmp_path / 'shelf'), sequences=['campus'])
    with pytest.raises(DatasetFormatError, match=r"shelf.json.*\['7'\]"):
        ShelfDataset(str(tmp_path / 'shelf'), cameras=['7'])
    with pytest.raises(DatasetFormatError, match='calibration_campus.json'):
        CampusDataset(str(tmp_path / 'shelf'))
    with pytest.raises(DatasetFormatError, match='nothing.mat'):
        ShelfDataset(str(tmp_path / 'shelf'), gt_file='nothing.mat')


@pytest.mark.parametrize('name', ['campus', 'shelf'])
def test_frames_without_ground_truth_validate(real_data, tmp_path, cache_dir,
                                              name):
    root = campus_shelf_tree(real_data, tmp_path / name, name, range(2))
    (root / 'actorsGT.mat').unlink()
    full_size_images(root, CLASSES[name].IMAGE_SIZE)
    assert_validates_without_labels(CLASSES[name], root, gt_file=None)


@pytest.mark.parametrize('name, test_frames, train_frames',
                         [('campus', [350, 470, 650, 750], [0, 349, 471, 751]),
                          ('shelf', [300, 600], [0, 299, 601, 751])])
def test_split_selects_the_communitys_evaluation_frames(
        real_data, tmp_path, cache_dir, name, test_frames, train_frames):
    root = campus_shelf_tree(real_data, tmp_path / name, name,
                             sorted(test_frames + train_frames))

    def frames(split):
        dataset = CLASSES[name](str(root), gt_file=None, split=split)
        return [dataset.get_data_info(i)['frame']
                for i in range(len(dataset))]

    with patch(f'{CLASSES[name].__module__}.print_log') as log:
        assert frames('test') == test_frames
    log.assert_not_called()  # frames of the other split are not 'dropped'
    assert frames('train') == train_frames
    assert frames(None) == sorted(test_frames + train_frames)
    with pytest.raises(ValueError, match="split must be 'train', 'test'"):
        CLASSES[name](str(root), split='val')
    only_train = campus_shelf_tree(real_data, tmp_path / 'only_train', name,
                                   train_frames)
    with pytest.raises(DatasetFormatError,
                       match="none of the 4 frames .* is in split 'test'"):
        CLASSES[name](str(only_train), gt_file=None, split='test')


@pytest.mark.parametrize('name, config, num_people',
                         [('campus', 'nsd_campus_3p.py', 3),
                          ('shelf', 'nsd_shelf_4p.py', 4)])
def test_config_trains_and_validates_on_unlabelled_frames(
        real_data, tmp_path, cache_dir, name, config, num_people):
    """The shipped config on frames without ground truth, through the real
    calibration and reader: training reads the train frames, validation the
    community's test frames and reports the label-free metrics."""
    from mmengine.runner import Runner
    from nsd_test_utils import tiny_run_config

    test_frame = CLASSES[name].TEST_FRAMES[0][0]
    root = campus_shelf_tree(real_data, tmp_path / name, name,
                             [0, 1, test_frame, test_frame + 1])
    (root / 'actorsGT.mat').unlink()
    full_size_images(root, CLASSES[name].IMAGE_SIZE)
    cfg = tiny_run_config(
        osp.join(CONFIG_DIR, config), str(root), tmp_path / 'work')
    for split in ('train', 'val', 'test'):
        cfg[f'{split}_dataloader'].dataset.update(sequences=None,
                                                  gt_file=None)
    runner = Runner.from_cfg(cfg)
    assert runner.model.detector.num_people == num_people
    runner.train()
    frames = {}
    for split, loop in (('train', runner.train_loop),
                        ('val', runner.val_loop)):
        dataset = loop.dataloader.dataset
        frames[split] = [dataset.get_data_info(i)['frame']
                         for i in range(len(dataset))]
    assert frames == dict(train=[0, 1], val=[test_frame, test_frame + 1])
    hub = runner.message_hub
    assert hub.get_scalar('val/novel_view/psnr').current() > 0
    assert 'val/decomposition/detection_rate' not in hub.log_scalars
