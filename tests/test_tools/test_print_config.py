"""tools/analysis_tools/print_config.py."""
import importlib.util
import os.path as osp
import sys

import pytest
from mmengine.config import Config

HERE = osp.dirname(osp.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)
from toy_config import REPO, write_toy_config  # noqa: E402

spec = importlib.util.spec_from_file_location(
    'nsd_tool_print_config',
    osp.join(REPO, 'tools', 'analysis_tools', 'print_config.py'))
tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tool)


def _printed(capsys, argv):
    """The config print_config.py prints, parsed back."""
    tool.main(argv)
    out = capsys.readouterr().out
    assert out.startswith('Config:\n')
    return Config.fromstring(out[len('Config:\n'):], '.py')


def test_prints_the_merged_config_with_overrides(capsys, tmp_path):
    write_toy_config(tmp_path)
    child = tmp_path / 'child.py'
    child.write_text("_base_ = ['./toy_cfg.py']\n"
                     'train_cfg = dict(val_interval=1)\n')
    cfg = _printed(capsys, [str(child), '--cfg-options',
                            'train_cfg.max_iters=7', 'model.extra=[1,2]'])
    assert cfg.train_cfg == dict(by_epoch=False, max_iters=7, val_interval=1)
    assert cfg.model == dict(type='ToyRegressor', extra=[1, 2])
    assert cfg.val_dataloader.dataset.length == 4  # from the base file


def test_applies_the_imagenet_switch_as_train_does(capsys):
    config = osp.join(REPO, 'configs', 'nsd_synthetic_1p.py')
    assert 'init_cfg' not in _printed(capsys, [config]).model.encoder.backbone
    cfg = _printed(capsys, [config, '--cfg-options', 'imagenet_pretrained=True'])
    assert cfg.model.encoder.backbone.init_cfg == dict(
        type='Pretrained', checkpoint='torchvision://resnet50')


@pytest.mark.parametrize('argv, named', [
    (['--cfg-options', 'randomnes.seed=1'], "did you mean 'randomness'"),
    (['--cfg-options', 'train_cfg.max_iters'], "'train_cfg.max_iters'"),
])
def test_bad_cfg_options_are_clean_errors(capsys, tmp_path, argv, named):
    with pytest.raises(SystemExit) as info:
        tool.main([write_toy_config(tmp_path), *argv])
    assert info.value.code == 2
    captured = capsys.readouterr()
    assert 'argument --cfg-options' in captured.err and named in captured.err
    assert captured.out == ''


def test_missing_config_names_the_file(capsys, tmp_path):
    with pytest.raises(SystemExit) as info:
        tool.main([str(tmp_path / 'nope.py')])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert 'argument config' in err and 'nope.py' in err


def test_tensorboard_is_off_by_default_and_one_config_line_away(capsys,
                                                                tmp_path):
    """The switch documented in configs/_base_/default_runtime.py."""
    config = osp.join(REPO, 'configs', 'nsd_synthetic_1p.py')
    assert _printed(capsys, [config]).visualizer.vis_backends == [
        dict(type='LocalVisBackend')]
    child = tmp_path / 'with_tensorboard.py'
    child.write_text(
        f'_base_ = [{config!r}]\n'
        "visualizer = dict(vis_backends=[dict(type='LocalVisBackend'),\n"
        "                                dict(type='TensorboardVisBackend')])\n")
    visualizer = _printed(capsys, [str(child)]).visualizer
    assert visualizer == dict(
        type='Visualizer', name='visualizer',
        vis_backends=[dict(type='LocalVisBackend'),
                      dict(type='TensorboardVisBackend')])
