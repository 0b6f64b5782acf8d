"""BoxingDataset and the exporter of the toolkit's format to the boxing layout."""
import filecmp
import json
import os
import os.path as osp
import runpy
import shutil
import sys

import h5py
import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from multiview_fixtures import files_under, write_multiview_root

from nsd_toolkit.datasets import (BoxingDataset, DatasetFormatError,
                                  MultiViewDataset)
from nsd_toolkit.datasets.converters import boxing, export_boxing
from nsd_toolkit.synthetic import generate_synthetic_dataset
from nsd_toolkit.datasets.transforms import read_image
from nsd_toolkit.registry import DATASETS

SCRIPT = osp.join(osp.dirname(__file__), '..', '..', 'tools',
                  'dataset_converters', 'nsd_to_boxing.py')
PIPELINE = [
    dict(type='SampleViews', num_views=2, mode='fixed'),
    dict(type='LoadMultiViewImages'),
    dict(type='PackMultiViewInputs'),
]


@pytest.fixture(scope='module')
def nsd_root(tmp_path_factory):
    """2 boxing people, 3 views, 2 sequences of 4 frames at 48 x 32."""
    root = str(tmp_path_factory.mktemp('nsd') / 'data')
    generate_synthetic_dataset(root, num_people=2, num_views=3, num_frames=4,
                               size=(48, 32), num_sequences=2, motion='box',
                               progress=False)
    return root


@pytest.fixture(scope='module')
def boxing_root(nsd_root, tmp_path_factory):
    root = tmp_path_factory.mktemp('boxing') / 'data'
    names = export_boxing(nsd_root, str(root), progress=False)
    assert names == dict(
        sequences={'seq_000': 'seq_000', 'seq_001': 'seq_001'},
        cameras={'cam_00': 'cam_00', 'cam_01': 'cam_01', 'cam_02': 'cam_02'})
    return root


@pytest.fixture
def copy(boxing_root, tmp_path):
    """A private copy of the exported dataset, to be damaged."""
    return shutil.copytree(boxing_root, tmp_path / 'boxing')


def labels(root):
    with h5py.File(root / 'labels.h5', 'r') as f:
        return {key: f[key][()] for key in f}


def edit_labels(root, **changes):
    """Replace keys of ROOT/labels.h5 (delete those set to None)."""
    with h5py.File(root / 'labels.h5', 'a') as f:
        for key, value in changes.items():
            del f[key]
            if value is not None:
                f[key] = value


def assert_same_info(a, b):
    """Data infos equal, paths aside: same files or background pixels."""
    assert set(a) == set(b)
    for key in ('seq', 'frame', 'num_people', 'cameras', 'sample_idx'):
        assert a[key] == b[key], key
    for key in ('K', 'R', 't', 'dist', 'image_size', 'joints_3d'):
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    assert (a['mask_paths'] is None) == (b['mask_paths'] is None)
    for key in ('img_paths', 'mask_paths'):
        assert len(a[key] or []) == len(b[key] or [])
        assert all(filecmp.cmp(p, q, shallow=False)
                   for p, q in zip(a[key] or [], b[key] or [])), key
    assert len(a['background_paths']) == len(b['background_paths'])
    for p, q in zip(a['background_paths'], b['background_paths']):
        assert p != q
        np.testing.assert_array_equal(read_image(p), read_image(q))


def test_export_layout(nsd_root, boxing_root):
    files = files_under(boxing_root)
    assert len(files) == 1 + 2 * 3 * 4 * 2  # labels, images, masks
    assert files[:3] == ['labels.h5', 'seq_000/cam_00/img_000000.jpg',
                         'seq_000/cam_00/img_000001.jpg']
    assert 'seq_001/cam_02/mask_000003.png' in files
    rows = labels(boxing_root)
    with open(osp.join(nsd_root, 'calibration.json')) as f:
        calib = json.load(f)
    np.testing.assert_array_equal(rows['R'][2], calib['cameras']['cam_02']['R'])
    assert rows['image_size'].tolist() == [[48, 32]] * 3
    assert sorted(zip(rows['seq'], rows['cam'], rows['frame'])) == [
        (s, c, f) for s in range(2) for c in range(3) for f in range(4)]
    np.testing.assert_array_equal(
        rows['pose_3d'][(rows['pose_seq'] == 1) & (rows['pose_frame'] == 2)][0],
        np.load(osp.join(nsd_root, 'seq_001', 'poses3d.npy'))[2])


