"""Host memory allocator settings (glibc's malloc) for training on CPUs.

glibc serves blocks above its mmap threshold (128 KiB, raised on the fly up to
32 MiB) with fresh ``mmap`` calls, and returns free memory at the top of its
heap to the system once it exceeds the trim threshold. A training step
allocates and frees activations of a few MiB each time; served that way, each
one costs page faults when first written. Keeping such blocks in the heap and
the heap's free memory in the process removes that cost (docs/benchmarks.md,
issue 15); the process keeps its peak heap instead of returning it.
"""
import ctypes
import platform

#: ``mallopt`` parameters (glibc's malloc.h).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
#: glibc's ceiling of the mmap threshold on 64-bit systems (bytes).
MAX_MMAP_THRESHOLD = 32 * 2**20


def _mallopt():
    """glibc's ``mallopt``, or None on another C library."""
    if platform.libc_ver()[0] != 'glibc':
        return None
    return getattr(ctypes.CDLL(None), 'mallopt', None)


def check_allocator_settings(mmap_threshold: int, trim_threshold: int,
                             where: str = '') -> None:
    """Raise ``ValueError`` naming ``<where>mmap_threshold`` or
    ``<where>trim_threshold`` when a value is out of glibc's range."""
    if (not isinstance(mmap_threshold, int)
            or not 0 < mmap_threshold <= MAX_MMAP_THRESHOLD):
        raise ValueError(f'{where}mmap_threshold must be an int of bytes in '
                         f'(0, {MAX_MMAP_THRESHOLD}] (glibc caps it at 32 '
                         f'MiB), got {mmap_threshold!r}')
    if not isinstance(trim_threshold, int) or trim_threshold <= 0:
        raise ValueError(f'{where}trim_threshold must be a positive int of '
                         f'bytes, got {trim_threshold!r}')


def keep_freed_memory(mmap_threshold: int = MAX_MMAP_THRESHOLD,
                      trim_threshold: int = 2**30) -> bool:
    """Serve blocks up to ``mmap_threshold`` bytes from glibc's heap and keep
    up to ``trim_threshold`` bytes of its free memory in the process.

    Fixing either value stops glibc's own adjustment of both, so both are set.
    Returns True when applied, False on a C library other than glibc (left
    as it is). Affects this process and the processes it forks later.
    """
    check_allocator_settings(mmap_threshold, trim_threshold)
    mallopt = _mallopt()
    if mallopt is None:
        return False
    for name, param, value in (
            ('M_MMAP_THRESHOLD', M_MMAP_THRESHOLD, mmap_threshold),
            ('M_TRIM_THRESHOLD', M_TRIM_THRESHOLD, trim_threshold)):
        if mallopt(param, value) != 1:
            raise RuntimeError(f'glibc refused mallopt({name}, {value})')
    return True
