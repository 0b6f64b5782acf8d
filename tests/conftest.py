"""Suite-wide fixtures: a private cache folder and one tiny synthetic dataset.

Under CI (``CI`` set), each failure or error is also named the moment it
happens: a run cut off by its time limit never reaches pytest's summary.
"""
import os

import pytest


class ImmediateFailureReport:
    """Writes ``FAILED <when> <test id>: <first line of the error>`` at once."""

    def __init__(self, config):
        self.config = config

    def pytest_runtest_logreport(self, report):
        if not report.failed:
            return
        crash = getattr(report.longrepr, 'reprcrash', None)
        reason = crash.message if crash else str(report.longrepr)
        first_line = (reason.strip().splitlines() or [''])[0][:300]
        reporter = self.config.pluginmanager.get_plugin('terminalreporter')
        reporter.write_line(
            f'\nFAILED {report.when} {report.nodeid}: {first_line}')


def pytest_configure(config):
    if os.environ.get('CI'):
        config.pluginmanager.register(
            ImmediateFailureReport(config), 'immediate-failure-report')


@pytest.fixture(autouse=True, scope='session')
def private_cache_dir(tmp_path_factory):
    """Keep background caches of the suite out of the user's cache folder."""
    path = tmp_path_factory.mktemp('nsd_cache')
    previous = os.environ.get('NSD_CACHE_DIR')
    os.environ['NSD_CACHE_DIR'] = str(path)
    yield path
    if previous is None:
        os.environ.pop('NSD_CACHE_DIR', None)
    else:
        os.environ['NSD_CACHE_DIR'] = previous


@pytest.fixture(scope='session')
def synthetic_root(tmp_path_factory):
    """1 person, 4 views, 2 sequences of 4 frames at 64x48 (train: seq_000)."""
    from nsd_toolkit.synthetic import generate_synthetic_dataset
    root = tmp_path_factory.mktemp('synthetic') / 'data'
    generate_synthetic_dataset(
        str(root), num_people=1, num_views=4, num_frames=4, size=(64, 48),
        seed=0, num_sequences=2, progress=False)
    return str(root)


@pytest.fixture(scope='session')
def synthetic_root_2p(tmp_path_factory):
    """2 people, 4 views, 2 sequences of 4 frames at 64x48 (train: seq_000)."""
    from nsd_toolkit.synthetic import generate_synthetic_dataset
    root = tmp_path_factory.mktemp('synthetic_2p') / 'data'
    generate_synthetic_dataset(
        str(root), num_people=2, num_views=4, num_frames=4, size=(64, 48),
        seed=0, num_sequences=2, progress=False)
    return str(root)
