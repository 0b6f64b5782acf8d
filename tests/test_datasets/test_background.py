import os

import cv2
import numpy as np
import pytest
from multiview_fixtures import files_under, static_image

from nsd_toolkit.datasets import MultiViewDataset, background
from nsd_toolkit.datasets.transforms import read_image


def build(root, **kwargs):
    return MultiViewDataset(data_root=str(root), **kwargs)


def test_default_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv('NSD_CACHE_DIR', str(tmp_path))
    assert background.default_cache_dir() == str(tmp_path)
    monkeypatch.delenv('NSD_CACHE_DIR')
    assert background.default_cache_dir().endswith(
        os.path.join('.cache', 'nsd_toolkit'))


def test_sample_evenly():
    assert background.sample_evenly(list(range(10)), 4) == [0, 3, 6, 9]
    assert background.sample_evenly(list(range(3)), 50) == [0, 1, 2]


def test_median_recovers_static_image(multiview_root, cache_dir):
    dataset = build(multiview_root, background_frames=10)
    info = dataset.get_data_info(0)
    for c, path in enumerate(info['background_paths']):
        np.testing.assert_array_equal(read_image(path), static_image(c))


def test_cache_reused_and_invalidated(multiview_root, cache_dir, monkeypatch):
    build(multiview_root)
    cached = files_under(cache_dir)
    assert len(cached) == 6  # 2 sequences x 3 cameras

    def fail(*args, **kwargs):
        raise AssertionError('median recomputed')

    with monkeypatch.context() as patch:
        patch.setattr(background, 'median_image', fail)
        build(multiview_root)

    # a changed frame gives seq1/cam0 a new cache file; others are reused
    frame = multiview_root / 'seq1' / 'cam0' / '000003.png'
    cv2.imwrite(str(frame), np.zeros((24, 32, 3), np.uint8))
    os.utime(frame, ns=(0, 0))
    calls = []
    monkeypatch.setattr(background, 'median_image',
                        lambda paths, desc: calls.append(desc) or
                        np.zeros((24, 32, 3), np.uint8))
    build(multiview_root)
    assert calls == ['background seq1/cam0']
    assert len(files_under(cache_dir)) == 7


def test_atomic_write_leaves_nothing_on_failure(tmp_path, monkeypatch):
    def broken_replace(source, target):
        raise OSError('disk full')

    monkeypatch.setattr(os, 'replace', broken_replace)
    target = tmp_path / 'backgrounds' / 'bg.png'
    with pytest.raises(OSError, match='disk full'):
        background.atomic_imwrite(str(target), np.zeros((4, 4, 3), np.uint8))
    assert files_under(tmp_path) == []
