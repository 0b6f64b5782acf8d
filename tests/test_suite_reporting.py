"""The suite's CI reporting: failures are named when they happen."""
import os
import subprocess
import sys
import textwrap

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))


def run_pytest_on(tmp_path, ci):
    (tmp_path / 'test_sample.py').write_text(textwrap.dedent('''
        import pytest

        @pytest.fixture
        def broken():
            raise RuntimeError('fixture broke')

        def test_fails():
            assert 1 == 2, 'numbers differ'

        def test_errors(broken):
            pass

        def test_passes():
            pass
    '''))
    env = dict(os.environ, PYTHONPATH=TESTS_DIR)
    env.pop('CI', None)
    if ci:
        env['CI'] = 'true'
    result = subprocess.run(
        [sys.executable, '-m', 'pytest', '-p', 'conftest', '-p',
         'no:cacheprovider', '--basetemp', str(tmp_path / 'base'),
         '--rootdir', str(tmp_path), str(tmp_path / 'test_sample.py')],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    return result.stdout


def test_ci_names_each_failure_before_the_summary(tmp_path):
    out = run_pytest_on(tmp_path, ci=True)
    summary = out.index('short test summary')
    failed = out.index('FAILED call test_sample.py::test_fails: '
                       'AssertionError: numbers differ')
    errored = out.index('FAILED setup test_sample.py::test_errors: '
                        'RuntimeError: fixture broke')
    assert failed < summary and errored < summary
    assert 'test_passes:' not in out


def test_outside_ci_only_the_summary_names_failures(tmp_path):
    out = run_pytest_on(tmp_path, ci=False)
    assert 'FAILED call' not in out and 'FAILED setup' not in out
    assert 'FAILED test_sample.py::test_fails' in out
