"""plot_metrics.py, analyze_logs.py and box_prior_from_calibration.py."""
import json
import os.path as osp
import platform

import numpy as np
import pytest
import torch
from nsd_test_utils import load_tool

TOOLS = osp.join(osp.dirname(__file__), '..', '..', 'tools')


def write_scalars(folder, records):
    folder.mkdir(parents=True)
    with open(folder / 'scalars.json', 'w') as f:
        for record in records:
            f.write(json.dumps(record) + '\n')


def test_plot_metrics_merges_resumed_runs(tmp_path):
    tool = load_tool('analysis_tools/plot_metrics.py')
    write_scalars(tmp_path / '20260101_000000' / 'vis_data', [
        dict(step=10, loss=1.0, loss_pixel=0.5),
        dict(step=10, **{'decomposition/mask_iou': 0.2}),
    ])
    write_scalars(tmp_path / '20260101_010000' / 'vis_data', [
        dict(step=20, loss=0.5, loss_pixel=0.25),
        dict(step=20, **{'decomposition/mask_iou': 0.4}),
    ])
    series = tool.read_scalars(str(tmp_path))
    assert series['decomposition/mask_iou'] == {10: 0.2, 20: 0.4}
    assert series['loss_pixel'] == {10: 0.5, 20: 0.25}
    tool.main([str(tmp_path)])
    png = tmp_path / 'metrics.png'
    assert png.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'


def test_plot_metrics_errors_name_the_work_dir(tmp_path, capsys):
    tool = load_tool('analysis_tools/plot_metrics.py')
    with pytest.raises(SystemExit) as exit_info:
        tool.main([str(tmp_path)])
    assert exit_info.value.code == 2
    assert 'scalars.json' in capsys.readouterr().err
    assert not (tmp_path / 'metrics.png').exists()


# a training run resumed at iteration 40: training records hold `iter`, the
# validation record's `time` (the validation loop's) must not count
RESUMED_RUNS = {
    '20260101_000000': [
        dict(step=10, iter=10, loss=1.0, time=0.5),  # start-up
        dict(step=20, iter=20, loss=0.8, time=0.2),
        dict(step=20, time=9.0, data_time=8.0, **{'decomposition/mask_iou': 0.3}),
        dict(step=30, iter=30, loss=0.6, time=0.3),
    ],
    '20260101_010000': [
        dict(step=40, iter=40, loss=0.5, time=0.7),  # start-up
        dict(step=50, iter=50, loss=0.4, time=0.1),
        dict(step=60, iter=60, loss=0.3, time=0.4),
        dict(step=60, time=9.0, **{'decomposition/mask_iou': 0.5}),
    ],
}


@pytest.fixture
def resumed_work_dir(tmp_path):
    for run, records in RESUMED_RUNS.items():
        write_scalars(tmp_path / 'work' / run / 'vis_data', records)
    return str(tmp_path / 'work')


def test_cal_train_time_by_hand(resumed_work_dir, capsys):
    tool = load_tool('analysis_tools/analyze_logs.py')
    stats, = tool.main(['cal_train_time', resumed_work_dir])
    # without each run's first record: 0.2, 0.3, 0.1, 0.4 s/iter
    assert stats['intervals'] == 4
    assert stats['mean'] == pytest.approx(0.25)
    # deviations -0.05, 0.05, -0.15, 0.15
    assert stats['std'] == pytest.approx(((2 * 0.05**2 + 2 * 0.15**2) / 4)**0.5)
    assert stats['slowest'] == (60, pytest.approx(0.4))
    assert stats['fastest'] == (50, pytest.approx(0.1))
    out = capsys.readouterr().out
    assert 'slowest interval: up to iteration 60, 0.4000 s/iter' in out
    assert 'fastest interval: up to iteration 50, 0.1000 s/iter' in out
    assert 'time std over intervals: 0.1118 s/iter' in out
    assert 'average iter time: 0.2500 s/iter (4 logged intervals)' in out
    stats, = tool.main(['cal_train_time', resumed_work_dir,
                        '--include-outliers'])
    assert stats['intervals'] == 6
    assert stats['mean'] == pytest.approx(2.2 / 6)
    assert stats['slowest'] == (40, pytest.approx(0.7))
    # one run's file: its records only
    one_run = osp.join(resumed_work_dir, '20260101_000000', 'vis_data',
                       'scalars.json')
    stats, = tool.main(['cal_train_time', one_run])
    assert stats['mean'] == pytest.approx(0.25)  # 0.2 and 0.3
    assert stats['intervals'] == 2


