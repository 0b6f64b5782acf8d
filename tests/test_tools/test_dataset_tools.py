"""tools/misc/check_dataset.py and tools/misc/browse_dataset.py."""
import importlib.util
import os.path as osp
import shutil
import subprocess
import sys

import pytest

HERE = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(osp.dirname(HERE))

CONFIG = """\
default_scope = 'nsd_toolkit'
pipeline = [dict(type='SampleViews', mode='all'),
            dict(type='LoadMultiViewImages')]
train_dataloader = dict(dataset=dict(
    type='MultiViewDataset', data_root={root!r}, sequences=['seq_000'],
    pipeline=pipeline, with_labels=False))
val_dataloader = dict(dataset=dict(
    type='MultiViewDataset', data_root={root!r}, sequences=['seq_001'],
    frame_interval=2, test_mode=True, pipeline=pipeline))
test_dataloader = val_dataloader
"""


def load_tool(name):
    spec = importlib.util.spec_from_file_location(
        f'nsd_tool_{name}', osp.join(REPO, 'tools', 'misc', f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def config(synthetic_root, tmp_path):
    """A config of a copy of the synthetic dataset, and the copy."""
    root = shutil.copytree(synthetic_root, tmp_path / 'data')
    path = tmp_path / 'cfg.py'
    path.write_text(CONFIG.format(root=str(root)))
    return str(path), root


def test_check_dataset_reports_and_exits_zero(config, capsys):
    path, _ = config
    tool = load_tool('check_dataset')
    assert tool.main([path, '--no-progress']) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith('[train] MultiViewDataset ')
    assert '  frames: 4 (4 items)' in out
    assert '  frames: 4 (2 items)' in out  # val: frame_interval=2
    assert '[test: same datasets as val]' in out
    assert out[-1] == '0 error(s), 0 warning(s)'
    with pytest.raises(SystemExit) as info:
        tool.main([path, '--split', 'test', '--cfg-options',
                   'test_dataloader=None'])
    assert info.value.code == 2
    assert "the config has no dataset for ['test']" in capsys.readouterr().err


def test_check_dataset_exits_one_on_errors(config, tmp_path):
    path, root = config
    (root / 'seq_001' / 'cam_03' / '000001.jpg').unlink()
    proc = subprocess.run(
        [sys.executable, osp.join(REPO, 'tools', 'misc', 'check_dataset.py'),
         path, '--split', 'train', 'val', '--cfg-options',
         "train_dataloader.dataset.data_root='/nonexistent'"],
        cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert 'Traceback' not in proc.stderr
    lines = proc.stdout.splitlines()
    assert ("  ERROR: /nonexistent/calibration.json: calibration file not "
            'found') in lines
    assert any("seq_001: cameras have different frame counts" in line
               and "camera 'cam_03' lacks frame(s) [1]" in line
               for line in lines)
    assert lines[-1] == '2 error(s), 0 warning(s)'


def test_browse_dataset_writes_pictures(config, tmp_path, capsys,
                                        monkeypatch):
    path, _ = config
    out_dir = tmp_path / 'pictures'
    tool = load_tool('browse_dataset')
    browsed = []

    def browse_and_keep(dataset, *args):
        browsed.append(dataset)
        return browse(dataset, *args)

    browse = tool.browse_dataset
    monkeypatch.setattr(tool, 'browse_dataset', browse_and_keep)
    assert tool.main([path, '--output-dir', str(out_dir), '--num-samples',
                      '3', '--split', 'train']) == 0
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == ['000000_seq_000_000000.png', '000002_seq_000_000002.png',
                     '000003_seq_000_000003.png']
    assert all((out_dir / n).read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
               for n in names)
    assert '3 picture(s) written' in capsys.readouterr().out
    # the training loader skips the labels; the pictures draw them all the same
    assert browsed[0].get_data_info(0)['joints_3d'] is not None