@pytest.mark.parametrize('kwargs', [
    {},
    dict(sequences=['seq_001'], cameras=['cam_02', 'cam_00'], frame_interval=3),
])
def test_data_infos_equal(nsd_root, boxing_root, kwargs):
    before = files_under(boxing_root)
    nsd = MultiViewDataset(data_root=nsd_root, background_frames=3, **kwargs)
    box = BoxingDataset(data_root=str(boxing_root), background_frames=3,
                        **kwargs)
    assert len(nsd) == len(box) == (8 if not kwargs else 2)
    assert nsd.metainfo == box.metainfo
    assert box.metainfo['num_people'] == 2
    for index in range(len(nsd)):
        assert_same_info(nsd.get_data_info(index), box.get_data_info(index))
    info = box.get_data_info(len(box) - 1)
    assert info['img_paths'][0] == osp.join(
        str(boxing_root), info['seq'], info['cameras'][0],
        f"img_{info['frame']:06d}.jpg")
    assert not np.isnan(info['joints_3d']).any()
    assert files_under(boxing_root) == before  # nothing written there


def test_pipelines_yield_equal_tensors(nsd_root, boxing_root):
    init_default_scope('nsd_toolkit')
    nsd = MultiViewDataset(data_root=nsd_root, pipeline=PIPELINE)
    box = BoxingDataset(data_root=str(boxing_root), pipeline=PIPELINE)
    for index in range(len(nsd)):
        a, b = nsd[index], box[index]
        for key in ('img', 'background', 'K', 'R', 't'):
            assert torch.equal(a['inputs'][key], b['inputs'][key]), key
        sa, sb = a['data_samples'], b['data_samples']
        assert sa.metainfo == sb.metainfo
        assert torch.equal(sa.gt_masks, sb.gt_masks)
        torch.testing.assert_close(sa.gt_bboxes, sb.gt_bboxes, rtol=0, atol=0,
                                   equal_nan=True)
        assert torch.equal(sa.gt_joints_3d, sb.gt_joints_3d)
    assert sa.gt_bboxes.shape == (2, 2, 4)


def test_built_from_config(boxing_root):
    init_default_scope('nsd_toolkit')
    dataset = DATASETS.build(
        dict(type='BoxingDataset', data_root=str(boxing_root),
             sequences=['seq_001'], frame_interval=2))
    assert [(d['seq'], d['frame']) for d in dataset] == [('seq_001', 0),
                                                         ('seq_001', 2)]


def test_partial_poses_and_no_masks(copy):
    rows = labels(copy)
    keep = (rows['pose_seq'] == 0) & (rows['pose_frame'] != 1)
    edit_labels(copy, **{key: rows[key][keep]
                         for key in ('pose_seq', 'pose_frame', 'pose_3d')})
    (copy / 'seq_000' / 'cam_01' / 'mask_000002.png').unlink()
    box = BoxingDataset(data_root=str(copy))
    infos = [box.get_data_info(i) for i in range(len(box))]
    assert np.isnan(infos[1]['joints_3d']).all()
    np.testing.assert_array_equal(infos[3]['joints_3d'], rows['pose_3d'][keep][2])
    assert infos[4]['joints_3d'] is None and infos[4]['num_people'] == 2
    assert infos[2]['mask_paths'] is None and infos[3]['mask_paths'] is not None


def test_without_poses(copy):
    edit_labels(copy, pose_seq=None, pose_frame=None, pose_3d=None)
    box = BoxingDataset(data_root=str(copy), metainfo=dict(num_people=3))
    info = box.get_data_info(0)
    assert info['joints_3d'] is None
    assert info['num_people'] == box.metainfo['num_people'] == 3