def test_plot_curve_draws_each_key_of_each_log(resumed_work_dir, tmp_path,
                                               monkeypatch):
    tool = load_tool('analysis_tools/analyze_logs.py')
    out = tmp_path / 'curves.png'
    assert tool.main(['plot_curve', resumed_work_dir, resumed_work_dir,
                      '--keys', 'loss', 'decomposition/mask_iou', '--legend',
                      'a', 'b', '--out', str(out)]) == str(out)
    assert out.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    figures = []
    monkeypatch.setattr(tool, 'save_figure', lambda fig, path: figures.append(fig))
    tool.main(['plot_curve', resumed_work_dir, '--keys', 'loss',
               'decomposition/mask_iou', 'time', '--out', str(out)])
    axes = figures[0].axes
    assert [ax.get_title() for ax in axes] == [
        'loss', 'decomposition/mask_iou', 'time']
    drawn = [(list(line.get_xdata()), list(line.get_ydata()))
             for ax in axes for line in ax.get_lines()]
    steps = [10, 20, 30, 40, 50, 60]
    assert drawn == [(steps, [1.0, 0.8, 0.6, 0.5, 0.4, 0.3]),
                     ([20, 60], [0.3, 0.5]),
                     (steps, [0.5, 0.2, 0.3, 0.7, 0.1, 0.4])]


@pytest.mark.parametrize('argv, message', [
    (['plot_curve', '{work}', '--keys', 'los', '--out', '{out}'], "no 'los'"),
    (['plot_curve', '{work}', '--legend', 'a', 'b', '--out', '{out}'],
     'argument --legend'),
    (['plot_curve', '{work}', '--out', '{out}.xyz'], "'xyz' is not supported"),
    (['cal_train_time', '{empty}'], 'no */vis_data/scalars.json'),
])
def test_analyze_logs_errors(resumed_work_dir, tmp_path, capsys, argv,
                             message):
    tool = load_tool('analysis_tools/analyze_logs.py')
    out = tmp_path / 'curves.png'
    argv = [arg.format(work=resumed_work_dir, out=out, empty=tmp_path / 'empty')
            for arg in argv]
    with pytest.raises(SystemExit) as exit_info:
        tool.main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert not any(path.is_file() for path in tmp_path.iterdir())


def test_box_prior_from_calibration(synthetic_root, capsys):
    tool = load_tool('misc/box_prior_from_calibration.py')
    tool.main([synthetic_root, '--aspect', '3.0'])
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines()
            if line.startswith('cam_')]
    assert len(rows) == 4
    sy = np.array([float(r[1]) for r in rows])
    sx = np.array([float(r[2]) for r in rows])
    # the generator frames a person at ~55 % of the image height
    assert np.all((sy > 0.35) & (sy < 0.8))
    # sx = sy * H / (aspect * W) for 64x48 frames
    np.testing.assert_allclose(sx, sy * 48 / (3.0 * 64), atol=2e-3)
    assert f'model.prior.scale_target={sy.mean():.2f}' in out


def test_box_prior_tool_names_missing_calibration(tmp_path, capsys):
    tool = load_tool('misc/box_prior_from_calibration.py')
    with pytest.raises(SystemExit):
        tool.main([str(tmp_path)])
    assert 'calibration.json' in capsys.readouterr().err


def test_benchmark_train_step_times_every_part(capsys, monkeypatch):
    from mmengine.optim import OptimWrapper
    tool = load_tool('analysis_tools/benchmark_train_step.py')
    # the step goes through the optimiser wrapper, as the runner's does
    # (backward, step, then the gradients cleared)
    updates = []
    update_params = OptimWrapper.update_params

    def recorded(self, loss, *args, **kwargs):
        updates.append(float(loss))
        return update_params(self, loss, *args, **kwargs)

    monkeypatch.setattr(OptimWrapper, 'update_params', recorded)
    tool.main([osp.join(TOOLS, '..', 'configs', 'nsd_synthetic_2p.py'),
               '--batch-size', '1', '--size', '64', '48', '--iters', '1',
               '--warmup', '0', '--cfg-options', 'model.use_depth=True'])
    assert len(updates) == 1  # --iters 1, --warmup 0
    out = capsys.readouterr().out
    assert '1 view pairs of 64x48' in out and 'fp32' in out
    assert 'Adam (fused)' in out  # the config's optimiser, as train.py's
    # the config's allocator settings, as its Runner applies them
    assert out.splitlines()[0].endswith(', host allocator hook applied') == (
        platform.libc_ver()[0] == 'glibc')
    timed = [line.split()[0] for line in out.splitlines()[1:]]
    assert timed == ['train', 'achieved', 'detector', 'encoder', 'decoder',
                     'perceptual_loss']
    assert 'of the measured fp32 matrix product' in out


