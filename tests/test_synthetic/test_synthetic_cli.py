"""Command line of tools/dataset_converters/make_synthetic.py."""
import json
import os
import os.path as osp
import runpy
import subprocess
import sys

import numpy as np
import pytest

SCRIPT = osp.join(osp.dirname(__file__), '..', '..', 'tools',
                  'dataset_converters', 'make_synthetic.py')


@pytest.fixture(scope='module')
def cli_main():
    return runpy.run_path(SCRIPT)['main']


def test_script_writes_dataset(tmp_path):
    out = tmp_path / 'out'
    result = subprocess.run([
        sys.executable, SCRIPT,
        str(out), '--num-people', '2', '--num-views', '2', '--num-frames', '3',
        '--size', '48', '32', '--seed', '7', '--motion', 'box',
        '--num-test-sequences', '1', '--no-progress'
    ],
                            capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(
        out / 'seq_000')) == ['cam_00', 'cam_01', 'masks', 'poses3d.npy']
    assert np.load(out / 'seq_000' / 'poses3d.npy').shape == (3, 2, 17, 3)
    assert np.load(out / 'test_000' / 'poses3d.npy').shape == (3, 2, 17, 3)


@pytest.mark.parametrize('argv,needle', [
    (['--num-people', '0'], '--num-people'),
    (['--num-views', '-2'], '--num-views'),
    (['--num-frames', 'x'], '--num-frames'),
    (['--size', '0', '48'], '--size'),
    (['--size', '64'], '--size'),
    (['--seed', '-1'], '--seed'),
    (['--num-test-sequences', '-1'], '--num-test-sequences'),
    (['--motion', 'dance'], '--motion'),
    (['--walk-radius', '4000'], 'walk_radius'),
    (['--zoom', '0'], '--zoom'),
    (['--camera-height-jitter', '-5'], '--camera-height-jitter'),
    (['--camera-height-jitter', '2500'], 'camera_height_jitter'),
    (['--min-people', '-1'], '--min-people'),
    (['--min-people', '0.5'], '--min-people'),
    (['--num-people', '2', '--min-people', '3'], 'min_people'),
])
def test_bad_arguments(tmp_path, capsys, cli_main, argv, needle):
    with pytest.raises(SystemExit) as exc:
        cli_main([str(tmp_path / 'out')] + argv + ['--no-progress'])
    assert exc.value.code != 0
    assert needle in capsys.readouterr().err
    assert not (tmp_path / 'out').exists()


def test_non_empty_out_dir_needs_overwrite(tmp_path, capsys, cli_main):
    out = tmp_path / 'out'
    out.mkdir()
    (out / 'keep.txt').write_text('x')
    args = [
        str(out), '--num-frames', '1', '--num-views', '1', '--size', '32',
        '24', '--no-progress'
    ]
    with pytest.raises(SystemExit) as exc:
        cli_main(args)
    assert exc.value.code != 0
    assert '--overwrite' in capsys.readouterr().err
    assert os.listdir(out) == ['keep.txt']
    cli_main(args + ['--overwrite'])
    assert sorted(os.listdir(out)) == [
        'calibration.json', 'seq_000', 'synthetic_meta.json'
    ]


def test_min_people_option(tmp_path, cli_main):
    out = tmp_path / 'out'
    cli_main([
        str(out), '--num-people', '2', '--min-people', '0', '--num-views',
        '1', '--num-frames', '6', '--size', '32', '24', '--seed', '2',
        '--no-progress'
    ])
    with open(out / 'synthetic_meta.json') as f:
        meta = json.load(f)
    assert meta['arguments']['min_people'] == 0
    start, end = np.array(meta['sequences']['seq_000']['present']).T
    frames = np.arange(6)[:, None]
    absent = (frames < start) | (frames >= end)
    assert absent.any()
    poses = np.load(out / 'seq_000' / 'poses3d.npy')
    assert (np.isnan(poses).all(axis=(2, 3)) == absent).all()
