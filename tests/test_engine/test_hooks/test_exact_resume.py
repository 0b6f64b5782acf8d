"""Kill and resume: the resumed run repeats the interrupted one exactly.

A tiny NSD trained by the single-person config's runtime (its hooks, its
InfiniteSampler, SampleViews(mode='random'), self_view_prob=0.5, a stage that
re-initialises the decoder, validation after each checkpoint), with and
without data loader workers; and the two-person pose config with its moving
average of the weights.
"""
import time

import pytest
from mmengine.hooks import Hook
from mmengine.runner import Runner
from nsd_test_utils import tiny_nsd_cfg, tiny_run_config

from nsd_toolkit.engine.hooks import FastResumeHook
from nsd_toolkit.registry import HOOKS
from nsd_toolkit.utils.checkpoint import register_safe_checkpoint_loader

CONFIG = 'configs/nsd_synthetic_1p.py'
ITERS, CHECKPOINT = 6, 3


class Killed(Exception):
    """Stands for the process being killed."""


@HOOKS.register_module(force=True)
class KillTrainingBefore(Hook):
    """Raise :class:`Killed` when the iteration counter reaches ``iteration``
    (the last checkpoint is the one before it)."""

    priority = 'LOWEST'

    def __init__(self, iteration: int):
        self.iteration = iteration

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter == self.iteration:
            for hook in runner.hooks:  # its data workers die with it
                if isinstance(hook, FastResumeHook):
                    hook.after_train(runner)
            raise Killed(f'killed at iteration {self.iteration + 1}')


def config(data_root, work_dir, num_workers, kill=None, without=()):
    cfg = tiny_run_config(CONFIG, data_root, work_dir)
    stages = dict(second=dict(begin=CHECKPOINT, reinit=['decoder'],
                              settings=dict(mask_window_power=0.5)))
    cfg.model = tiny_nsd_cfg(1, self_view_prob=0.5, stages=stages)
    cfg.train_dataloader.update(num_workers=num_workers,
                                persistent_workers=num_workers > 0)
    cfg.train_cfg.update(max_iters=ITERS, val_interval=CHECKPOINT)
    cfg.default_hooks.checkpoint.interval = CHECKPOINT
    for name in without:  # mmengine refuses None for hooks of ours
        cfg.default_hooks.pop(name)
    cfg.custom_hooks = [dict(type='NSDPanelHook', interval=2),
                        dict(type='NSDStageHook')]
    if kill is not None:
        cfg.custom_hooks.append(dict(type='KillTrainingBefore',
                                     iteration=kill))
    cfg.randomness = dict(seed=0, deterministic=True)
    cfg.experiment_name = f'exact_resume_{time.time()}'
    cfg.visualizer.name = f'visualizer:{cfg.experiment_name}'
    return cfg


def losses(cfg, resume=False):
    """Training losses of iterations 1..ITERS (those before a resume come
    from the checkpoint's message hub)."""
    register_safe_checkpoint_loader()
    cfg.resume = resume  # auto: the work dir's last_checkpoint
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner.message_hub.get_scalar('train/loss').data[0].tolist()


def killed_and_resumed(data_root, work_dir, num_workers, without=()):
    with pytest.raises(Killed):
        losses(config(data_root, work_dir, num_workers, kill=CHECKPOINT + 1,
                      without=without))
    return losses(config(data_root, work_dir, num_workers, without=without),
                  resume=True)


@pytest.mark.parametrize('num_workers', [0, 1])
def test_resumed_training_repeats_the_interrupted_run(synthetic_root,
                                                      tmp_path, num_workers):
    uninterrupted = losses(config(synthetic_root, tmp_path / 'a',
                                  num_workers))
    resumed = killed_and_resumed(synthetic_root, tmp_path / 'b', num_workers)
    assert len(uninterrupted) == len(resumed) == ITERS
    assert resumed == uninterrupted  # to the last bit, after the resume too


def test_the_losses_depend_on_the_random_state(synthetic_root, tmp_path):
    """Without the generators of the checkpoint the run after the resume
    differs: the comparison above can fail."""
    uninterrupted = losses(config(synthetic_root, tmp_path / 'a', 0))
    resumed = killed_and_resumed(synthetic_root, tmp_path / 'b', 0,
                                 without=['random_state'])
    assert resumed[:CHECKPOINT] == uninterrupted[:CHECKPOINT]
    assert resumed[CHECKPOINT] != uninterrupted[CHECKPOINT]


def test_the_pose_configs_moving_average_resumes_exactly(synthetic_root_2p,
                                                         tmp_path):
    """The two-person pose config's EMAHook: a resumed run saves the same
    averaged (and raw) weights as an uninterrupted one."""
    import torch
    from mmengine import Config

    from nsd_toolkit.utils.checkpoint import load_checkpoint_safely
    path = 'configs/pose/nsd_synthetic_2p_pose.py'

    def pose_config(work_dir, kill=None):
        cfg = tiny_run_config(path, synthetic_root_2p, work_dir)
        cfg.model.nsd_checkpoint = None
        cfg.custom_hooks = [hook for hook in Config.fromfile(path).custom_hooks
                            if hook.type != 'PosePanelHook']
        if kill is not None:
            cfg.custom_hooks.append(dict(type='KillTrainingBefore',
                                         iteration=kill))
        cfg.train_cfg.update(max_iters=4, val_interval=2)
        cfg.default_hooks.checkpoint.interval = 2
        for split in ('train', 'val', 'test'):
            cfg[f'{split}_dataloader'].dataset.frame_interval = 5
        cfg.randomness = dict(seed=0, deterministic=True)
        cfg.experiment_name = f'pose_resume_{time.time()}'
        cfg.visualizer.name = f'visualizer:{cfg.experiment_name}'
        return cfg

    uninterrupted = losses(pose_config(tmp_path / 'a'))
    with pytest.raises(Killed):
        losses(pose_config(tmp_path / 'b', kill=3))
    resumed = losses(pose_config(tmp_path / 'b'), resume=True)
    assert resumed == uninterrupted
    saved = [load_checkpoint_safely(str(tmp_path / run / 'iter_4.pth'))
             for run in 'ab']
    for key in ('state_dict', 'ema_state_dict'):
        assert saved[0][key].keys() == saved[1][key].keys()
        for name, value in saved[0][key].items():
            assert torch.equal(value, saved[1][key][name]), f'{key}.{name}'