def test_benchmark_train_step_under_bfloat16_autocast(capsys, monkeypatch):
    tool = load_tool('analysis_tools/benchmark_train_step.py')
    dtypes = []
    autocast = tool.torch.autocast

    def recording_autocast(device_type, dtype, enabled):
        dtypes.append((dtype, enabled))
        return autocast(device_type, dtype=dtype, enabled=enabled)

    monkeypatch.setattr(tool.torch, 'autocast', recording_autocast)
    tool.main([osp.join(TOOLS, '..', 'configs', 'nsd_synthetic_1p.py'),
               '--batch-size', '1', '--size', '64', '48', '--iters', '1',
               '--warmup', '0', '--amp', 'bfloat16'])
    assert 'bf16 autocast' in capsys.readouterr().out
    assert set(dtypes) == {(torch.bfloat16, True)}


def test_benchmark_loader_times_the_preprocessor_the_model_uses():
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    tool = load_tool('analysis_tools/benchmark_loader.py')
    init_default_scope('nsd_toolkit')
    # a pose model names none: it takes its NSD config's (non-blocking copies)
    config = Config.fromfile(
        osp.join(TOOLS, '..', 'configs', 'pose', 'nsd_synthetic_2p_pose.py'))
    assert 'data_preprocessor' not in config.model
    assert tool.build_preprocessor(config, 'cpu')._non_blocking
    del config.model.nsd['data_preprocessor']
    assert not tool.build_preprocessor(config, 'cpu')._non_blocking


def test_get_flops_prints_every_component_and_the_total(capsys):
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from nsd_toolkit.registry import MODELS
    from nsd_toolkit.utils.complexity import (loss_forward_flops,
                                              random_train_inputs)
    tool = load_tool('analysis_tools/get_flops.py')
    config = osp.join(TOOLS, '..', 'configs', 'nsd_synthetic_2p.py')
    flops = tool.main([config, '--batch-size', '2', '--size', '64', '48'])
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()}
    for name in ('detector', 'encoder', 'decoder', 'perceptual_loss',
                 'associator', 'depth_compositor'):
        assert name in rows
    assert rows['decoder'][1] == f'{flops["decoder"] / 1e9:.2f}'
    assert f'{3 * flops["total"] / 1e9:.2f} GFLOPs' in out
    # the same count as the library function on the same inputs
    init_default_scope('nsd_toolkit')
    model = MODELS.build(Config.fromfile(config).model).train()
    assert loss_forward_flops(
        model, random_train_inputs(model, 2, 64, 48)) == flops


def test_benchmark_train_step_names_a_bad_device(capsys):
    tool = load_tool('analysis_tools/benchmark_train_step.py')
    with pytest.raises(SystemExit) as exit_info:
        tool.main([osp.join(TOOLS, '..', 'configs', 'nsd_synthetic_1p.py'),
                   '--device', 'no_such_device'])
    assert exit_info.value.code == 2
    assert '--device no_such_device' in capsys.readouterr().err


def test_depth_cues_on_zoomed_scenes(tmp_path, capsys):
    """GT stands in for the model (every person detected with its own mask);
    where zoom cuts people at the border the triangulated cue orders at
    least as many occluding pairs as the lower-box cue."""
    from nsd_toolkit.synthetic import generate_synthetic_dataset
    root = tmp_path / 'zoom'
    generate_synthetic_dataset(str(root), num_people=2, num_views=4,
                               num_frames=40, size=(64, 48), seed=1,
                               zoom=2.0, progress=False)
    tool = load_tool('analysis_tools/depth_cues.py')
    config = osp.join(TOOLS, '..', 'configs', 'nsd_synthetic_2p.py')
    out = tmp_path / 'cues.json'
    metrics = tool.main([
        config, '--data-root', str(root), '--out', str(out),
        '--cfg-options', 'val_dataloader.dataset.sequences=[seq_000]',
        'val_dataloader.dataset.frame_interval=1'
    ])
    assert metrics['detection_rate'] == 1.0
    assert metrics['mask_iou'] == pytest.approx(1.0)
    assert metrics['depth_order_pairs'] > 0
    assert metrics['depth_order_cue_accuracy'] < 1.0  # feet cut: cue fails
    assert metrics['depth_order_accuracy'] >= \
        metrics['depth_order_cue_accuracy']
    assert json.loads(out.read_text())['depth_order_pairs'] == \
        metrics['depth_order_pairs']
    assert '| val |' in capsys.readouterr().out


def test_depth_cues_names_a_missing_split(tmp_path, capsys):
    config = tmp_path / 'no_test.py'
    config.write_text('model = dict()\n')
    tool = load_tool('analysis_tools/depth_cues.py')
    with pytest.raises(SystemExit):
        tool.main([str(config), '--split', 'test'])
    assert 'test_dataloader' in capsys.readouterr().err


