"""RandomStateHook: the global generators in checkpoints, back on resume."""
import io
import random
from types import SimpleNamespace

import numpy as np
import torch
from mmengine.logging import MMLogger

from nsd_toolkit.engine.hooks import RandomStateHook
from nsd_toolkit.engine.hooks.random_state_hook import (get_random_state,
                                                        set_random_state)


def draws():
    """One number of each global generator (advances them)."""
    return (random.random(), float(np.random.rand()), np.random.randn(),
            float(torch.rand(1)))


def runner(iteration=0):
    return SimpleNamespace(iter=iteration, cfg={},
                           logger=MMLogger.get_current_instance())


def test_states_round_trip_through_a_weights_only_file():
    np.random.randn()  # a cached gaussian is part of NumPy's state
    state = get_random_state()
    expected = draws()
    buffer = io.BytesIO()
    torch.save(state, buffer)
    buffer.seek(0)
    # no allow-list needed: tensors and plain numbers only
    loaded = torch.load(buffer, weights_only=True)
    draws()
    set_random_state(loaded)
    assert draws() == expected


def test_resumed_training_continues_the_saved_streams():
    saving = RandomStateHook()
    checkpoint = {}
    saving.before_save_checkpoint(runner(), checkpoint)
    expected = draws()

    resuming = RandomStateHook()
    resuming.after_load_checkpoint(runner(), checkpoint)
    draws()  # whatever the resumed run drew while starting up
    resuming.before_train(runner(iteration=4))
    assert draws() == expected


def test_a_warm_start_keeps_its_own_streams():
    """load_from (iteration 0) loads weights, not the run's randomness."""
    checkpoint = {}
    RandomStateHook().before_save_checkpoint(runner(), checkpoint)
    hook = RandomStateHook()
    hook.after_load_checkpoint(runner(), checkpoint)
    state = get_random_state()
    hook.before_train(runner(iteration=0))
    expected = draws()
    set_random_state(state)
    assert draws() == expected


def test_validation_leaves_the_training_streams_alone():
    hook = RandomStateHook()
    state = get_random_state()
    expected = draws()
    set_random_state(state)
    hook.before_val(runner())
    draws()  # the validation loader and model draw
    checkpoint = {}  # the best checkpoint, saved during validation
    hook.before_save_checkpoint(runner(), checkpoint)
    hook.after_val(runner())
    assert draws() == expected
    set_random_state(checkpoint['meta']['random_state'])
    assert draws() == expected


def test_old_checkpoints_resume_with_a_warning():
    hook = RandomStateHook()
    hook.after_load_checkpoint(runner(), {'meta': {}})
    warnings = []
    hook.before_train(SimpleNamespace(
        iter=4, cfg={}, logger=SimpleNamespace(warning=warnings.append)))
    assert len(warnings) == 1 and 'holds no random state' in warnings[0]
