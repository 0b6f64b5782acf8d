"""keep_freed_memory: glibc's malloc keeps tensor-sized blocks in its heap."""
import platform
import subprocess
import sys
import textwrap

import pytest

from nsd_toolkit.utils import allocator
from nsd_toolkit.utils.allocator import (MAX_MMAP_THRESHOLD,
                                         check_allocator_settings,
                                         keep_freed_memory)

needs_glibc = pytest.mark.skipif(platform.libc_ver()[0] != 'glibc',
                                 reason='mallopt is glibc-only')

# A fresh interpreter allocates a 16 MiB block, writes it and frees it, and
# prints glibc's count of mmapped blocks while it is held and the releasable
# top of the heap after the free. `apply` runs keep_freed_memory first.
PROBE = textwrap.dedent('''
    import ctypes, sys
    from nsd_toolkit.utils.allocator import keep_freed_memory

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in (
            'arena', 'ordblks', 'smblks', 'hblks', 'hblkhd', 'usmblks',
            'fsmblks', 'uordblks', 'fordblks', 'keepcost')]

    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = MallInfo2
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    if sys.argv[1] == 'apply':
        assert keep_freed_memory()
    size = 16 * 2**20
    block = libc.malloc(size)
    ctypes.memset(block, 1, size)
    mapped = libc.mallinfo2().hblks
    libc.free(block)
    print(mapped, libc.mallinfo2().keepcost)
''')


def probe(mode):
    out = subprocess.run([sys.executable, '-c', PROBE, mode], check=True,
                         capture_output=True, text=True).stdout
    mapped, kept = map(int, out.split())
    return mapped, kept


@needs_glibc
def test_blocks_come_from_the_heap_and_stay_in_the_process():
    mapped_before, kept_before = probe('leave')
    mapped_after, kept_after = probe('apply')
    # glibc's default maps a fresh 16 MiB block and gives it back on free
    assert mapped_before >= 1 and kept_before < 16 * 2**20
    # tuned: served from the heap, whose freed top stays for the next step
    assert mapped_after == mapped_before - 1
    assert kept_after >= 16 * 2**20


def test_other_c_libraries_are_left_alone(monkeypatch):
    monkeypatch.setattr(allocator.platform, 'libc_ver', lambda: ('', ''))
    assert keep_freed_memory() is False


@pytest.mark.parametrize('mmap_threshold, trim_threshold, key', [
    (0, 2**30, 'mmap_threshold'),
    (MAX_MMAP_THRESHOLD + 1, 2**30, 'mmap_threshold'),
    (1.5e6, 2**30, 'mmap_threshold'),
    (2**20, 0, 'trim_threshold'),
    (2**20, '1G', 'trim_threshold'),
])
def test_values_out_of_glibc_range_are_refused_by_name(
        mmap_threshold, trim_threshold, key):
    with pytest.raises(ValueError, match=f'^cfg.{key} must be'):
        check_allocator_settings(mmap_threshold, trim_threshold, where='cfg.')
    with pytest.raises(ValueError, match=f'^{key}'):
        keep_freed_memory(mmap_threshold, trim_threshold)
