"""NSDStageHook applies the model's stages, persists and replays them."""
import os.path as osp

import pytest
import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner
from nsd_test_utils import tiny_run_config

from nsd_toolkit.models.architectures import NSD
from nsd_toolkit.registry import MODELS
from nsd_toolkit.utils import (load_checkpoint_safely,
                               register_safe_checkpoint_loader)

CONFIG = osp.join(osp.dirname(__file__), '..', '..', '..', 'configs',
                  'nsd_synthetic_1p.py')
STAGES = dict(flat=dict(begin=1, settings=dict(mask_window_power=0.5)))
RECORD = [dict(name='flat', begin=1, settings=dict(mask_window_power=0.5))]


def staged_config(data_root, work_dir, max_iters, stages=STAGES, **kwargs):
    cfg = tiny_run_config(CONFIG, data_root, work_dir)
    cfg.train_cfg.update(max_iters=max_iters, val_interval=100)
    cfg.model.stages = stages
    cfg.custom_hooks = [dict(type='NSDStageHook')]
    cfg.update(kwargs)
    return cfg


def power(runner):
    return runner.model.mask_window_power


def test_switch_persist_replay_and_test(synthetic_root, tmp_path):
    register_safe_checkpoint_loader()
    work = tmp_path / 'work'
    runner = Runner.from_cfg(staged_config(synthetic_root, work, 2))
    assert power(runner) == 1.0
    runner.train()
    assert power(runner) == 0.5
    meta = {
        n: load_checkpoint_safely(str(work / f'iter_{n}.pth'))['meta']
        for n in (1, 2)
    }
    assert meta[1]['nsd_stages'] == []
    assert meta[2]['nsd_stages'] == RECORD

    # resume after the switch: replayed before the first resumed iteration
    resumed = Runner.from_cfg(
        staged_config(synthetic_root, work, 3, resume=True,
                      load_from=str(work / 'iter_2.pth'),
                      experiment_name='resume_after'))
    resumed.train()
    assert resumed.iter == 3 and power(resumed) == 0.5
    # without the hook the resumed run would stay in stage 0
    plain = staged_config(synthetic_root, work, 3, resume=True,
                          load_from=str(work / 'iter_2.pth'),
                          experiment_name='resume_plain')
    plain.custom_hooks = []
    plain_runner = Runner.from_cfg(plain)
    plain_runner.train()
    assert power(plain_runner) == 1.0

    # resume before the switch: it happens during the resumed run
    before = Runner.from_cfg(
        staged_config(synthetic_root, tmp_path / 'before', 2, resume=True,
                      load_from=str(work / 'iter_1.pth')))
    before.train()
    assert power(before) == 0.5

    # testing a checkpoint puts the model into its stage
    tester = Runner.from_cfg(
        staged_config(synthetic_root, work, 2,
                      load_from=str(work / 'iter_2.pth'),
                      experiment_name='test'))
    tester.test()
    assert power(tester) == 0.5


def test_checkpoint_stages_are_matched_by_name(synthetic_root, tmp_path):
    """A checkpoint of another config is put into the stage it trained in."""
    register_safe_checkpoint_loader()
    work = tmp_path / 'work'
    Runner.from_cfg(staged_config(synthetic_root, work, 2)).train()
    # a config with one more stage (not reached by the checkpoint)
    other = staged_config(
        synthetic_root, work, 2,
        stages=dict(STAGES, depth=dict(begin=9,
                                       settings=dict(use_depth=True))),
        load_from=str(work / 'iter_2.pth'), experiment_name='other')
    tester = Runner.from_cfg(other)
    tester.test()
    assert power(tester) == 0.5 and not tester.model.use_depth
    assert tester.model.stage_record() == RECORD
    # a config without that stage still gets its settings
    bare = staged_config(synthetic_root, work, 2, stages={},
                         load_from=str(work / 'iter_2.pth'),
                         experiment_name='bare')
    tester = Runner.from_cfg(bare)
    tester.test()
    assert power(tester) == 0.5


