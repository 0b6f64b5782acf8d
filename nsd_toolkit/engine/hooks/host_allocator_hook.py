"""Host allocator settings applied when a run starts."""
from mmengine.hooks import Hook
from mmengine.logging import print_log

from nsd_toolkit.registry import HOOKS
from nsd_toolkit.utils.allocator import (MAX_MMAP_THRESHOLD,
                                         check_allocator_settings,
                                         keep_freed_memory)


@HOOKS.register_module()
class HostAllocatorHook(Hook):
    """Keep the step's freed host memory for reuse (glibc's malloc).

    On 2 CPU cores this shortens the single-person iteration by ~8 %
    (docs/benchmarks.md, issue 15). Applied in ``before_run``, before the
    loader's workers fork, so they inherit it; nothing happens on other C
    libraries. Switch off with ``default_hooks.allocator=None``.

    Args:
        mmap_threshold (int): blocks up to this size (bytes, at most 32 MiB)
            come from the heap instead of their own ``mmap``.
        trim_threshold (int): free heap memory (bytes) kept in the process.
    """

    priority = 'VERY_HIGH'

    def __init__(self, mmap_threshold: int = MAX_MMAP_THRESHOLD,
                 trim_threshold: int = 2**30):
        check_allocator_settings(mmap_threshold, trim_threshold,
                                 where='HostAllocatorHook.')
        self.mmap_threshold = mmap_threshold
        self.trim_threshold = trim_threshold

    def apply(self) -> bool:
        """Apply the settings now; True when the C library took them."""
        return keep_freed_memory(self.mmap_threshold, self.trim_threshold)

    def before_run(self, runner) -> None:
        if self.apply():
            print_log(
                f'host allocator: blocks up to {self.mmap_threshold} bytes '
                f'from the heap, up to {self.trim_threshold} free bytes kept',
                logger='current')
        else:
            print_log('host allocator: not glibc, left as it is',
                      logger='current')


def apply_config_allocator(cfg) -> bool:
    """Apply a config's ``default_hooks.allocator`` outside a Runner, so
    benchmarks time what ``tools/train.py`` runs; False when it has none."""
    hook_cfg = (cfg.get('default_hooks') or {}).get('allocator')
    return hook_cfg is not None and HOOKS.build(hook_cfg).apply()
