"""label_efficiency.py end to end on tiny schedules, resumed, and its errors."""
import glob
import json
import os.path as osp

import pytest
from mmengine.config import Config
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
    # NSD's checkpoints (one per iteration here) probed on validation with
    # the 8 labelled images; P read the one probing best
    work = out / 'runs' / 'nsd'
    chosen = json.loads((work / 'chosen.json').read_text())
    probed = chosen['val_probe_mpjpe_mm']
    assert set(probed) == {'iter_1.pth', 'iter_2.pth'}
    for name, value in probed.items():
        probe = work / 'probe' / (name[:-4] + '.json')
        assert json.loads(probe.read_text())['latent']['val_mpjpe_mm'] == value
    assert chosen['checkpoint'] == min(probed, key=probed.get)
    train_run = sorted(glob.glob(
        str(out / 'runs' / 'nsd_8' / '*' / 'vis_data' / 'config.py')))[0]
    pose_cfg = Config.fromfile(train_run)  # the test run's comes after it
    assert pose_cfg.model.nsd_checkpoint == str(work / chosen['checkpoint'])
    assert f"nsd: {chosen['checkpoint']}" in (out / 'results.md').read_text()
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


@pytest.mark.parametrize('option', ['--num-labeled', '--self-supervised-iters',
                                    '--pose-iters'])
def test_counts_below_one_are_named(synthetic_root, tmp_path, capsys, option):
    tool = load_tool('analysis_tools/label_efficiency.py')
    with pytest.raises(SystemExit):
        tool.main(['--data-root', synthetic_root, '--out-dir', str(tmp_path),
                   option, '0'])
    assert (f'argument {option}: must be >= 1, got 0'
            in capsys.readouterr().err)
    assert not list(tmp_path.iterdir())  # nothing written


def test_checkpoint_chosen_by_validation_probe(synthetic_root, tmp_path,
                                               monkeypatch):
    tool = load_tool('analysis_tools/label_efficiency.py')
    work = tmp_path / 'runs' / 'nsd'
    (work / 'probe').mkdir(parents=True)
    for iteration, val in ((1, 120.0), (2, 95.5), (10, 101.0)):
        (work / f'iter_{iteration}.pth').write_text('weights')
        (work / 'probe' / f'iter_{iteration}.json').write_text(
            json.dumps(dict(latent=dict(val_mpjpe_mm=val),
                            appearance=dict(val_mpjpe_mm=1.0))))
    (work / 'iter_final.pth').write_text('not a numbered checkpoint')

    def no_runs(*args, **kwargs):
        raise AssertionError('a kept probe was run again')

    monkeypatch.setattr(tool.subprocess, 'run', no_runs)
    study = tool.Study(tool.parse_args(
        ['--data-root', synthetic_root, '--out-dir', str(tmp_path)])[1])
    chosen = study.chosen_checkpoint('nsd', str(work))
    assert chosen == str(work / 'iter_2.pth')  # the latent's, not appearance
    record = json.loads((work / 'chosen.json').read_text())
    assert record['val_probe_mpjpe_mm'] == {
        f'iter_{i}.pth': val
        for i, val in ((1, 120.0), (2, 95.5), (10, 101.0))}
    (work / 'probe' / 'iter_2.json').unlink()  # the choice is kept ...
    moved = tmp_path / 'moved'
    work.rename(moved)  # ... and found where the study now lives
    assert study.chosen_checkpoint('nsd', str(moved)) == str(
        moved / 'iter_2.pth')


def test_older_scores_are_completed_from_the_checkpoint(
        synthetic_root, tmp_path, monkeypatch):
    """A study resumed after the metrics grew: its recorded point and its run's
    test_metrics.json lack a metric, so the kept checkpoint is scored again
    (test.py only, no training) and the point recorded in full."""
    tool = load_tool('analysis_tools/label_efficiency.py')
    old_keys = ('mpjpe_mm', 'n_mpjpe_mm')
    work = tmp_path / 'runs' / 'resnet_full_8'
    work.mkdir(parents=True)
    (work / 'best_pose_mpjpe_mm_iter_2.pth').write_text('weights')
    (work / 'log' / 'vis_data').mkdir(parents=True)
    (work / 'log' / 'vis_data' / 'scalars.json').write_text(
        json.dumps({'pose/mpjpe_mm': 60.0, 'step': 2}) + '\n')
    (work / 'test_metrics.json').write_text(
        json.dumps({f'pose/{key}': 100.0 for key in old_keys}))
    (tmp_path / 'results.json').write_text(json.dumps(
        {'resnet_full': {'8': {key: 100.0 for key in old_keys}}}))
    commands = []

    def score(command, cwd):
        commands.append(command)
        out = command[command.index('--out') + 1]
        with open(out, 'w') as f:
            json.dump({f'pose/{key}': 50.0 for key in tool.METRICS}, f)
        return type('Done', (), dict(returncode=0))()

    monkeypatch.setattr(tool.subprocess, 'run', score)
    results = tool.main([
        '--data-root', synthetic_root, '--out-dir', str(tmp_path),
        '--num-labeled', '8', '--methods', 'resnet_full',
        '--train-sequences', 'seq_000', '--val-sequences', 'seq_001',
        '--test-sequences', 'seq_001'
    ])
    assert [osp.basename(command[1]) for command in commands] == ['test.py']
    assert commands[0][3] == str(work / 'best_pose_mpjpe_mm_iter_2.pth')
    metrics = results['resnet_full']['8']
    assert metrics == dict({key: 50.0 for key in tool.METRICS},
                           val_mpjpe_mm=60.0)
    assert json.loads((tmp_path / 'results.json').read_text()) == results


def test_older_scores_without_their_checkpoint_are_named(
        synthetic_root, tmp_path, monkeypatch):
    """An older run to score again whose chosen checkpoint is gone: the error
    names the run folder, nothing runs and the recorded results stay."""
    tool = load_tool('analysis_tools/label_efficiency.py')
    work = tmp_path / 'runs' / 'resnet_full_8'
    work.mkdir(parents=True)
    (work / 'test_metrics.json').write_text(
        json.dumps({'pose/mpjpe_mm': 100.0}))
    recorded = json.dumps({'resnet_full': {'8': {'mpjpe_mm': 100.0}}})
    (tmp_path / 'results.json').write_text(recorded)

    def no_runs(*args, **kwargs):
        raise AssertionError('nothing can be scored')

    monkeypatch.setattr(tool.subprocess, 'run', no_runs)
    with pytest.raises(SystemExit) as exit_info:
        tool.main([
            '--data-root', synthetic_root, '--out-dir', str(tmp_path),
            '--num-labeled', '8', '--methods', 'resnet_full',
            '--train-sequences', 'seq_000', '--val-sequences', 'seq_001',
            '--test-sequences', 'seq_001'
        ])
    assert str(work) in str(exit_info.value)
    assert 'best_pose_mpjpe_mm_*.pth' in str(exit_info.value)
    assert (tmp_path / 'results.json').read_text() == recorded
