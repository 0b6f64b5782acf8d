"""Safe checkpoint loading: allow-list, mmengine integration, rejection."""
import os
import os.path as osp
import pickle
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.logging import HistoryBuffer
from mmengine.runner import CheckpointLoader, Runner, load_checkpoint
from mmengine.runner.checkpoint import _load_checkpoint

from nsd_toolkit.utils.checkpoint import (ALLOWED_GLOBALS,
                                          CheckpointReadError,
                                          UnsafeCheckpointError,
                                          check_resumable,
                                          find_resumable_checkpoint,
                                          load_checkpoint_safely,
                                          read_last_checkpoint,
                                          register_safe_checkpoint_loader,
                                          save_atomic, write_last_checkpoint)

TOOLS_TESTS = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                       'test_tools')
REPO = osp.dirname(osp.dirname(TOOLS_TESTS))
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
                    type='NSDCheckpointHook', interval=2, by_epoch=False,
                    max_keep_ckpts=2, save_best='toy/mean_mask',
                    rule='greater'),
                # what they add to checkpoints is covered by the allow-list
                fast_resume=dict(type='FastResumeHook'),
                random_state=dict(type='RandomStateHook'),
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
    # the random generators and the sampler seed: tensors and plain numbers
    state = checkpoint['meta']['random_state']
    assert isinstance(state['torch'], torch.Tensor)
    assert isinstance(state['numpy']['key'], torch.Tensor)
    assert isinstance(state['python']['internal'], torch.Tensor)
    assert isinstance(checkpoint['meta']['sampler_seed'], int)


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


# ------------------------------------------------------- damaged checkpoints
class CallsWithBadArguments:
    """Pickles as a call of an allow-listed class with arguments it refuses."""

    def __reduce__(self):
        return (HistoryBuffer, ('a', 'b', 'c', 'd', 'e'))


