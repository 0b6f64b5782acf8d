"""tools/misc/run_demo.py: the `make demo` walk-through."""
import json
import os.path as osp
import subprocess
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO = osp.join(REPO, 'tools', 'misc', 'run_demo.py')


def run_demo(*args):
    return subprocess.run([sys.executable, DEMO, *args], cwd=REPO,
                          capture_output=True, text=True)


@pytest.mark.parametrize('args, message', [
    (['--iters', '0'], '--iters must be >= 1'),
    (['--seed', '-1'], '--seed must be >= 0'),
])
def test_bad_arguments_are_named(args, message):
    result = run_demo(*args)
    assert result.returncode == 2
    assert message in result.stderr


def test_demo_generates_trains_and_reports_the_test_split(tmp_path):
    """Two iterations end to end: data, training, test metrics, pictures."""
    data, work = tmp_path / 'data', tmp_path / 'work'
    result = run_demo('--seed', '3', '--iters', '2', '--data-root', str(data),
                      '--work-dir', str(work))
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(p.name for p in data.glob('test_*')) == [
        'test_000', 'test_001']
    with open(work / 'test_metrics.json') as f:
        metrics = json.load(f)
    for key in ('mask_iou', 'detection_rate', 'crop_detection_rate'):
        assert 0 <= metrics[f'decomposition/{key}'] <= 1
    assert (work / 'iter_2.pth').is_file()
    assert (work / 'metrics.png').is_file()
    assert list((work / 'panels' / 'test').glob('*.png'))
    assert 'test split (people never seen in training)' in result.stdout
