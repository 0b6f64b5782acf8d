"""NSDStageHook switches, persists and replays stages."""
import os.path as osp

import pytest
from mmengine.runner import Runner
from nsd_test_utils import tiny_run_config

from nsd_toolkit.engine.hooks import NSDStageHook
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
    assert meta[1]['nsd_stages'] == [] and meta[2]['nsd_stages'] == [0]

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