def _damaged(kind, tmp_path, good):
    """A file of ``kind`` that is not a loadable checkpoint."""
    data = open(good, 'rb').read()
    path = tmp_path / f'{kind}.pth'
    contents = dict(
        truncated=data[:len(data) // 2],  # killed while writing
        cut_at_the_end=data[:-20],
        empty=b'',
        text=b'not a checkpoint\n',
        json=b'{"state_dict": {}}\n',
        other_pickle=pickle.dumps([1, 2, 3]))
    if kind in contents:
        path.write_bytes(contents[kind])
    elif kind == 'folder':
        path.mkdir()
    elif kind == 'tensor':
        torch.save(torch.zeros(2), str(path))
    elif kind == 'bad_arguments':
        torch.save({'meta': {'x': CallsWithBadArguments()}}, str(path))
    return str(path)


DAMAGED = ['truncated', 'cut_at_the_end', 'empty', 'text', 'json',
           'other_pickle', 'folder', 'tensor', 'bad_arguments']


@pytest.mark.parametrize('kind', DAMAGED)
def test_damaged_files_are_named(kind, runner_checkpoint, tmp_path):
    path = _damaged(kind, tmp_path, runner_checkpoint)
    register_safe_checkpoint_loader()
    for load in (load_checkpoint_safely, _load_checkpoint,
                 lambda p: load_checkpoint(nsd_toy_components.ToyRegressor(),
                                           p)):
        with pytest.raises(CheckpointReadError) as info:
            load(path)
        assert path in str(info.value)
    with pytest.raises(CheckpointReadError, match=re.escape(path)):
        check_resumable(path)


def test_damage_is_described(runner_checkpoint, tmp_path):
    path = _damaged('truncated', tmp_path, runner_checkpoint)
    message = str(_error_of(path))
    assert f'({osp.getsize(path)} bytes)' in message
    # and torch's reason, on the same line
    assert re.search(r'truncated, damaged or not a checkpoint \(\w+: .+\)\.$',
                     message)
    assert 'is empty (0 bytes)' in str(
        _error_of(_damaged('empty', tmp_path, runner_checkpoint)))
    assert 'is a folder' in str(
        _error_of(_damaged('folder', tmp_path, runner_checkpoint)))
    assert 'TypeError' in str(
        _error_of(_damaged('bad_arguments', tmp_path, runner_checkpoint)))


def _error_of(path):
    with pytest.raises(CheckpointReadError) as info:
        load_checkpoint_safely(path)
    return info.value


def test_weights_only_files_cannot_be_resumed_from(runner_checkpoint,
                                                   tmp_path):
    check_resumable(runner_checkpoint)
    weights = str(tmp_path / 'weights.pth')
    torch.save({'state_dict': {'w': torch.zeros(1)}}, weights)
    with pytest.raises(CheckpointReadError,
                       match='weights.pth: it lacks message_hub, meta.epoch, '
                       'meta.iter'):
        check_resumable(weights)
    # a published file keeps meta.epoch / meta.iter but not the message hub
    published = str(tmp_path / 'published.pth')
    torch.save({'state_dict': {'w': torch.zeros(1)},
                'meta': {'epoch': 0, 'iter': 4}}, published)
    with pytest.raises(CheckpointReadError,
                       match=r'published.pth: it lacks message_hub \('):
        check_resumable(published)


# --------------------------------------------------------------- atomic saves
def test_save_atomic_replaces_the_file_or_leaves_it(tmp_path, monkeypatch):
    path = tmp_path / 'iter_4.pth'
    save_atomic(str(path), b'first')
    save_atomic(str(path), b'second')
    assert path.read_bytes() == b'second'
    assert os.listdir(tmp_path) == ['iter_4.pth']
    assert oct(path.stat().st_mode & 0o777) == oct(0o666 & ~_umask())

    def fails(fd):
        raise OSError('disk full')

    monkeypatch.setattr(os, 'fsync', fails)
    with pytest.raises(OSError, match='disk full'):
        save_atomic(str(path), b'third')
    assert path.read_bytes() == b'second'
    assert os.listdir(tmp_path) == ['iter_4.pth']


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_write_killed_midway_leaves_the_previous_file(tmp_path):
    """A real crash: the process dies inside the write (os._exit, no
    cleanup). The old file is intact; the remains are a hidden .partial."""
    path = tmp_path / 'iter_4.pth'
    path.write_bytes(b'old checkpoint')
    script = (
        'import os, sys\n'
        'from nsd_toolkit.utils.checkpoint import save_atomic\n'
        'os.fsync = lambda fd: os._exit(9)\n'
        f'save_atomic({str(path)!r}, b"x" * 1000000)\n')
    done = subprocess.run([sys.executable, '-c', script], cwd=REPO)
    assert done.returncode == 9
    assert path.read_bytes() == b'old checkpoint'
    leftovers = [n for n in os.listdir(tmp_path) if n != 'iter_4.pth']
    assert len(leftovers) == 1
    assert leftovers[0].startswith('.iter_4.pth.')
    assert leftovers[0].endswith('.partial')


# ------------------------------------------------------ the latest checkpoint
def test_last_checkpoint_is_written_relative_and_read_back(tmp_path):
    work = tmp_path / 'work'
    work.mkdir()
    write_last_checkpoint(str(work), str(work / 'iter_6.pth'))
    assert (work / 'last_checkpoint').read_text() == 'iter_6.pth'
    assert read_last_checkpoint(str(work)) == str(work / 'iter_6.pth')
    write_last_checkpoint(str(work), str(tmp_path / 'ckpts' / 'iter_8.pth'))
    assert (work / 'last_checkpoint').read_text() == osp.join(
        '..', 'ckpts', 'iter_8.pth')
    assert read_last_checkpoint(str(work)) == str(tmp_path / 'ckpts' /
                                                  'iter_8.pth')
    assert read_last_checkpoint(str(tmp_path / 'nothing')) is None
    (work / 'last_checkpoint').write_text('')  # killed while writing it
    assert read_last_checkpoint(str(work)) is None


def test_old_absolute_entries(tmp_path):
    """mmengine wrote absolute paths: in the folder itself they are used as
    they are; pointing into the folder a work dir was copied from, the
    copy's own file of that name is used."""
    original, copy = tmp_path / 'original', tmp_path / 'copy'
    for folder in (original, copy):
        folder.mkdir()
        (folder / 'iter_4.pth').write_bytes(b'x')
        (folder / 'last_checkpoint').write_text(str(original / 'iter_4.pth'))
    assert read_last_checkpoint(str(original)) == str(original / 'iter_4.pth')
    assert read_last_checkpoint(str(copy)) == str(copy / 'iter_4.pth')
    # a checkpoint folder elsewhere (CheckpointHook out_dir): kept
    (copy / 'last_checkpoint').write_text(str(tmp_path / 'out' / 'iter_9.pth'))
    assert read_last_checkpoint(str(copy)) == str(tmp_path / 'out' /
                                                  'iter_9.pth')


def _work_dir(tmp_path, good, steps, last):
    """A work dir with a copy of ``good`` as iter_N.pth for N in ``steps``
    and last_checkpoint naming iter_``last``.pth."""
    work = tmp_path / 'work'
    work.mkdir()
    for step in steps:
        shutil.copy(good, work / f'iter_{step}.pth')
    write_last_checkpoint(str(work), str(work / f'iter_{last}.pth'))
    return work


def test_a_damaged_latest_checkpoint_falls_back_with_a_warning(
        runner_checkpoint, tmp_path):
    work = _work_dir(tmp_path, runner_checkpoint, (2, 4, 6), last=6)
    warnings = []
    assert find_resumable_checkpoint(str(work), warnings.append) == str(
        work / 'iter_6.pth')
    assert warnings == []
    # killed while saving iter_6 with a writer that is not atomic
    data = (work / 'iter_6.pth').read_bytes()
    (work / 'iter_6.pth').write_bytes(data[:len(data) // 3])
    assert find_resumable_checkpoint(str(work), warnings.append) == str(
        work / 'iter_4.pth')
    assert len(warnings) == 1
    assert str(work / 'iter_6.pth') in warnings[0]
    assert 'Resuming from the previous checkpoint' in warnings[0]
    assert str(work / 'iter_4.pth') in warnings[0]


def test_newer_files_than_last_checkpoint_are_not_taken(runner_checkpoint,
                                                        tmp_path):
    work = _work_dir(tmp_path, runner_checkpoint, (2, 4, 6), last=4)
    assert find_resumable_checkpoint(str(work)) == str(work / 'iter_4.pth')
    (work / 'last_checkpoint').unlink()  # lost: the newest file that loads
    assert find_resumable_checkpoint(str(work)) == str(work / 'iter_6.pth')


def test_no_checkpoint_and_no_good_checkpoint(runner_checkpoint, tmp_path):
    assert find_resumable_checkpoint(str(tmp_path / 'fresh')) is None
    work = _work_dir(tmp_path, runner_checkpoint, (2, 4), last=4)
    for step in (2, 4):
        (work / f'iter_{step}.pth').write_bytes(b'')
    with pytest.raises(CheckpointReadError) as info:
        find_resumable_checkpoint(str(work))
    assert str(work / 'iter_4.pth') in str(info.value)
    assert str(work / 'iter_2.pth') in str(info.value)


def test_an_unsafe_latest_checkpoint_is_not_skipped(runner_checkpoint,
                                                    tmp_path):
    work = _work_dir(tmp_path, runner_checkpoint, (2, ), last=4)
    torch.save({'meta': {'thing': NotAllowed()}}, str(work / 'iter_4.pth'))
    with pytest.raises(UnsafeCheckpointError, match='iter_4.pth'):
        find_resumable_checkpoint(str(work))
