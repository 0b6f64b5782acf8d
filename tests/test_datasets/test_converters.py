"""Converters of capture datasets to the toolkit's format: the converted
dataset read by MultiViewDataset equals the source read by its reader."""
import importlib.util
import json
import os.path as osp

import numpy as np
import pytest
from real_fixtures import (H36M_CAMERAS, campus_shelf_tree, h36m_tree,
                           panoptic_tree)

from nsd_toolkit.datasets import (CampusDataset, DatasetFormatError,
                                  H36MDataset, MultiViewDataset,
                                  PanopticDataset, ShelfDataset)
from nsd_toolkit.datasets.converters import (campus_shelf_to_nsd,
                                             panoptic_to_nsd)

TOOLS = osp.join(osp.dirname(__file__), '..', '..', 'tools',
                 'dataset_converters')


def load_tool(name):
    spec = importlib.util.spec_from_file_location(
        name, osp.join(TOOLS, f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_same_dataset(source, converted):
    for key in ('cameras', 'sequences', 'units', 'image_sizes', 'num_people'):
        assert source.metainfo[key] == converted.metainfo[key], key
    assert len(source) == len(converted)
    for a, b in zip(source, converted):
        for key in ('seq', 'frame', 'num_people', 'cameras'):
            assert a[key] == b[key], key
        for key in ('K', 'R', 't', 'dist', 'image_size'):
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)
        if a['joints_3d'] is None:
            assert b['joints_3d'] is None
        else:
            assert b['joints_3d'].dtype == np.float32
            np.testing.assert_array_equal(a['joints_3d'], b['joints_3d'])
        for src, dst in zip(a['img_paths'], b['img_paths']):
            assert open(src, 'rb').read() == open(dst, 'rb').read()


def test_panoptic_round_trip(real_data, tmp_path, cache_dir):
    seq_dir = panoptic_tree(real_data, tmp_path / 'panoptic', '160906_band1',
                            range(166, 176))  # 166, 167 without poses
    out = tmp_path / 'converted'
    load_tool('panoptic_to_nsd').main(
        [str(seq_dir), str(out), '--cameras', '00_12', '00_03',
         '--no-progress'])
    assert (out / '160906_band1' / '00_03' / '000166.jpg').is_file()
    poses = np.load(out / '160906_band1' / 'poses3d.npy')
    assert poses.shape == (10, 3, 17, 3)
    assert not (out / '160906_band1' / 'calibration.json').exists()
    source = PanopticDataset(str(tmp_path / 'panoptic'),
                             cameras=['00_12', '00_03'])
    assert_same_dataset(source, MultiViewDataset(str(out)))


@pytest.mark.parametrize('name, cls', [('campus', CampusDataset),
                                       ('shelf', ShelfDataset)])
def test_campus_shelf_round_trip(real_data, tmp_path, cache_dir, name, cls):
    src = campus_shelf_tree(real_data, tmp_path / name, name, range(5))
    out = tmp_path / 'converted'
    summary = campus_shelf_to_nsd(str(src), str(out), progress=False)
    assert summary == dict(sequences=[name], frames=5)
    assert (out / name / '0' / '000004.png').is_file()
    assert_same_dataset(cls(str(src)), MultiViewDataset(str(out)))


def test_h36m_round_trip_with_per_subject_calibration(real_data, tmp_path,
                                                      cache_dir):
    views = [(subject, f'{subject}_Walking_1', frame, cam, True)
             for subject, frames in (('S1', (1, 6)), ('S9', (1, )))
             for frame in frames for cam in H36M_CAMERAS]
    h36m_tree(real_data, tmp_path / 'h36m', views)
    out = tmp_path / 'converted'
    load_tool('h36m_to_nsd').main([
        str(tmp_path / 'h36m'), str(out), '--ann-files',
        'annotation_body3d/ann.npz', '--no-progress'
    ])
    assert not (out / 'S1_Walking_1' / 'calibration.json').exists()
    override = json.loads((out / 'S9_Walking_1' / 'calibration.json'
                           ).read_text())
    assert list(override['cameras']) == list(H36M_CAMERAS)
    assert_same_dataset(
        H36MDataset(str(tmp_path / 'h36m'), ann_file='annotation_body3d/'
                    'ann.npz', subjects=['S1', 'S9']),
        MultiViewDataset(str(out)))


def test_failures_leave_no_output(real_data, tmp_path, cache_dir, capsys):
    seq_dir = panoptic_tree(real_data, tmp_path / 'panoptic', '160906_band1',
                            [])  # the excerpt has no images
    out = tmp_path / 'converted'
    with pytest.raises(DatasetFormatError, match='hdImgs/00_03'):
        panoptic_to_nsd(str(seq_dir), str(out), progress=False)
    assert not out.exists()
    with pytest.raises(SystemExit) as exit_info:
        load_tool('campus_shelf_to_nsd').main(
            [str(tmp_path / 'panoptic'), str(out)])
    assert exit_info.value.code == 2
    assert 'calibration_shelf.json' in capsys.readouterr().err
    assert not out.exists()
    with pytest.raises(ValueError, match='must not lie inside'):
        panoptic_to_nsd(str(seq_dir), str(seq_dir / 'out'))

    src = campus_shelf_tree(real_data, tmp_path / 'shelf', 'shelf', [0])
    out.mkdir()
    (out / 'keep.txt').write_text('')
    with pytest.raises(FileExistsError, match='not empty'):
        campus_shelf_to_nsd(str(src), str(out), progress=False)
    assert [p.name for p in out.iterdir()] == ['keep.txt']
