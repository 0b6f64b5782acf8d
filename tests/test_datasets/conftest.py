"""Fixtures of the multi-view dataset tests."""
import pytest
from multiview_fixtures import write_multiview_root


@pytest.fixture
def multiview_root(tmp_path):
    return write_multiview_root(tmp_path / 'data')


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """A private cache folder, also set as NSD_CACHE_DIR."""
    path = tmp_path / 'cache'
    monkeypatch.setenv('NSD_CACHE_DIR', str(path))
    return path
