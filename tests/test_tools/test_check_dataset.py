"""tools/misc/check_dataset.py reads every frame and mask and names the
files that would stop or corrupt training."""
import json
import os.path as osp
import shutil
import subprocess
import sys

import cv2
import numpy as np
import pytest
from test_dataset_tools import CONFIG, REPO, load_tool


@pytest.fixture
def broken(synthetic_root, tmp_path):
    """A config of both sequences of a copy of the synthetic dataset (4
    cameras x 4 frames, 64x48), and the copy."""
    root = shutil.copytree(synthetic_root, tmp_path / 'data')
    path = tmp_path / 'cfg.py'
    path.write_text(CONFIG.format(root=str(root)).replace(
        "sequences=['seq_000'],", "sequences=['seq_000', 'seq_001'],"))
    return str(path), root


def snapshot(root):
    return sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns)
                  for p in root.rglob('*'))


def run_tool(config, *args):
    return subprocess.run(
        [sys.executable, osp.join(REPO, 'tools', 'misc', 'check_dataset.py'),
         config, '--split', 'train', *args], cwd=osp.dirname(config),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        timeout=120)


def test_names_corrupt_empty_and_odd_sized_files(broken):
    config, root = broken
    truncated = root / 'seq_000' / 'cam_01' / '000002.jpg'
    data = truncated.read_bytes()
    truncated.write_bytes(data[:len(data) // 3])
    empty = root / 'seq_001' / 'cam_00' / '000003.jpg'
    empty.write_bytes(b'')
    odd = root / 'seq_001' / 'cam_02' / '000001.jpg'  # mid-camera
    cv2.imwrite(str(odd), np.zeros((24, 32, 3), np.uint8))
    mask = root / 'seq_000' / 'masks' / 'cam_03' / '000000.png'
    cv2.imwrite(str(mask), np.zeros((47, 64), np.uint8))
    before = snapshot(root)
    proc = run_tool(config)
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert 'Traceback' not in proc.stderr
    lines = proc.stdout.splitlines()
    assert '  read: 64 frame and mask files (all)' in lines
    errors = [line for line in lines if line.startswith('  ERROR: ')]
    assert errors == [
        "  ERROR: sequence 'seq_000': camera 'cam_01': 1 of 4 frame(s) "
        f'unreadable: {truncated}: unreadable image: truncated or corrupt '
        f'JPEG: no end-of-image marker (FF D9) at the end of its '
        f'{len(data) // 3} bytes',
        "  ERROR: sequence 'seq_000': camera 'cam_03': 1 of 4 mask(s) differ "
        f"from the calibration's size 64x48 (W x H): {mask} is 64x47",
        "  ERROR: sequence 'seq_001': camera 'cam_00': 1 of 4 frame(s) "
        f'unreadable: {empty}: unreadable image: empty file (0 bytes)',
        "  ERROR: sequence 'seq_001': camera 'cam_02': 1 of 4 frame(s) differ "
        f"from the calibration's size 64x48 (W x H): {odd} is 32x24",
    ]
    assert lines[-1] == '4 error(s), 0 warning(s)'
    assert snapshot(root) == before  # nothing written


def test_quick_samples_every_kth_frame(broken, capsys):
    config, root = broken
    for frame in ('000001', '000003'):  # not read by --quick-step 2
        (root / 'seq_000' / 'cam_00' / f'{frame}.jpg').write_bytes(b'')
    tool = load_tool('check_dataset')
    assert tool.main([config, '--split', 'train', '--no-progress', '--quick',
                      '--quick-step', '2']) == 0
    out = capsys.readouterr().out.splitlines()
    assert '  read: 32 frame and mask files (one frame in 2, --quick)' in out
    assert tool.main([config, '--split', 'train', '--no-progress']) == 1
    with pytest.raises(SystemExit) as info:
        tool.main([config, '--quick', '--quick-step', '0'])
    assert info.value.code == 2
    assert '--quick-step: must be >= 1' in capsys.readouterr().err


def test_calibration_in_metres_is_named(broken):
    config, root = broken
    path = root / 'calibration.json'
    calib = json.loads(path.read_text())
    for camera in calib['cameras'].values():
        camera['t'] = (np.array(camera['t']) / 1000).tolist()
    calib['cameras']['cam_02']['K'][0][0] = 0
    path.write_text(json.dumps(calib))
    proc = run_tool(config)
    assert proc.returncode == 1, proc.stderr[-3000:]
    errors = [line for line in proc.stdout.splitlines()
              if line.startswith('  ERROR: ')]
    assert errors == [
        f"  ERROR: {path}: cameras['cam_02'].K[0][0] = 0: focal length must "
        'be > 0']
    calib['cameras']['cam_02']['K'][0][0] = 50.
    path.write_text(json.dumps(calib))
    proc = run_tool(config)
    [error] = [line for line in proc.stdout.splitlines()
               if line.startswith('  ERROR: ')]
    assert error.startswith(f'  ERROR: {path}: cameras: the cameras lie ')
    assert error.endswith('mm from the scene centre (plausible: 0.5 m to '
                          '100 m); the values look like metres: convert them '
                          'to mm (x 1000)')
