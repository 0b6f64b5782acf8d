"""tools/misc/publish_model.py on a checkpoint of the toy model."""
import hashlib
import importlib.util
import os
import os.path as osp
import re
import sys
import time

import pytest
import torch

HERE = osp.dirname(osp.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)
from toy_config import REPO, write_toy_config  # noqa: E402

from nsd_toolkit.utils.checkpoint import load_checkpoint_safely  # noqa: E402


def _load_tool(relpath):
    spec = importlib.util.spec_from_file_location(
        'nsd_tool_' + osp.splitext(osp.basename(relpath))[0],
        osp.join(REPO, 'tools', relpath))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


publish_tool = _load_tool(osp.join('misc', 'publish_model.py'))
train_tool = _load_tool('train.py')
test_tool = _load_tool('test.py')

TRAINING_STATE = ('optimizer', 'message_hub', 'param_schedulers')


def _run_name():
    """A name per run: runs started in one second would share a logger."""
    return f'experiment_name=run_{time.time_ns()}'


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    """(config, checkpoint) of 2 iterations of the toy model."""
    folder = tmp_path_factory.mktemp('publish')
    config = write_toy_config(folder, max_iters=2)
    train_tool.main([config, '--work-dir', str(folder / 'work'),
                     '--cfg-options', _run_name()])
    return config, str(folder / 'work' / 'iter_2.pth')


def _publish_error(capsys, argv):
    with pytest.raises(SystemExit) as info:
        publish_tool.main(argv)
    assert info.value.code == 2
    return capsys.readouterr().err


def test_publish_strips_the_training_state_and_hashes_the_name(
        trained, tmp_path, capsys):
    _, checkpoint = trained
    original = load_checkpoint_safely(checkpoint, map_location='cpu')
    assert all(key in original for key in TRAINING_STATE)
    out_dir = tmp_path / 'release'
    final = publish_tool.main([checkpoint, str(out_dir / 'toy_model.pth')])
    assert capsys.readouterr().out.strip() == final
    match = re.fullmatch(r'toy_model-([0-9a-f]{8})\.pth', osp.basename(final))
    assert match and osp.dirname(final) == str(out_dir)
    with open(final, 'rb') as f:
        assert hashlib.sha256(f.read()).hexdigest()[:8] == match.group(1)
    assert os.listdir(out_dir) == [osp.basename(final)]  # nothing partial

    published = load_checkpoint_safely(final, map_location='cpu')
    assert sorted(published) == ['meta', 'state_dict']
    assert published['meta'].keys() == original['meta'].keys()
    assert published['meta']['iter'] == 2
    assert published['state_dict'].keys() == original['state_dict'].keys()
    for name, weight in original['state_dict'].items():
        assert torch.equal(published['state_dict'][name], weight)
    assert osp.getsize(final) < osp.getsize(checkpoint)

    # the same content again: refused, the file left as it was
    mtime = os.stat(final).st_mtime_ns
    err = _publish_error(capsys, [checkpoint, str(out_dir / 'toy_model.pth')])
    assert final in err and 'exists already' in err
    assert os.stat(final).st_mtime_ns == mtime


def test_tools_test_runs_the_published_weights(trained, tmp_path,
                                               monkeypatch):
    config, checkpoint = trained
    final = publish_tool.main([checkpoint, str(tmp_path / 'toy.pth')])
    loaded = {}
    run_with_runner = test_tool.run_with_runner

    def keep_weights(cfg, launcher, action, parser):
        def run(runner):
            metrics = action(runner)
            loaded.update(runner.model.state_dict())
            return metrics

        return run_with_runner(cfg, launcher, run, parser)

    monkeypatch.setattr(test_tool, 'run_with_runner', keep_weights)
    metrics = test_tool.main([config, final, '--work-dir',
                              str(tmp_path / 'work'), '--cfg-options',
                              _run_name()])
    assert metrics['toy/count'] == 4
    weights = load_checkpoint_safely(checkpoint)['state_dict']
    assert loaded.keys() == weights.keys()
    for name, weight in weights.items():
        assert torch.equal(loaded[name], weight)


def _bad_input(path, kind, trained_checkpoint):
    """Write an input ``publish_model.py`` must refuse; the message part."""
    if kind == 'truncated':
        with open(trained_checkpoint, 'rb') as f:
            data = f.read()
        path.write_bytes(data[:len(data) // 2])
        return 'truncated'
    if kind == 'not a checkpoint':
        path.write_text('not a checkpoint')
        return 'not a checkpoint'
    if kind == 'unsafe':
        torch.save({'state_dict': {}, 'hook': os.system}, str(path))
        return 'Refusing to load'
    if kind == 'no state_dict':
        torch.save({'meta': {'iter': 1}}, str(path))
        return 'has no state_dict'
    return 'can not be found'  # missing


@pytest.mark.parametrize('kind', ['missing', 'truncated', 'not a checkpoint',
                                  'unsafe', 'no state_dict'])
def test_a_bad_input_is_a_clean_error_and_writes_nothing(
        trained, tmp_path, capsys, kind):
    path = tmp_path / 'in.pth'
    message = _bad_input(path, kind, trained[1])
    out_dir = tmp_path / 'out'
    err = _publish_error(capsys, [str(path), str(out_dir / 'model.pth')])
    assert 'argument in_file' in err and str(path) in err and message in err
    assert 'Traceback' not in err
    assert not out_dir.exists()


def test_an_output_not_ending_in_pth_is_refused(trained, tmp_path, capsys):
    err = _publish_error(capsys, [trained[1], str(tmp_path / 'model.pt')])
    assert 'argument out_file' in err and 'model.pt' in err
    assert os.listdir(tmp_path) == []


def test_a_failed_write_leaves_no_file(trained, tmp_path, capsys,
                                       monkeypatch):
    def disk_full(fd):
        raise OSError(28, 'No space left on device')

    monkeypatch.setattr(os, 'fsync', disk_full)
    err = _publish_error(capsys, [trained[1], str(tmp_path / 'model.pth')])
    assert 'cannot write' in err and 'No space left on device' in err
    assert os.listdir(tmp_path) == []
