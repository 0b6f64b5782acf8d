"""A failing generation never leaves a (half-written) dataset at OUT."""
import os

import pytest

from nsd_toolkit.synthetic import generate_synthetic_dataset
from nsd_toolkit.synthetic import generator

ARGS = dict(num_views=2, num_frames=4, size=(32, 24), progress=False)


@pytest.fixture
def failing_writer(monkeypatch):
    """Make the frame writer raise on its 5th call (mid-sequence)."""
    calls = []
    real = generator.write_frame

    def write_frame(*args, **kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise RuntimeError('disk full')
        return real(*args, **kwargs)

    monkeypatch.setattr(generator, 'write_frame', write_frame)
    return calls


def test_failure_leaves_no_output(tmp_path, failing_writer):
    out = tmp_path / 'out'
    with pytest.raises(RuntimeError, match='disk full'):
        generate_synthetic_dataset(str(out), **ARGS)
    assert len(failing_writer) == 5
    assert not out.exists()
    assert os.listdir(tmp_path) == []  # temporary folder cleaned up


def test_failure_keeps_previous_dataset(tmp_path, failing_writer):
    out = tmp_path / 'out'
    out.mkdir()
    (out / 'old.txt').write_text('old')
    with pytest.raises(RuntimeError):
        generate_synthetic_dataset(str(out), overwrite=True, **ARGS)
    assert os.listdir(tmp_path) == ['out']
    assert os.listdir(out) == ['old.txt']


def test_existing_output_refused_before_work(tmp_path, failing_writer):
    out = tmp_path / 'out'
    out.mkdir()
    (out / 'old.txt').write_text('old')
    with pytest.raises(FileExistsError, match='overwrite'):
        generate_synthetic_dataset(str(out), **ARGS)
    assert failing_writer == []


def test_api_rejects_bad_arguments(tmp_path):
    for kwargs, name in ((dict(num_people=0),
                          'num_people'), (dict(size=(64, 0)), 'size'),
                         (dict(num_frames=2.5),
                          'num_frames'), (dict(motion='run'), 'motion')):
        with pytest.raises(ValueError, match=name):
            generate_synthetic_dataset(str(tmp_path / 'out'), **kwargs)
    assert not (tmp_path / 'out').exists()