def test_stage_beyond_max_iters_is_an_error_at_start(synthetic_root,
                                                     tmp_path):
    cfg = staged_config(
        synthetic_root, tmp_path / 'late', 2,
        stages=dict(late=dict(begin=2, settings=dict(use_depth=True))))
    with pytest.raises(ValueError, match=r'model.stages.late.begin=2 .*'
                       r'max_iters=2'):
        Runner.from_cfg(cfg).train()
    assert not osp.exists(tmp_path / 'late' / 'iter_1.pth')


REINIT = dict(
    occlusion=dict(
        begin=1,
        settings=dict(use_depth=True),
        reinit=['encoder', 'decoder']))


def reinit_runner(synthetic_root, work, max_iters, **kwargs):
    return Runner.from_cfg(
        staged_config(synthetic_root, work, max_iters, stages=REINIT,
                      **kwargs))


class Snapshot(Hook):
    """Model and optimiser state at the start of iteration ``at``."""

    def __init__(self, at, seed=None):
        self.at, self.seed, self.state = at, seed, None

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter != self.at:
            return
        if self.seed is not None:
            torch.manual_seed(self.seed)
        model, optimizer = runner.model, runner.optim_wrapper.optimizer
        self.state = dict(
            use_depth=model.use_depth,
            **{name: {k: v.clone()
                      for k, v in getattr(model, name).state_dict().items()}
               for name in ('detector', 'encoder')},
            adam={name: [p in optimizer.state
                         for p in getattr(model, name).parameters()
                         if p.requires_grad]
                  for name in ('detector', 'encoder', 'decoder')})


def test_reinit_gives_fresh_weights_and_clears_optimizer_state(
        synthetic_root, tmp_path):
    runner = reinit_runner(synthetic_root, tmp_path / 'work', 2)
    before, after = Snapshot(1, seed=7), Snapshot(1)
    runner.register_hook(before, 'HIGHEST')  # before the stage applies
    runner.register_hook(after, 'LOWEST')  # after it
    runner.train()
    before, after = before.state, after.state
    torch.manual_seed(7)
    fresh = MODELS.build(runner.cfg.model.encoder)
    fresh.init_weights()

    assert not before['use_depth'] and after['use_depth']
    assert all(before['adam']['encoder']) and all(before['adam']['detector'])
    for key, value in after['encoder'].items():
        assert torch.equal(value, fresh.state_dict()[key]), key
    assert any(not torch.equal(v, after['encoder'][k])
               for k, v in before['encoder'].items())
    for key, value in after['detector'].items():
        assert torch.equal(value, before['detector'][key]), key
    assert not any(after['adam']['encoder'] + after['adam']['decoder'])
    assert all(after['adam']['detector'])


def test_reinit_happens_once_across_resume(synthetic_root, tmp_path,
                                           monkeypatch):
    calls = []
    original = NSD.reinitialize

    def spy(self, names):
        calls.append(list(names))
        return original(self, names)

    monkeypatch.setattr(NSD, 'reinitialize', spy)
    work = tmp_path / 'work'
    reinit_runner(synthetic_root, work, 2).train()
    assert calls == [['encoder', 'decoder']]
    assert load_checkpoint_safely(str(work / 'iter_2.pth'))['meta'][
        'nsd_stages'] == [
            dict(name='occlusion', begin=1, settings=dict(use_depth=True))
        ]

    # resumed from before the switch: the switch (and its re-init) happens
    calls.clear()
    before = reinit_runner(synthetic_root, tmp_path / 'before', 2, resume=True,
                           load_from=str(work / 'iter_1.pth'))
    before.train()
    assert calls == [['encoder', 'decoder']] and before.model.use_depth

    # resumed from after it: stage replayed, trained weights kept
    calls.clear()
    after = reinit_runner(synthetic_root, tmp_path / 'after', 3, resume=True,
                          load_from=str(work / 'iter_2.pth'))
    after.train()
    assert calls == [] and after.model.use_depth