def test_eval_pose_predictions_scores_a_file(tmp_path, capsys,
                                             synthetic_root_2p):
    from mmengine.registry import init_default_scope

    from nsd_toolkit.registry import DATASETS
    init_default_scope('nsd_toolkit')
    split = DATASETS.build(
        dict(type='MultiViewDataset', data_root=synthetic_root_2p,
             sequences=['seq_001'], test_mode=True,
             pipeline=[dict(type='SampleViews', mode='all'),
                       dict(type='LoadMultiViewImages'),
                       dict(type='PackMultiViewInputs')]))
    sample = split[0]['data_samples']
    joints = sample.gt_joints_cam.numpy()
    joints[..., 1:, 2] += 30.0  # every non-root joint 30 mm too far
    predictions = {sample.seq: {
        cam: {str(sample.frame): joints[view].tolist()}
        for view, cam in enumerate(sample.cameras)}}
    path = tmp_path / 'pred.json'
    path.write_text(json.dumps(predictions))
    tool = load_tool('analysis_tools/eval_pose_predictions.py')
    config = osp.join(TOOLS, '..', 'configs', 'pose', 'nsd_synthetic_2p_pose.py')
    out = tmp_path / 'metrics.json'
    metrics = tool.main([
        config, str(path), '--data-root', synthetic_root_2p, '--out', str(out),
        '--cfg-options', 'test_dataloader.dataset.sequences=[seq_001]',
        'test_dataloader.dataset.frame_interval=100'
    ])
    assert metrics['images'] == 4 and metrics['images_without_prediction'] == 0
    assert metrics['mpjpe_mm'] == pytest.approx(30.0 * 16 / 17)
    assert json.loads(out.read_text())['mpjpe_mm'] == metrics['mpjpe_mm']
    assert '"mpjpe_mm"' in capsys.readouterr().out

    path.write_text('{"seq_001": {"cam_00": {"0": [[1, 2]]}}}')
    with pytest.raises(SystemExit):
        tool.main([config, str(path), '--data-root', synthetic_root_2p])
    assert 'pred.json' in capsys.readouterr().err

    # an --out that is a folder stops before the predictions are scored
    with pytest.raises(SystemExit):
        tool.main([config, str(path), '--out', str(tmp_path)])
    assert 'argument --out' in capsys.readouterr().err


def test_benchmark_loader_rates(synthetic_root, capsys, monkeypatch):
    import itertools
    tool = load_tool('analysis_tools/benchmark_loader.py')
    config = osp.join(TOOLS, '..', 'configs', 'nsd_synthetic_1p.py')
    options = ['--cfg-options', f'train_dataloader.dataset.data_root={synthetic_root}',
               'train_dataloader.dataset.sequences=[seq_000]',
               'train_dataloader.batch_size=2']
    # every perf_counter call 0.25 s after the previous one: per timed batch
    # 0.25 s waiting for the loader and 0.25 s in the preprocessor, so 3
    # batches of 2 pairs are drawn at 6 / 0.75 s and delivered at 6 / 1.5 s
    ticks = itertools.count(step=0.25)
    monkeypatch.setattr(tool.time, 'perf_counter', lambda: next(ticks))
    # every batch, warm-up included, is made ready by the model's preprocessor
    delivered = []
    build = tool.build_preprocessor

    def counting_preprocessor(cfg, device):
        preprocessor = build(cfg, device)
        return lambda batch: delivered.append(preprocessor(batch)) or \
            delivered[-1]

    monkeypatch.setattr(tool, 'build_preprocessor', counting_preprocessor)
    rates = tool.main([config, '--workers', '0', '--batches', '3',
                       '--warmup', '1', '--step-seconds', '0.5',
                       '--device', 'cpu', *options])
    assert rates == {0: pytest.approx(4.0)}
    assert len(delivered) == 4
    assert delivered[-1]['inputs']['img'].dtype == torch.float32
    assert delivered[-1]['inputs']['img'].shape[:2] == (2, 2)
    out = capsys.readouterr().out
    assert 'batches of 2 view pairs onto cpu' in out
    assert '2.00 batches/s' in out
    assert '4.0 pairs/s delivered (8.0 drawn)' in out
    # the step consumes 2 pairs per 0.5 s: delivery just keeps up
    assert '= 1.00 x the step\'s consumption (4.0 pairs/s)' in out
    with pytest.raises(SystemExit):
        tool.main([config, '--workers', '-1'])
    assert '--workers must be >= 0' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        tool.main([config, '--device', 'tpu0'])
    assert "--device 'tpu0'" in capsys.readouterr().err
