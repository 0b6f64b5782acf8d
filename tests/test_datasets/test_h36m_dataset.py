"""H36MDataset on the Human3.6M excerpt (NSD_REAL_DATA) and on trees of
synchronised views built from it."""
import math
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from real_fixtures import H36M_CAMERAS, h36m_cameras, h36m_tree

from nsd_toolkit.datasets import DatasetFormatError, H36MDataset
from nsd_toolkit.utils import world_to_camera


def excerpt(real, cameras, **kwargs):
    return H36MDataset(str(real / 'h36m'), ann_file='test_h36m_body3d.npz',
                       camera_file='cameras.pkl', img_dir='', cameras=cameras,
                       **kwargs)


def h36m_projection(points, K, R, t, dist):
    """Human3.6M's own camera model (radial k1 k2 k3; tangential
    ``x (p1 y + p2 x) + p2 r^2``, ``y (p1 y + p2 x) + p1 r^2``)."""
    x = world_to_camera(points, R, t)
    xy = x[:, :2] / x[:, 2:]
    r2 = (xy**2).sum(1, keepdims=True)
    k1, k2, p1, p2, k3 = dist
    radial = 1 + k1 * r2 + k2 * r2**2 + k3 * r2**3
    tangential = p1 * xy[:, 1:] + p2 * xy[:, :1]
    xy = xy * (radial + tangential) + r2 * np.array([p2, p1])
    return xy * K[[0, 1], [0, 1]] + K[:2, 2]


def test_cameras_reproduce_the_stored_2d(real_data, cache_dir):
    ann = np.load(real_data / 'h36m' / 'test_h36m_body3d.npz')
    rows = {name: i for i, name in enumerate(ann['imgname'])}
    checked = []
    # the excerpt's 4 samples come from two cameras, 2 subjects each
    for cam in ('54138969', '55011271'):
        dataset = excerpt(real_data, [cam])
        assert len(dataset) == 2
        for index in range(2):
            info = dataset.get_data_info(index)
            name = osp.relpath(info['img_paths'][0], real_data / 'h36m')
            part = ann['part'][rows[name], :, :2]
            view = [info[key][0] for key in ('K', 'R', 't', 'dist')]
            joints = info['joints_3d'][0].astype(np.float64)
            np.testing.assert_allclose(h36m_projection(joints, *view), part,
                                       atol=0.01)
            # OpenCV's model with the same coefficients differs slightly
            K, R, t, dist = view
            uv = cv2.projectPoints(joints, cv2.Rodrigues(R)[0], t, K,
                                   dist)[0][:, 0]
            np.testing.assert_allclose(uv, part, atol=0.25)
            checked.append(name)
    assert sorted(checked) == sorted(ann['imgname'])


def test_world_frame_in_mm_with_z_up(real_data, cache_dir):
    params = h36m_cameras(real_data)
    ann = np.load(real_data / 'h36m' / 'test_h36m_body3d.npz')
    info = excerpt(real_data, ['54138969']).get_data_info(0)
    assert (info['seq'], info['frame']) == ('S1_Directions_1', 1)
    p = params[('S1', '54138969')]
    # README: X_cam = R^T (X_world - T), metres
    expected = 1000. * (ann['S'][0, :, :3] @ p['R'].T + p['T'].reshape(3))
    np.testing.assert_allclose(info['joints_3d'][0], expected, atol=1e-3)
    pelvis, ankle, head = info['joints_3d'][0][[0, 3, 10], 2]
    assert ankle < 150 < pelvis < head  # standing on the floor z = 0
    assert info['image_size'].tolist() == [[1000, 1002]]
    np.testing.assert_allclose(info['dist'][0], [*p['k'][:2, 0], *p['p'][:, 0],
                                                 p['k'][2, 0]])


