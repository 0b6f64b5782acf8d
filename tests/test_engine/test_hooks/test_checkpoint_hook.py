"""NSDCheckpointHook: mmengine's checkpoints, crash-safe and relocatable."""
import os
import os.path as osp
import shutil
import sys
import time

from mmengine.config import Config
from mmengine.runner import Runner

from nsd_toolkit.engine.hooks import NSDCheckpointHook
from nsd_toolkit.utils.checkpoint import (load_checkpoint_safely,
                                          register_safe_checkpoint_loader)

TOOLS_TESTS = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))),
    'test_tools')
if TOOLS_TESTS not in sys.path:
    sys.path.insert(0, TOOLS_TESTS)
import nsd_toy_components  # noqa: E402,F401 - registers the toy modules


def toy_cfg(work_dir, max_iters, **checkpoint):
    """The toy regressor with NSDCheckpointHook every 2 iterations."""
    loader = dict(batch_size=2, num_workers=0,
                  sampler=dict(type='DefaultSampler', shuffle=False),
                  dataset=dict(type='ToyMultiViewDataset', length=4))
    return Config(dict(
        default_scope='nsd_toolkit',
        model=dict(type='ToyRegressor'),
        work_dir=str(work_dir),
        experiment_name=f'ckpt_hook_{time.time()}',
        train_dataloader=dict(loader, sampler=dict(type='InfiniteSampler')),
        train_cfg=dict(by_epoch=False, max_iters=max_iters, val_interval=2),
        val_dataloader=loader,
        val_evaluator=dict(type='ToyNumpyMetric'),
        val_cfg=dict(),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        default_hooks=dict(
            checkpoint=dict(type='NSDCheckpointHook', interval=2,
                            by_epoch=False, **checkpoint),
            logger=dict(type='LoggerHook', interval=1)),
        log_processor=dict(by_epoch=False),
        visualizer=dict(type='Visualizer',
                        name=f'visualizer:{work_dir}:{time.time()}'),
        randomness=dict(seed=0)))


def train(work_dir, max_iters, **kwargs):
    checkpoint = kwargs.pop('checkpoint', {})
    cfg = toy_cfg(work_dir, max_iters, **checkpoint)
    cfg.update(kwargs)
    register_safe_checkpoint_loader()
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner


def checkpoints(folder):
    return sorted(name for name in os.listdir(folder) if '.pth' in name)


def test_mmengine_features_are_kept(tmp_path):
    train(tmp_path, 6, checkpoint=dict(
        max_keep_ckpts=2, save_best='toy/mean_mask', rule='greater',
        published_keys=['meta', 'state_dict']))
    names = checkpoints(tmp_path)
    assert 'iter_4.pth' in names and 'iter_6.pth' in names
    assert 'iter_2.pth' not in names  # max_keep_ckpts
    assert 'best_toy_mean_mask_iter_2.pth' in names  # save_best
    published = [n for n in names if n.startswith('iter_6-')]
    assert len(published) == 1  # published_keys
    assert set(load_checkpoint_safely(str(tmp_path / published[0]))) == {
        'meta', 'state_dict'}
    assert not [n for n in os.listdir(tmp_path) if n.endswith('.partial')]
    # relative: a copy of the folder resumes from its own file
    assert (tmp_path / 'last_checkpoint').read_text() == 'iter_6.pth'


def test_remains_of_an_interrupted_save_are_removed(tmp_path):
    train(tmp_path, 2)
    remains = tmp_path / '.iter_4.pth.0123456789ab.partial'
    remains.write_bytes(b'half a checkpoint')
    runner = train(tmp_path, 4, resume=True)
    assert runner.iter == 4
    assert not remains.exists()
    assert checkpoints(tmp_path) == ['iter_2.pth', 'iter_4.pth']


def test_mmengine_auto_resume_reads_the_relative_record(tmp_path):
    """A Runner with resume=True and no load_from (mmengine's own auto
    resume) finds the checkpoint last_checkpoint names relative to the work
    dir, and passes over a damaged one."""
    train(tmp_path, 4)
    data = (tmp_path / 'iter_4.pth').read_bytes()
    (tmp_path / 'iter_4.pth').write_bytes(data[:len(data) // 2])
    runner = train(tmp_path, 6, resume=True)
    assert runner.iter == 6
    assert len(runner.message_hub.get_scalar('train/loss').data[0]) == 6
    assert load_checkpoint_safely(str(tmp_path / 'iter_6.pth'))['meta'][
        'iter'] == 6


def test_best_checkpoint_of_a_copied_work_dir_is_the_copys(tmp_path):
    original, copy = tmp_path / 'original', tmp_path / 'copy'
    train(original, 2, checkpoint=dict(save_best='toy/mean_mask',
                                       rule='greater'))
    shutil.copytree(original, copy)
    runner = train(copy, 4, resume=True,
                   checkpoint=dict(save_best='toy/mean_mask', rule='greater'))
    best = runner.message_hub.get_info('best_ckpt')
    assert best == str(copy / 'best_toy_mean_mask_iter_2.pth')
    hook = next(h for h in runner.hooks if isinstance(h, NSDCheckpointHook))
    # what mmengine deletes when a better checkpoint comes
    assert hook.best_ckpt_path == best
    assert checkpoints(original) == [
        'best_toy_mean_mask_iter_2.pth', 'iter_2.pth']


def test_remote_out_dirs_keep_their_backend():
    assert NSDCheckpointHook(interval=1,
                             out_dir='s3://bucket/ckpts').backend_args is None
    assert NSDCheckpointHook(interval=1).backend_args == dict(
        backend='nsd_atomic_local')
