import argparse

import pytest
from mmengine import Config

from nsd_toolkit.utils.cli import (check_stage_hook, drop_switched_off_hooks,
                                   merge_cfg_options, positive_int)


def test_stages_without_their_hook_are_refused():
    cfg = Config(dict(
        model=dict(stages=dict(flat=dict(begin=3))),
        custom_hooks=[dict(type='NSDPanelHook')]))
    with pytest.raises(ValueError, match=r"model.stages \(\['flat'\]\) need "
                       r".*NSDStageHook.*\['NSDPanelHook'\]"):
        check_stage_hook(cfg)
    cfg.custom_hooks.append(dict(type='NSDStageHook'))
    check_stage_hook(cfg)
    check_stage_hook(Config(dict(model=dict(), custom_hooks=[])))


def test_default_hooks_set_to_none_are_off_as_the_runner_accepts():
    cfg = Config(dict(default_hooks=dict(
        timer=None, allocator=None, random_state=dict(type='RandomStateHook'))))
    drop_switched_off_hooks(cfg)
    # the Runner removes its own default hooks given None and asserts on
    # any other None; ours are removed here
    assert cfg.default_hooks == dict(
        timer=None, random_state=dict(type='RandomStateHook'))
    drop_switched_off_hooks(Config(dict()))


def _merge(cfg, options):
    parser = argparse.ArgumentParser(prog='train.py')
    return merge_cfg_options(cfg, options, parser)


def test_unknown_top_level_cfg_options_are_refused_with_the_closest_key(
        capsys):
    cfg = Config(dict(randomness=dict(seed=0), train_cfg=dict(max_iters=4)))
    with pytest.raises(SystemExit):
        _merge(cfg, {'randomnes.seed': 1})
    err = capsys.readouterr().err
    assert "'randomnes.seed'" in err and "did you mean 'randomness'" in err
    assert cfg.randomness.seed == 0  # nothing merged
    with pytest.raises(SystemExit):
        _merge(cfg, {'zzz': 1})
    assert 'did you mean' not in capsys.readouterr().err
    # keys of the config and keys the Runner reads without a default entry
    merged = _merge(cfg, {'randomness.seed': 3,
                          'find_unused_parameters': True,
                          'train_cfg.val_interval': 2})
    assert merged.randomness.seed == 3 and merged.find_unused_parameters
    assert merged.train_cfg == dict(max_iters=4, val_interval=2)


def test_positive_int_accepts_counts_and_names_the_bad_value():
    assert positive_int('3') == 3
    with pytest.raises(argparse.ArgumentTypeError, match='must be >= 1, got 0'):
        positive_int('0')
    with pytest.raises(ValueError):  # argparse reports it as an invalid int
        positive_int('two')
