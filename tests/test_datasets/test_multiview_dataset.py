import json
import os.path as osp

import numpy as np
import pytest
from multiview_fixtures import WIDTH, HEIGHT, files_under, write_multiview_root

from nsd_toolkit.datasets import DatasetFormatError, MultiViewDataset


def build(root, **kwargs):
    return MultiViewDataset(data_root=str(root), **kwargs)


def test_reads_valid_dataset(multiview_root, cache_dir):
    before = files_under(multiview_root)
    dataset = build(multiview_root, background_frames=5)

    assert len(dataset) == 14  # seq0: 10 frames, seq1: 4
    info = dataset.get_data_info(11)
    assert (info['seq'], info['frame'], info['num_people']) == ('seq1', 1, 1)
    assert info['cameras'] == ['cam0', 'cam1', 'cam2']
    assert info['img_paths'][2] == osp.join(str(multiview_root), 'seq1',
                                            'cam2', '000001.png')
    assert info['mask_paths'][0].endswith(osp.join('masks', 'cam0',
                                                   '000001.png'))
    assert all(osp.isfile(p) and p.startswith(str(cache_dir))
               for p in info['background_paths'])
    assert info['K'].shape == info['R'].shape == (3, 3, 3)
    assert info['t'].shape == (3, 3) and info['dist'].shape == (3, 5)
    assert info['image_size'].tolist() == [[WIDTH, HEIGHT]] * 3
    poses = np.load(multiview_root / 'seq1' / 'poses3d.npy')
    np.testing.assert_array_equal(info['joints_3d'], poses[1])

    meta = dataset.metainfo
    assert meta['cameras'] == ['cam0', 'cam1', 'cam2']
    assert meta['sequences'] == ['seq0', 'seq1']
    assert meta['image_sizes']['cam1'] == (WIDTH, HEIGHT)
    assert (meta['units'], meta['num_people']) == ('mm', 1)
    assert files_under(multiview_root) == before  # nothing written there


def test_filters_sequences_and_cameras(multiview_root, cache_dir):
    dataset = build(multiview_root, sequences=['seq1'], cameras=['cam2', 'cam0'])
    assert len(dataset) == 4
    info = dataset.get_data_info(0)
    assert info['cameras'] == ['cam2', 'cam0']
    assert '/cam2/' in info['img_paths'][0]
    assert len(info['background_paths']) == 2


def test_frame_interval_keeps_every_kth_frame(multiview_root, cache_dir):
    dataset = build(multiview_root, frame_interval=3)
    # seq0 frames 0, 3, 6, 9 and seq1 frames 0, 3; poses follow their frames
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    assert [(d['seq'], d['frame']) for d in infos] == [
        ('seq0', 0), ('seq0', 3), ('seq0', 6), ('seq0', 9), ('seq1', 0),
        ('seq1', 3)
    ]
    poses = np.load(multiview_root / 'seq0' / 'poses3d.npy')
    np.testing.assert_array_equal(dataset.get_data_info(2)['joints_3d'],
                                  poses[6])
    with pytest.raises(ValueError, match='frame_interval'):
        build(multiview_root, frame_interval=0)


def test_without_poses_and_masks(tmp_path, cache_dir):
    root = write_multiview_root(tmp_path / 'data', poses=False, masks=False)
    dataset = build(root, metainfo=dict(num_people=3))
    info = dataset.get_data_info(0)
    assert info['joints_3d'] is None and info['mask_paths'] is None
    assert info['num_people'] == dataset.metainfo['num_people'] == 3


def test_without_labels_items_keep_everything_else(multiview_root, cache_dir):
    labelled = build(multiview_root).get_data_info(11)
    unlabelled = build(multiview_root, with_labels=False).get_data_info(11)
    assert unlabelled['mask_paths'] is None
    assert unlabelled['joints_3d'] is None
    assert labelled['mask_paths'] is not None
    assert labelled['joints_3d'] is not None
    for key in ('seq', 'frame', 'num_people', 'img_paths', 'background_paths'):
        assert unlabelled[key] == labelled[key]
    for key in ('K', 'R', 't', 'dist', 'image_size'):
        np.testing.assert_array_equal(unlabelled[key], labelled[key])
    with pytest.raises(TypeError, match='with_labels'):
        build(multiview_root, with_labels='no')


