"""label_efficiency.py end to end on tiny schedules, resumed, and its errors."""
import json
import os.path as osp

import pytest
from test_analysis_tools import load_tool


def test_study_trains_scores_and_resumes(synthetic_root, tmp_path,
                                         monkeypatch):
    tool = load_tool('analysis_tools/label_efficiency.py')
    out = tmp_path / 'study'
    argv = [
        '--data-root', synthetic_root, '--out-dir', str(out),
        '--num-labeled', '8', '--methods', 'nsd', 'resnet_full', 'mean_pose',
        '--train-sequences', 'seq_000', '--val-sequences', 'seq_001',
        '--test-sequences', 'seq_001', '--self-supervised-iters', '2',
        '--pose-iters', '2'
    ]
    stale = out / 'runs' / 'resnet_full_8'  # an interrupted earlier attempt
    stale.mkdir(parents=True)
    (stale / 'best_pose_mpjpe_mm_iter_9.pth').write_text('stale')
    results = tool.main(argv)
    assert not osp.exists(stale / 'best_pose_mpjpe_mm_iter_9.pth')
    # 4 frames, every 2nd, 4 views: 8 labelled images
    assert set(results) == {'nsd', 'resnet_full', 'mean_pose'}
    for method in results:
        assert set(results[method]) == {'8'}
        metrics = results[method]['8']
        trained = method != 'mean_pose'  # chosen on validation
        assert set(metrics) == set(tool.METRICS) | (
            {'val_mpjpe_mm'} if trained else set())
        assert all(0 < value < 5000 for value in metrics.values())
    assert osp.isfile(out / 'runs' / 'nsd' / 'iter_2.pth')
    assert json.loads((out / 'results.json').read_text()) == results
    assert '| nsd |' in (out / 'results.md').read_text()
    assert osp.getsize(out / 'label_efficiency.png') > 0

    def no_runs(*args, **kwargs):
        raise AssertionError('a finished run was repeated')

    monkeypatch.setattr(tool.subprocess, 'run', no_runs)
    assert tool.main(argv) == results


def test_bad_arguments_are_named(tmp_path, capsys):
    tool = load_tool('analysis_tools/label_efficiency.py')
    with pytest.raises(SystemExit):
        tool.main(['--data-root', str(tmp_path), '--out-dir', str(tmp_path)])
    assert 'no calibration.json' in capsys.readouterr().err
