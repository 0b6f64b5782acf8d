"""Fixtures of the multi-view dataset tests."""
import os
from pathlib import Path

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


@pytest.fixture(scope='session')
def real_data():
    """Folder of the real-capture excerpts (``$NSD_REAL_DATA``)."""
    path = os.environ.get('NSD_REAL_DATA')
    if not path:
        pytest.skip('NSD_REAL_DATA is not set: it names the folder of the '
                    'real-capture excerpts (h36m/, panoptic_body3d/, campus/, '
                    'shelf/)')
    if not os.path.isdir(path):
        pytest.fail(f'NSD_REAL_DATA={path} is not a folder')
    return Path(path)