def test_per_sequence_calibration_override(multiview_root, cache_dir):
    calib = json.loads((multiview_root / 'calibration.json').read_text())
    override = {'cameras': {'cam1': dict(calib['cameras']['cam1'],
                                         t=[10., 20., 2500.])}}
    (multiview_root / 'seq1' / 'calibration.json').write_text(
        json.dumps(override))
    dataset = build(multiview_root)
    assert dataset.get_data_info(0)['t'][1].tolist() == [0., 0., 3000.]
    assert dataset.get_data_info(10)['t'][1].tolist() == [10., 20., 2500.]


def test_cache_dir_inside_data_root_refused(multiview_root):
    with pytest.raises(ValueError, match='outside'):
        build(multiview_root, cache_dir=str(multiview_root / 'cache'))


def edit_calibration(root, cam, key, value):
    path = root / 'calibration.json'
    calib = json.loads(path.read_text())
    if value is None:
        del calib['cameras'][cam][key]
    else:
        calib['cameras'][cam][key] = value
    path.write_text(json.dumps(calib))


@pytest.mark.parametrize('key, value, message', [
    ('K', None, r"camera 'cam1' misses key\(s\) \['K'\]"),
    ('size', None, r"camera 'cam1' misses key\(s\) \['size'\]"),
    ('K', [[1, 0, 0], [0, 1, 0]], r"camera 'cam1' key 'K' must have shape"),
    ('R', [1, 0, 0], r"camera 'cam1' key 'R' must have shape"),
    ('R', [[2, 0, 0], [0, 1, 0], [0, 0, 1]],
     r"cameras\['cam1'\].R is not a rotation"),
    ('t', [1, 2], r"camera 'cam1' key 't' must have shape"),
    ('t', ['a', 0, 0], "'t' is not numeric"),
])
def test_bad_calibration(multiview_root, cache_dir, key, value, message):
    edit_calibration(multiview_root, 'cam1', key, value)
    with pytest.raises(DatasetFormatError, match='calibration.json') as err:
        build(multiview_root)
    assert err.match(message)


def test_missing_calibration(multiview_root, cache_dir):
    (multiview_root / 'calibration.json').unlink()
    with pytest.raises(DatasetFormatError, match='calibration.json: .*not found'):
        build(multiview_root)


def test_unknown_camera(multiview_root, cache_dir):
    with pytest.raises(DatasetFormatError, match=r"\['cam9'\] not in"):
        build(multiview_root, cameras=['cam0', 'cam9'])


def test_camera_folder_without_frames(multiview_root, cache_dir):
    for frame in (multiview_root / 'seq1' / 'cam2').iterdir():
        frame.unlink()
    with pytest.raises(DatasetFormatError, match='seq1/cam2: .*no <frame'):
        build(multiview_root)


def test_frame_counts_differ(multiview_root, cache_dir):
    (multiview_root / 'seq0' / 'cam1' / '000009.png').unlink()
    with pytest.raises(DatasetFormatError,
                       match=r"seq0: .*'cam0': 10, 'cam1': 9, 'cam2': 10"):
        build(multiview_root)


def test_frame_numbers_differ(multiview_root, cache_dir):
    folder = multiview_root / 'seq0' / 'cam1'
    (folder / '000009.png').rename(folder / '000010.png')
    with pytest.raises(DatasetFormatError,
                       match="seq0: frame numbers of cameras 'cam0' and 'cam1'"):
        build(multiview_root)


@pytest.mark.parametrize('shape, message', [
    ((4, 1, 17), r'expected shape \[F, N, 17, 3\]'),
    ((4, 1, 15, 3), r'expected shape \[F, N, 17, 3\]'),
    ((5, 1, 17, 3), '5 pose frames for 4 image frames'),
])
def test_bad_poses(multiview_root, cache_dir, shape, message):
    np.save(multiview_root / 'seq1' / 'poses3d.npy', np.zeros(shape))
    with pytest.raises(DatasetFormatError, match='seq1/poses3d.npy: ' + message):
        build(multiview_root)
