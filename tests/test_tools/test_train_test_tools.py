"""tools/train.py and tools/test.py: argument surface and end-to-end runs."""
import glob
import importlib.util
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config

from nsd_toolkit.utils.cli import dump_json_atomic, to_plain

HERE = osp.dirname(osp.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)
from toy_config import REPO, tool_env, write_toy_config  # noqa: E402


def _load_tool(name):
    spec = importlib.util.spec_from_file_location(
        f'nsd_tool_{name}', osp.join(REPO, 'tools', f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


train_tool = _load_tool('train')
test_tool = _load_tool('test')


def _cli_error(capsys, tool, argv):
    with pytest.raises(SystemExit) as info:
        tool.parse_args(argv)
    assert info.value.code == 2
    return capsys.readouterr().err


def _resumable(path, iteration=2):
    """A small checkpoint training can resume from; returns its path."""
    torch.save(dict(meta=dict(epoch=0, iter=iteration), message_hub={},
                    state_dict={'linear.weight': torch.zeros(1, 4)}),
               str(path))
    return str(path)


# the hooks of configs/_base_/default_runtime.py that write and read checkpoints
RESUME_HOOKS = """
default_hooks.update(
    checkpoint=dict(default_hooks['checkpoint'], type='NSDCheckpointHook'),
    fast_resume=dict(type='FastResumeHook'),
    random_state=dict(type='RandomStateHook'))
train_dataloader.update(sampler=dict(type='InfiniteSampler', shuffle=True))
"""


# ---------------------------------------------------------------- CLI errors
def test_missing_config_names_the_argument(capsys, tmp_path):
    missing = str(tmp_path / 'nope.py')
    err = _cli_error(capsys, train_tool, [missing])
    assert 'argument config' in err and 'nope.py' in err
    err = _cli_error(capsys, test_tool, [missing, missing])
    assert 'argument config' in err


def test_missing_checkpoint_names_the_argument(capsys, tmp_path):
    cfg = write_toy_config(tmp_path)
    err = _cli_error(capsys, test_tool, [cfg, str(tmp_path / 'x.pth')])
    assert 'argument checkpoint' in err and 'x.pth' in err
    err = _cli_error(capsys, train_tool,
                     [cfg, '--resume', str(tmp_path / 'x.pth')])
    assert 'argument --resume' in err and 'x.pth' in err


@pytest.mark.parametrize('item', ['train_cfg.max_iters', '=3', 'a=[1,2'])
def test_malformed_cfg_options(capsys, tmp_path, item):
    cfg = write_toy_config(tmp_path)
    err = _cli_error(capsys, train_tool, [cfg, '--cfg-options', item])
    assert 'argument --cfg-options' in err and repr(item) in err


def test_cfg_options_that_cannot_be_applied(capsys, tmp_path):
    cfg_path = write_toy_config(tmp_path)
    parser, args = train_tool.parse_args(
        [cfg_path, '--cfg-options', 'model.type.depth=3'])
    with pytest.raises(SystemExit):
        train_tool.merge_args(Config.fromfile(cfg_path), args, parser)
    assert 'argument --cfg-options' in capsys.readouterr().err


def test_launcher_choices(capsys, tmp_path):
    err = _cli_error(capsys, train_tool,
                     [write_toy_config(tmp_path), '--launcher', 'ray'])
    assert 'argument --launcher' in err


# ------------------------------------------------------------- config merge
def test_merge_args_work_dir_resume_and_options(tmp_path):
    cfg_path = write_toy_config(tmp_path, name='my_exp.py')

    def merged(*argv):
        parser, args = train_tool.parse_args([cfg_path, *argv])
        return train_tool.merge_args(Config.fromfile(cfg_path), args, parser)

    cfg = merged()
    assert cfg.work_dir == osp.join('./work_dirs', 'my_exp')
    assert cfg.launcher == 'none' and not cfg.get('resume', False)
    work = tmp_path / 'elsewhere'
    cfg = merged('--work-dir', str(work), '--resume', '--cfg-options',
                 'train_cfg.max_iters=7', 'model.extra=[1,2]')
    assert cfg.work_dir == str(work)
    assert not cfg.resume  # auto, but nothing saved yet
    assert cfg.train_cfg.max_iters == 7 and cfg.model.extra == [1, 2]
    work.mkdir()
    latest = _resumable(work / 'iter_5.pth', 5)
    (work / 'last_checkpoint').write_text('iter_5.pth')
    cfg = merged('--work-dir', str(work), '--resume')
    assert cfg.resume is True and cfg.load_from == latest  # auto: the latest
    # no workers, no persistent workers (torch refuses the pair)
    cfg = merged('--cfg-options', 'train_dataloader.num_workers=2',
                 'train_dataloader.persistent_workers=True',
                 'val_dataloader.persistent_workers=True')
    assert cfg.train_dataloader.persistent_workers is True
    assert cfg.val_dataloader.persistent_workers is False
    ckpt = _resumable(tmp_path / 'some.pth')
    cfg = merged('--resume', str(ckpt))
    assert cfg.resume is True and cfg.load_from == str(ckpt)
    # the config's own work_dir wins over the default
    with open(cfg_path, 'a') as f:
        f.write("work_dir = 'from_config'\n")
    assert merged().work_dir == 'from_config'


def test_warm_start_checkpoint_is_checked_before_training(capsys, tmp_path):
    warm = tmp_path / 'single_person.pth'
    cfg_path = write_toy_config(tmp_path, extra=f'load_from = {str(warm)!r}\n')

    def merged(*argv):
        parser, args = train_tool.parse_args([cfg_path, *argv])
        return train_tool.merge_args(Config.fromfile(cfg_path), args, parser)

    with pytest.raises(SystemExit):
        merged()
    err = capsys.readouterr().err
    assert 'load_from: checkpoint not found' in err and cfg_path in err
    assert merged('--cfg-options', 'load_from=None').load_from is None
    _resumable(warm)
    # --resume without a saved checkpoint keeps the warm start
    cfg = merged('--work-dir', str(tmp_path / 'fresh'), '--resume')
    assert cfg.load_from == str(warm) and not cfg.resume


def test_a_config_error_ends_cleanly_and_leaves_no_work_dir(capsys,
                                                            tmp_path):
    cfg_path = write_toy_config(tmp_path)
    work = tmp_path / 'new_work'
    for option, named in (('model.type=NoSuchModel', 'NoSuchModel'),
                          ('model.bogus=1', 'bogus')):
        with pytest.raises(SystemExit) as info:
            _train([cfg_path, '--work-dir', str(work), '--cfg-options',
                    option])
        assert info.value.code == 2
        err = capsys.readouterr().err
        assert 'error: ' in err and named in err
        assert 'Traceback' not in err
        assert not work.exists()


def test_a_data_error_before_training_keeps_the_work_dir_as_it_was(
        capsys, tmp_path):
    missing = tmp_path / 'no_data'
    cfg_path = write_toy_config(tmp_path, extra=(
        "train_dataloader['dataset'] = dict(type='MultiViewDataset', "
        f"data_root={str(missing)!r})\n"))
    work = tmp_path / 'work'
    work.mkdir()
    (work / 'notes.txt').write_text('kept')
    with pytest.raises(SystemExit) as info:
        _train([cfg_path, '--work-dir', str(work)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert 'DatasetFormatError' in err and str(missing) in err
    assert sorted(p.name for p in work.iterdir()) == ['notes.txt']


@pytest.mark.skipif(torch.cuda.is_available(), reason='CPU-only behaviour')
def test_amp_without_cuda_is_a_cli_error(capsys, tmp_path):
    cfg_path = write_toy_config(tmp_path)
    parser, args = train_tool.parse_args([cfg_path, '--amp'])
    with pytest.raises(SystemExit):
        train_tool.merge_args(Config.fromfile(cfg_path), args, parser)
    assert 'argument --amp' in capsys.readouterr().err


def test_test_tool_merge(tmp_path):
    cfg_path = write_toy_config(tmp_path)
    ckpt = _resumable(tmp_path / 'w.pth')
    parser, args = test_tool.parse_args(
        [cfg_path, str(ckpt), '--out', str(tmp_path / 'm.json')])
    cfg = test_tool.merge_args(Config.fromfile(cfg_path), args, parser)
    assert cfg.load_from == ckpt and cfg.resume is False


# ------------------------------------------------------------ JSON output
def test_to_plain_converts_metric_values():
    out = to_plain({
        'a': np.float32(0.5),
        'b': torch.tensor(3),
        'c': 2,
        'd': np.array([1, 2]),
        'e': 'text'
    })
    assert out == {'a': 0.5, 'b': 3.0, 'c': 2.0, 'd': [1.0, 2.0], 'e': 'text'}
    assert all(type(out[k]) is float for k in 'abc')
    # undefined metrics (NaN) become JSON null, also inside arrays
    assert to_plain({'n': float('nan'), 'v': np.array([1.0, np.inf])}) == {
        'n': None, 'v': [1.0, None]}
    with pytest.raises(TypeError):
        to_plain({'x': object()})


def test_dump_json_atomic_replaces_without_leftovers(tmp_path):
    path = tmp_path / 'sub' / 'metrics.json'
    dump_json_atomic({'a': 1.0}, str(path))
    dump_json_atomic({'b': 2.0}, str(path))
    assert json.loads(path.read_text()) == {'b': 2.0}
    assert os.listdir(path.parent) == ['metrics.json']
    with pytest.raises(TypeError):
        dump_json_atomic({'x': object()}, str(path))
    assert json.loads(path.read_text()) == {'b': 2.0}
    assert os.listdir(path.parent) == ['metrics.json']


# ------------------------------------------------------------ end to end
def _run(args, cwd, timeout=180):
    proc = subprocess.run(
        args,
        cwd=str(cwd),
        env=tool_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-4000:]
    return proc.stdout


@pytest.mark.slow
def test_train_auto_resume_and_test_with_out(tmp_path):
    cfg = write_toy_config(tmp_path, max_iters=2)
    work_dir = tmp_path / 'work_dirs' / 'toy_cfg'  # the default work_dir
    py = sys.executable
    _run([py, osp.join(REPO, 'tools', 'train.py'), cfg], tmp_path)
    assert (work_dir / 'iter_2.pth').is_file()

    log = _run([
        py, osp.join(REPO, 'tools', 'train.py'), cfg, '--resume',
        '--cfg-options', 'train_cfg.max_iters=4'
    ], tmp_path)
    assert 'resumed epoch: 0, iter: 2' in log
    assert 'safe_local' in log  # mmengine used our loader
    assert (work_dir / 'iter_4.pth').is_file()

    out = tmp_path / 'results' / 'metrics.json'
    _run([
        py, osp.join(REPO, 'tools', 'test.py'), cfg,
        str(work_dir / 'iter_4.pth'), '--out',
        str(out)
    ], tmp_path)
    metrics = json.loads(out.read_text())
    assert metrics == {
        'decomposition/box_area': pytest.approx(0.140625),
        'decomposition/mask_area': pytest.approx(0.140625),
        'decomposition/crop_box_iou': 1.0,
        'decomposition/crop_detection_rate': 1.0,
        'decomposition/detection_rate': 1.0,
        'decomposition/false_positive_rate': 0.0,
        'decomposition/mask_iou': 1.0,
        'decomposition/overlap_mask_iou': None,  # one person: no overlap
        'decomposition/precision': 1.0,
        'toy/count': 4.0,
        'toy/mean_mask': pytest.approx(0.140625),
    }
    assert os.listdir(out.parent) == ['metrics.json']


# ------------------------------------------------------- damaged checkpoints
def _damage(path, kind):
    """Make ``path`` a file (or folder) that does not load."""
    if kind == 'folder':
        os.remove(path)
        os.makedirs(path)
        return str(path)
    data = path.read_bytes() if kind == 'truncated' else b''
    path.write_bytes({'truncated': data[:len(data) // 2], 'empty': b'',
                      'text': b'not a checkpoint'}[kind])
    return str(path)


@pytest.mark.parametrize('kind', ['truncated', 'empty', 'text', 'folder'])
def test_damaged_checkpoints_stop_the_tools_naming_them(
        capsys, tmp_path, kind):
    """tools/test.py CHECKPOINT, train.py --resume CKPT and load_from fail
    before any work, naming the file (not torch's PytorchStreamReader)."""
    cfg = write_toy_config(tmp_path)
    work = tmp_path / 'work'
    path = tmp_path / f'{kind}.pth'
    _resumable(path)
    path = _damage(path, kind)
    err = _cli_error(capsys, test_tool, [cfg, path])
    assert 'argument checkpoint' in err and path in err
    err = _cli_error(capsys, train_tool, [cfg, '--resume', path])
    assert 'argument --resume' in err and path in err
    parser, args = train_tool.parse_args(
        [cfg, '--work-dir', str(work), '--cfg-options', f'load_from={path}'])
    with pytest.raises(SystemExit):
        train_tool.merge_args(Config.fromfile(cfg), args, parser)
    err = capsys.readouterr().err
    assert 'load_from' in err and path in err
    assert not work.exists()


def test_weights_only_files_are_refused_by_resume(capsys, tmp_path):
    weights = tmp_path / 'published.pth'
    torch.save({'state_dict': {}}, str(weights))
    err = _cli_error(capsys, train_tool,
                     [write_toy_config(tmp_path), '--resume', str(weights)])
    assert 'argument --resume' in err
    assert 'lacks message_hub, meta.epoch, meta.iter' in err


def test_auto_resume_with_only_damaged_checkpoints_stops(capsys, tmp_path):
    cfg_path = write_toy_config(tmp_path)
    work = tmp_path / 'work'
    work.mkdir()
    for step in (2, 4):
        _damage(Path(_resumable(work / f'iter_{step}.pth', step)), 'empty')
    (work / 'last_checkpoint').write_text('iter_4.pth')
    parser, args = train_tool.parse_args(
        [cfg_path, '--work-dir', str(work), '--resume'])
    with pytest.raises(SystemExit):
        train_tool.merge_args(Config.fromfile(cfg_path), args, parser)
    err = capsys.readouterr().err
    assert 'argument --resume: No checkpoint of' in err
    assert str(work / 'iter_4.pth') in err and str(work / 'iter_2.pth') in err


def _train(argv):
    """tools/train.py in this process; a name per run, else runs started in
    one second would share mmengine's logger and log into the first one's
    folder."""
    train_tool.main([*argv, '--cfg-options',
                     f'experiment_name=run_{time.time_ns()}'])


def _losses(work_dir):
    """Logged training losses by iteration, over the runs of ``work_dir``."""
    losses = {}
    for path in sorted(glob.glob(osp.join(str(work_dir), '*', 'vis_data',
                                          'scalars.json'))):
        with open(path) as f:
            for line in f:
                entry = json.loads(line)
                if 'loss' in entry:
                    losses[entry['step']] = entry['loss']
    return losses


@pytest.mark.slow
def test_a_crash_while_saving_resumes_from_the_previous_checkpoint(
        capsys, tmp_path):
    """The latest checkpoint is cut short, as a kill while writing it leaves
    it (without NSDCheckpointHook's atomic writes): --resume reports it by
    path and continues from the one before, which reproduces the run."""
    cfg = write_toy_config(tmp_path, max_iters=6, extra=RESUME_HOOKS)
    full, work = tmp_path / 'full', tmp_path / 'work'
    _train([cfg, '--work-dir', str(full)])
    _train([cfg, '--work-dir', str(work),
            '--cfg-options', 'train_cfg.max_iters=4'])
    _damage(work / 'iter_4.pth', 'truncated')
    capsys.readouterr()
    _train([cfg, '--work-dir', str(work), '--resume'])
    err = capsys.readouterr().err
    assert f'warning: Cannot read checkpoint {work / "iter_4.pth"}' in err
    assert f'Resuming from the previous checkpoint {work / "iter_2.pth"}' in err
    assert (work / 'last_checkpoint').read_text() == 'iter_6.pth'
    resumed = _losses(work)
    assert sorted(resumed) == [1, 2, 3, 4, 5, 6]
    assert resumed == _losses(full)  # iterations 3-6 trained again, alike


@pytest.mark.slow
@pytest.mark.parametrize('record', ['relative', 'absolute (mmengine)'])
def test_a_copied_work_dir_resumes_from_its_own_files(tmp_path, record):
    """--resume in a copy of a work dir reads and writes only the copy; the
    original may be damaged or gone meanwhile."""
    cfg = write_toy_config(tmp_path, max_iters=4, extra=RESUME_HOOKS)
    original, copy = tmp_path / 'original', tmp_path / 'copy'
    _train([cfg, '--work-dir', str(original)])
    assert (original / 'last_checkpoint').read_text() == 'iter_4.pth'
    shutil.copytree(original, copy)
    if record != 'relative':
        (copy / 'last_checkpoint').write_text(str(original / 'iter_4.pth'))
    for path in original.glob('*.pth'):  # reading them would fail
        _damage(path, 'empty')
    before = {p: (p.stat().st_mtime_ns, p.stat().st_size)
              for p in original.rglob('*')}
    _train([cfg, '--work-dir', str(copy), '--resume',
            '--cfg-options', 'train_cfg.max_iters=6'])
    assert (copy / 'iter_6.pth').is_file()
    assert (copy / 'last_checkpoint').read_text() == 'iter_6.pth'
    assert {p: (p.stat().st_mtime_ns, p.stat().st_size)
            for p in original.rglob('*')} == before