def test_groups_synchronised_views(real_data, tmp_path, cache_dir):
    views = [('S1', 'S1_Walking_1', f, cam, True) for f in (1, 6)
             for cam in H36M_CAMERAS]
    views += [('S1', 'S1_Walking_1', 11, cam, True)
              for cam in H36M_CAMERAS[:3]]  # no row for the 4th camera
    views += [('S1', 'S1_Walking_1', 16, cam, cam != H36M_CAMERAS[1])
              for cam in H36M_CAMERAS]  # one image missing
    views += [('S9', 'S9_Walking_1', 1, cam, True) for cam in H36M_CAMERAS]
    world = h36m_tree(real_data, tmp_path / 'h36m', views)
    root = str(tmp_path / 'h36m')

    dataset = H36MDataset(root, ann_file='annotation_body3d/ann.npz')
    assert len(dataset) == 2  # frames 11 and 16 dropped, S9 not in train
    assert dataset.metainfo['cameras'] == list(H36M_CAMERAS)
    assert dataset.metainfo['sequences'] == ['S1_Walking_1']
    for index, frame in enumerate((1, 6)):
        info = dataset.get_data_info(index)
        assert (info['seq'], info['frame'], info['num_people']) == (
            'S1_Walking_1', frame, 1)
        assert [osp.basename(p) for p in info['img_paths']] == [
            f'S1_Walking_1.{cam}_{frame:06d}.jpg' for cam in H36M_CAMERAS
        ]
        joints = info['joints_3d'][0].astype(np.float64)
        np.testing.assert_allclose(joints, world[('S1', 'S1_Walking_1',
                                                  frame)], atol=1e-3)
        # every view's extrinsics take the world pose to its own S
        params = h36m_cameras(real_data)
        for v, cam in enumerate(H36M_CAMERAS):
            p = params[('S1', cam)]
            expected = (joints - 1000. * p['T'].reshape(3)) @ p['R']
            np.testing.assert_allclose(
                world_to_camera(joints, info['R'][v], info['t'][v]),
                expected, atol=1e-6)

    val = H36MDataset(root, ann_file='annotation_body3d/ann.npz',
                      subjects='val')
    assert [d['seq'] for d in val] == ['S9_Walking_1']
    # per-subject calibration
    assert not np.allclose(val.get_data_info(0)['t'],
                           dataset.get_data_info(0)['t'])
    only = H36MDataset(root, ann_file='annotation_body3d/ann.npz',
                       cameras=H36M_CAMERAS[:3], sequences=['S1_Walking_1'])
    assert [d['frame'] for d in only] == [1, 6, 11]


def test_errors_name_the_file(real_data, tmp_path, cache_dir):
    with pytest.raises(ValueError, match='subjects'):
        excerpt(real_data, ['54138969'], subjects='test')
    with pytest.raises(DatasetFormatError, match='nothing.npz: annotation'):
        H36MDataset(str(real_data / 'h36m'), ann_file='nothing.npz',
                    camera_file='cameras.pkl', img_dir='')
    with pytest.raises(DatasetFormatError, match='all cameras'):
        excerpt(real_data, list(H36M_CAMERAS))
    with pytest.raises(DatasetFormatError, match='no row'):
        excerpt(real_data, ['54138969'], subjects=['S11'])

    root = tmp_path / 'h36m'
    root.mkdir()
    np.savez(root / 'bad.npz', imgname=np.array(['S1/frame.jpg']),
             S=np.zeros((1, 17, 4)))
    with pytest.raises(DatasetFormatError, match=r"bad.npz.*'S1/frame.jpg'"):
        H36MDataset(str(root), ann_file='bad.npz',
                    camera_file=str(real_data / 'h36m' / 'cameras.pkl'))
    np.savez(root / 'short.npz', imgname=np.array(['a']),
             S=np.zeros((1, 14, 4)))
    with pytest.raises(DatasetFormatError, match="short.npz.*'S'"):
        H36MDataset(str(root), ann_file='short.npz',
                    camera_file=str(real_data / 'h36m' / 'cameras.pkl'))


def test_standard_pipeline_runs(real_data, cache_dir):
    from mmengine.registry import init_default_scope
    init_default_scope('nsd_toolkit')
    pipeline = [
        dict(type='SampleViews', mode='all'),
        dict(type='LoadMultiViewImages'),
        dict(type='ResizeMultiView', size=(100, 100)),
        dict(type='PackMultiViewInputs')
    ]
    item = excerpt(real_data, ['54138969'], pipeline=pipeline)[0]
    assert tuple(item['inputs']['img'].shape) == (1, 3, 100, 100)
    sample = item['data_samples']
    assert sample.ori_shape == (1002, 1000)
    assert sample.gt_joints_3d.shape == (1, 17, 3)
    # no instance masks: the decomposition metric scores crop boxes against
    # the boxes of the projected joints, which lie on the person
    from nsd_toolkit.evaluation import DecompositionMetric
    from nsd_toolkit.evaluation.functional import keypoints_to_box
    assert 'gt_masks' not in sample
    joint_box = keypoints_to_box(sample.gt_keypoints_2d,
                                 sample.gt_joints_cam, 100, 100)[0, 0]
    assert 5 < joint_box[3] - joint_box[1] < 100  # a person-sized box
    sample.pred_bboxes = torch.as_tensor(joint_box)[None, None]
    metric = DecompositionMetric()
    metric.process({}, [sample])
    metrics = metric.compute_metrics(metric.results)
    assert metrics.pop('crop_box_iou') == pytest.approx(1.0)
    assert metrics.pop('crop_detection_rate') == 1.0
    width, height = (joint_box[2:] - joint_box[:2]).tolist()
    assert metrics.pop('box_area') == pytest.approx(width * height / 100**2)
    # one person: no pair to order; no pred_depths: accuracy is NaN
    assert metrics.pop('depth_order_pairs_box_pairs') == 0
    assert all(math.isnan(value) for value in metrics.values())
    assert sorted(metrics) == [
        'depth_order_accuracy_box_pairs',
        'depth_order_cue_accuracy_box_pairs', 'depth_order_margin_box_pairs'
    ]