def test_missing_labels_file(copy):
    (copy / 'labels.h5').unlink()
    with pytest.raises(DatasetFormatError, match='labels.h5: labels file not'):
        BoxingDataset(data_root=str(copy))


def test_unreadable_labels_file(copy):
    (copy / 'labels.h5').write_bytes(b'not hdf5')
    with pytest.raises(DatasetFormatError, match='labels.h5: unreadable'):
        BoxingDataset(data_root=str(copy))


def test_h5py_missing(copy, monkeypatch):
    monkeypatch.setitem(sys.modules, 'h5py', None)
    with pytest.raises(ImportError, match='pip install h5py'):
        BoxingDataset(data_root=str(copy))


def _replace(rows, key, index, value):
    """``{key: rows[key]}`` with ``rows[key][index] = value``."""
    array = rows[key].copy()
    array[index] = value
    return {key: array}


def _cam1_frames(rows, change):
    """Frame column with the rows of camera 1 changed by ``change``."""
    cam1 = rows['cam'] == 1
    return _replace(rows, 'frame', cam1, change(rows['frame'][cam1]))


BAD_LABELS = {
    'missing-key': (lambda r: dict(K=None), r"missing key\(s\) \['K'\]"),
    'partial-pose-keys': (lambda r: dict(pose_frame=None),
                          r"missing key\(s\) \['pose_frame'\]"),
    'K-shape': (lambda r: dict(K=r['K'][0]),
                r"key 'K' must have shape \[C, 3, 3\], got \[3, 3\]"),
    't-shape': (lambda r: dict(t=r['t'][:, :2]),
                r"key 't' must have shape \[C=3, 3\]"),
    'row-count': (lambda r: dict(cam=r['cam'][1:]),
                  r"key 'cam' must have shape \[M=24\]"),
    'joints': (lambda r: dict(pose_3d=r['pose_3d'][..., :15, :]),
               r"key 'pose_3d' must have shape \[P=8, N=2, 17, 3\]"),
    'float-seq': (lambda r: dict(seq=r['seq'].astype(float)),
                  "key 'seq' must hold integer"),
    'no-rows': (lambda r: {k: r[k][:0] for k in ('seq', 'cam', 'frame')},
                'no image rows'),
    'negative-frame': (lambda r: dict(frame=-r['frame']),
                       "key 'frame' holds negative values"),
    'camera-range': (lambda r: _replace(r, 'cam', 5, 3),
                     "key 'cam' holds camera 3, .* 3 cameras"),
    'not-rotation': (lambda r: _replace(r, 'R', (1, 0, 0), 2.),
                     r"cameras\['cam_01'\].R is not a rotation"),
    'frame-counts': (lambda r: _replace(r, 'seq', r['cam'] == 1, 5),
                     r"sequence 'seq_000': cameras have different frame "
                     r"counts \{'cam_00': 4, 'cam_01': 0, 'cam_02': 4\}"),
    'frame-numbers': (lambda r: _cam1_frames(r, lambda f: f + 10 * (f == 3)),
                      "sequence 'seq_000': frame numbers of cameras 'cam_00' "
                      "and 'cam_01'"),
    'duplicate-rows': (lambda r: _cam1_frames(r, lambda f: f // 2),
                       "duplicate rows of sequence 'seq_000' camera 'cam_01'"),
    'duplicate-poses': (lambda r: _replace(r, 'pose_frame', 1, 0),
                        "duplicate pose rows .* of sequence 'seq_000'"),
}


@pytest.mark.parametrize('case', BAD_LABELS)
def test_bad_labels(copy, case):
    change, message = BAD_LABELS[case]
    edit_labels(copy, **change(labels(copy)))
    with pytest.raises(DatasetFormatError, match='labels.h5: ' + message):
        BoxingDataset(data_root=str(copy))


def test_missing_image(copy):
    (copy / 'seq_001' / 'cam_02' / 'img_000002.jpg').unlink()
    with pytest.raises(DatasetFormatError,
                       match=r'seq_001/cam_02/img_000002.jpg: image of .*'
                       r'labels.h5 not found .*1 of 4 missing'):
        BoxingDataset(data_root=str(copy))


def test_missing_camera_folder(copy):
    shutil.rmtree(copy / 'seq_001' / 'cam_01')
    with pytest.raises(DatasetFormatError,
                       match=r"labels.h5: cameras\['cam_01'\]: calibrated "
                       'camera without a folder in .*seq_001$'):
        BoxingDataset(data_root=str(copy))


def test_unknown_selection(copy):
    with pytest.raises(DatasetFormatError, match=r"\['cam_03'\] not in calib"):
        BoxingDataset(data_root=str(copy), cameras=['cam_00', 'cam_03'])
    with pytest.raises(DatasetFormatError, match=r"\['seq_7'\] have no rows"):
        BoxingDataset(data_root=str(copy), sequences=['seq_7'])


def test_export_renumbers_other_names(tmp_path):
    """PNG frames, 'seq0'/'cam0' names, poses of one person."""
    src = write_multiview_root(tmp_path / 'src', sequences={'seq0': 3})
    names = export_boxing(str(src), str(tmp_path / 'out'), progress=False)
    assert names == dict(sequences={'seq0': 'seq_000'},
                         cameras={f'cam{i}': f'cam_0{i}' for i in range(3)})
    nsd = MultiViewDataset(data_root=str(src))
    box = BoxingDataset(data_root=str(tmp_path / 'out'))
    a, b = nsd.get_data_info(2), box.get_data_info(2)
    assert b['img_paths'][1].endswith('seq_000/cam_01/img_000002.png')
    assert b['cameras'] == ['cam_00', 'cam_01', 'cam_02']
    assert_same_info(dict(a, cameras=b['cameras'], seq=b['seq']), b)


def test_export_refuses_per_sequence_calibration(tmp_path):
    src = write_multiview_root(tmp_path / 'src', sequences={'seq0': 2, 'seq1': 2})
    calib = json.loads((src / 'calibration.json').read_text())
    calib['cameras']['cam1']['t'] = [10., 20., 2500.]
    (src / 'seq1' / 'calibration.json').write_text(json.dumps(calib))
    with pytest.raises(ValueError, match='seq1/calibration.json: .*one calib'):
        export_boxing(str(src), str(tmp_path / 'out'), progress=False)
    assert os.listdir(tmp_path) == ['src']


def test_export_refuses_out_inside_src(nsd_root):
    with pytest.raises(ValueError, match='must not lie inside'):
        export_boxing(nsd_root, osp.join(nsd_root, 'boxing'))


@pytest.fixture(scope='module')
def cli_main():
    return runpy.run_path(SCRIPT)['main']


def test_cli_refuses_existing_out(nsd_root, tmp_path, capsys, cli_main):
    out = tmp_path / 'out'
    out.mkdir()
    (out / 'keep.txt').write_text('x')
    with pytest.raises(SystemExit) as exc:
        cli_main([nsd_root, str(out), '--no-progress'])
    assert exc.value.code != 0
    assert 'not empty' in capsys.readouterr().err
    assert os.listdir(out) == ['keep.txt']


@pytest.mark.parametrize('error', [RuntimeError, KeyboardInterrupt])
def test_cli_failure_leaves_no_output(nsd_root, tmp_path, monkeypatch,
                                      cli_main, error):
    """A failure while copying (or an interruption) leaves nothing behind."""
    calls, copyfile = [], shutil.copyfile

    def failing_copy(*args):
        calls.append(args)
        if len(calls) == 30:
            raise error('stop')
        return copyfile(*args)

    monkeypatch.setattr(boxing.shutil, 'copyfile', failing_copy)
    with pytest.raises(error, match='stop'):
        cli_main([nsd_root, str(tmp_path / 'out'), '--no-progress'])
    assert os.listdir(tmp_path) == []


def test_failure_writing_labels_leaves_no_output(nsd_root, tmp_path,
                                                 monkeypatch):
    def fail(*args):
        raise OSError('disk full')

    monkeypatch.setattr(boxing, '_write_labels', fail)
    with pytest.raises(OSError, match='disk full'):
        export_boxing(nsd_root, str(tmp_path / 'out'), progress=False)
    assert os.listdir(tmp_path) == []
