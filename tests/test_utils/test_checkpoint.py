"""Safe checkpoint loading: allow-list, mmengine integration, rejection."""
import os
import os.path as osp
import pickle
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.logging import HistoryBuffer
from mmengine.runner import CheckpointLoader, Runner, load_checkpoint
from mmengine.runner.checkpoint import _load_checkpoint

from nsd_toolkit.utils.checkpoint import (ALLOWED_GLOBALS,
                                          UnsafeCheckpointError,
                                          load_checkpoint_safely,
                                          register_safe_checkpoint_loader)

TOOLS_TESTS = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                       'test_tools')
if TOOLS_TESTS not in sys.path:
    sys.path.insert(0, TOOLS_TESTS)
import nsd_toy_components  # noqa: E402,F401 - registers the toy modules

MARKER_ENV = 'NSD_TEST_PWNED_MARKER'


class RunsShell:
    """Unpickling this calls os.system (the classic malicious pickle)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}', ))


class NotAllowed:
    """An ordinary class nobody allow-listed."""

    def __init__(self):
        self.value = 1


class EscapesViaGetattr:
    """Pickles as getattr(HistoryBuffer, name)."""

    def __init__(self, name):
        self.name = name

    def __reduce__(self):
        return (getattr, (HistoryBuffer, self.name))


def _toy_cfg(work_dir, max_iters, **kwargs):
    return Config(
        dict(
            default_scope='nsd_toolkit',
            model=dict(type='ToyRegressor'),
            work_dir=str(work_dir),
            train_dataloader=dict(
                batch_size=2,
                num_workers=0,
                sampler=dict(type='DefaultSampler', shuffle=True),
                dataset=dict(type='ToyMultiViewDataset', length=8)),
            train_cfg=dict(by_epoch=False, max_iters=max_iters,
                           val_interval=2),
            val_dataloader=dict(
                batch_size=2,
                num_workers=0,
                sampler=dict(type='DefaultSampler', shuffle=False),
                dataset=dict(type='ToyMultiViewDataset', length=4)),
            val_evaluator=dict(type='ToyNumpyMetric'),
            val_cfg=dict(),
            optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
            param_scheduler=[
                dict(type='LinearLR', start_factor=0.5, by_epoch=False,
                     begin=0, end=2)
            ],
            default_hooks=dict(
                checkpoint=dict(
                    type='CheckpointHook', interval=2, by_epoch=False,
                    max_keep_ckpts=2, save_best='toy/mean_mask',
                    rule='greater'),
                logger=dict(type='LoggerHook', interval=1)),
            log_processor=dict(by_epoch=False),
            randomness=dict(seed=0),
            **kwargs))


@pytest.fixture(scope='module')
def runner_checkpoint(tmp_path_factory):
    """iter_2.pth written by a Runner (message hub, best score, numpy meta)."""
    work_dir = tmp_path_factory.mktemp('ckpt_run')
    runner = Runner.from_cfg(
        _toy_cfg(work_dir, max_iters=2, experiment_name='ckpt_first'))
    runner.train()
    path = osp.join(str(work_dir), 'iter_2.pth')
    assert osp.isfile(path)
    return path


def test_plain_weights_only_load_fails_but_safe_load_works(runner_checkpoint):
    # the problem this module solves: torch's default refuses the file
    with pytest.raises(pickle.UnpicklingError):
        torch.load(runner_checkpoint, weights_only=True)
    checkpoint = load_checkpoint_safely(runner_checkpoint, map_location='cpu')
    assert checkpoint['meta']['iter'] == 2
    loss = checkpoint['message_hub']['log_scalars']['train/loss']
    assert isinstance(loss, HistoryBuffer) and len(loss.data[0]) == 2
    assert loss.statistics('mean') == pytest.approx(np.mean(loss.data[0]))
    best = checkpoint['message_hub']['runtime_info']['best_score']
    assert isinstance(best, np.floating)
    meta = checkpoint['meta']['dataset_meta']
    assert meta['joint_weights'].dtype == np.float32


def test_every_global_of_a_runner_checkpoint_is_allow_listed(
        runner_checkpoint):
    names = {entry[1] if isinstance(entry, tuple) else
             f'{entry.__module__}.{entry.__qualname__}'
             for entry in ALLOWED_GLOBALS}
    found = set(
        torch.serialization.get_unsafe_globals_in_checkpoint(
            runner_checkpoint))
    assert found and found <= names, found - names
    assert 'builtins.getattr' in found  # mapped to the restricted getattr
    assert not any(entry is getattr for entry in ALLOWED_GLOBALS)
    assert type(np.dtype(object)) not in ALLOWED_GLOBALS


def test_resume_round_trip_through_runner(runner_checkpoint, tmp_path):
    register_safe_checkpoint_loader()
    runner = Runner.from_cfg(
        _toy_cfg(
            tmp_path,
            max_iters=4,
            experiment_name='ckpt_resumed',
            resume=True,
            load_from=runner_checkpoint))
    runner.train()
    assert runner.iter == 4
    # the loss history of the first two iterations came back from the file
    assert len(runner.message_hub.get_scalar('train/loss').data[0]) == 4
    assert osp.isfile(osp.join(str(tmp_path), 'iter_4.pth'))
    resumed = load_checkpoint_safely(osp.join(str(tmp_path), 'iter_4.pth'))
    assert resumed['meta']['iter'] == 4


def test_registration_is_idempotent_and_local_only(runner_checkpoint):
    register_safe_checkpoint_loader()
    register_safe_checkpoint_loader()
    loader = CheckpointLoader._get_checkpoint_loader(runner_checkpoint)
    assert loader.__name__ == 'load_from_safe_local'
    assert CheckpointLoader._get_checkpoint_loader(
        'https://example.com/x.pth') is not loader
    model = nsd_toy_components.ToyRegressor()
    checkpoint = load_checkpoint(model, runner_checkpoint, map_location='cpu')
    assert torch.equal(model.linear.weight,
                       checkpoint['state_dict']['linear.weight'])


def test_malicious_pickle_is_refused_and_not_executed(tmp_path):
    marker = tmp_path / 'pwned'
    path = str(tmp_path / 'evil.pth')
    torch.save({'state_dict': {}, 'payload': RunsShell(marker)}, path)
    # the payload is real: a plain unpickler would run it
    sanity = tmp_path / 'sanity'
    pickle.loads(pickle.dumps(RunsShell(sanity)))
    assert sanity.exists()

    register_safe_checkpoint_loader()
    for load in (load_checkpoint_safely, _load_checkpoint):
        with pytest.raises(UnsafeCheckpointError) as info:
            load(path)
        message = str(info.value)
        assert path in message and 'system' in message
        assert not marker.exists()
    with pytest.raises(UnsafeCheckpointError):
        load_checkpoint(nsd_toy_components.ToyRegressor(), path)
    assert not marker.exists()


def test_arbitrary_class_is_named_in_the_error(tmp_path):
    path = str(tmp_path / 'class.pth')
    torch.save({'meta': {'thing': NotAllowed()}}, path)
    with pytest.raises(UnsafeCheckpointError, match='NotAllowed') as info:
        load_checkpoint_safely(path)
    assert path in str(info.value)


def test_getattr_is_limited_to_known_methods(tmp_path):
    ok = str(tmp_path / 'ok.pth')
    torch.save({'f': EscapesViaGetattr('mean')}, ok)
    assert load_checkpoint_safely(ok)['f'] is HistoryBuffer.mean
    bad = str(tmp_path / 'bad.pth')
    torch.save({'f': EscapesViaGetattr('__init__')}, bad)
    with pytest.raises(UnsafeCheckpointError, match='__init__'):
        load_checkpoint_safely(bad)


def test_numpy_values_and_schedulers_round_trip(tmp_path):
    from mmengine.optim import OptimWrapper
    from mmengine.optim.scheduler import OneCycleLR
    model = torch.nn.Linear(2, 1)
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    scheduler = OneCycleLR(wrapper, eta_max=0.1, total_steps=10)
    values = dict(
        f64=np.float64(1.5), i64=np.int64(3), u8=np.arange(3, dtype=np.uint8),
        b=np.array([True, False]), f32=np.ones((2, 2), np.float32),
        sched=scheduler.state_dict())
    path = str(tmp_path / 'np.pth')
    torch.save(values, path)
    loaded = load_checkpoint_safely(path)
    assert loaded['f64'] == 1.5 and loaded['i64'] == 3
    assert loaded['u8'].dtype == np.uint8 and loaded['b'].tolist() == [
        True, False
    ]
    assert loaded['sched']['anneal_func'] is OneCycleLR._annealing_cos

    objects = str(tmp_path / 'objects.pth')
    torch.save({'a': np.array([NotAllowed()], dtype=object)}, objects)
    with pytest.raises(UnsafeCheckpointError):
        load_checkpoint_safely(objects)


def test_missing_file(tmp_path):
    path = str(tmp_path / 'nope.pth')
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        load_checkpoint_safely(path)
