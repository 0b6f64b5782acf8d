"""HostAllocatorHook: the config's allocator settings applied at the start."""
from types import SimpleNamespace

import pytest
from mmengine.config import Config
from mmengine.logging import MMLogger

from nsd_toolkit.engine.hooks import HostAllocatorHook, apply_config_allocator
from nsd_toolkit.engine.hooks import host_allocator_hook


@pytest.fixture
def calls(monkeypatch):
    """The arguments of each keep_freed_memory call, which reports
    success."""
    seen = []

    def record(mmap_threshold, trim_threshold):
        seen.append((mmap_threshold, trim_threshold))
        return True

    monkeypatch.setattr(host_allocator_hook, 'keep_freed_memory', record)
    return seen


def test_before_run_applies_the_settings(calls):
    hook = HostAllocatorHook(mmap_threshold=2**20, trim_threshold=2**28)
    runner = SimpleNamespace(logger=MMLogger.get_current_instance())
    hook.before_run(runner)
    assert calls == [(2**20, 2**28)]


def test_the_default_runtime_applies_it_and_none_switches_it_off(calls):
    cfg = Config.fromfile('configs/_base_/default_runtime.py')
    assert apply_config_allocator(cfg) is True
    assert calls == [(32 * 2**20, 2**30)]
    cfg.default_hooks.allocator = None
    assert apply_config_allocator(cfg) is False
    assert apply_config_allocator(Config(dict())) is False
    assert len(calls) == 1


def test_bad_settings_fail_when_the_config_is_built():
    with pytest.raises(ValueError,
                       match='^HostAllocatorHook.mmap_threshold must be'):
        HostAllocatorHook(mmap_threshold=64 * 2**20)
