"""NSDStageHook switches, persists and replays stages."""
import os.path as osp

import pytest
import torch
from mmengine.runner import Runner
from nsd_test_utils import tiny_run_config

from nsd_toolkit.engine.hooks import NSDStageHook
from nsd_toolkit.models.architectures import NSD
from nsd_toolkit.registry import MODELS
from nsd_toolkit.utils import (load_checkpoint_safely,
                               register_safe_checkpoint_loader)

CONFIG = osp.join(osp.dirname(__file__), '..', '..', '..', 'configs',
                  'nsd_synthetic_1p.py')
STAGES = [dict(begin=1, model=dict(mask_window_power=0.5))]


def staged_config(data_root, work_dir, max_iters, **kwargs):
    cfg = tiny_run_config(CONFIG, data_root, work_dir)
    cfg.train_cfg.update(max_iters=max_iters, val_interval=100)
    cfg.custom_hooks = [dict(type='NSDStageHook', stages=STAGES)]
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
    assert meta[2]['nsd_stages'] == [
        dict(begin=1, model=dict(mask_window_power=0.5))]

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


def test_checkpoint_stages_are_matched_by_content(synthetic_root, tmp_path):
    """A checkpoint of another config is put into the stage it trained in."""
    register_safe_checkpoint_loader()
    work = tmp_path / 'work'
    Runner.from_cfg(staged_config(synthetic_root, work, 2)).train()
    # a config listing more stages, the checkpoint's one second
    other = staged_config(synthetic_root, work, 2,
                          load_from=str(work / 'iter_2.pth'),
                          experiment_name='other')
    other.custom_hooks = [dict(type='NSDStageHook', stages=[
        dict(begin=9, model=dict(use_depth=True))] + STAGES)]
    tester = Runner.from_cfg(other)
    tester.test()
    assert power(tester) == 0.5 and not tester.model.use_depth
    assert stage_hook(tester).applied == [1]
    # a config without that stage still gets its settings
    bare = staged_config(synthetic_root, work, 2,
                         load_from=str(work / 'iter_2.pth'),
                         experiment_name='bare')
    bare.custom_hooks = [dict(type='NSDStageHook', stages=[])]
    tester = Runner.from_cfg(bare)
    tester.test()
    assert power(tester) == 0.5


def test_bad_stages_are_named(synthetic_root, tmp_path):
    with pytest.raises(ValueError, match=r'stages\[0\]'):
        NSDStageHook([dict(begin=-1, model={})])
    with pytest.raises(ValueError, match=r'stages\[1\]'):
        NSDStageHook([dict(begin=0, model={}), dict(start=3, model={})])
    cfg = staged_config(synthetic_root, tmp_path / 'bad', 1)
    cfg.custom_hooks = [
        dict(type='NSDStageHook', stages=[dict(begin=0, model=dict(nope=1))])
    ]
    with pytest.raises(AttributeError, match='stages.0..model.nope'):
        Runner.from_cfg(cfg).train()


REINIT = [dict(begin=1, model=dict(use_depth=True), reinit=['encoder', 'decoder'])]


def reinit_runner(synthetic_root, work, max_iters, **kwargs):
    cfg = staged_config(synthetic_root, work, max_iters, **kwargs)
    cfg.custom_hooks = [dict(type='NSDStageHook', stages=REINIT)]
    return Runner.from_cfg(cfg)


def stage_hook(runner):
    return next(h for h in runner.hooks if isinstance(h, NSDStageHook))


def test_reinit_gives_fresh_weights_and_clears_optimizer_state(
        synthetic_root, tmp_path):
    runner = reinit_runner(synthetic_root, tmp_path / 'work', 1)
    runner.train()  # one step: Adam holds state for every trained parameter
    model, optimizer = runner.model, runner.optim_wrapper.optimizer
    assert not model.use_depth
    detector_before = {k: v.clone() for k, v in model.detector.state_dict().items()}
    encoder_before = {k: v.clone() for k, v in model.encoder.state_dict().items()}
    assert all(p in optimizer.state for p in model.encoder.parameters()
               if p.requires_grad)

    torch.manual_seed(7)
    stage_hook(runner).before_train_iter(runner, 0)  # runner.iter == begin
    torch.manual_seed(7)
    fresh = MODELS.build(runner.cfg.model.encoder)
    fresh.init_weights()

    assert model.use_depth
    for key, value in model.encoder.state_dict().items():
        assert torch.equal(value, fresh.state_dict()[key]), key
    assert any(not torch.equal(v, model.encoder.state_dict()[k])
               for k, v in encoder_before.items())
    for key, value in model.detector.state_dict().items():
        assert torch.equal(value, detector_before[key]), key
    for name in ('encoder', 'decoder'):
        assert not any(p in optimizer.state
                       for p in getattr(model, name).parameters())
    assert all(p in optimizer.state for p in model.detector.parameters()
               if p.requires_grad)


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
        'nsd_stages'] == [dict(begin=1, model=dict(use_depth=True))]

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


def test_reinit_names_are_checked():
    with pytest.raises(ValueError, match=r'stages\[0\]'):
        NSDStageHook([dict(begin=1, reinit='encoder')])
