"""get_flops.py on every committed config."""
import glob
import importlib.util
import os.path as osp

import pytest

CONFIGS = osp.join(osp.dirname(__file__), '..', '..', 'configs')
TOOL = osp.join(osp.dirname(__file__), '..', '..', 'tools', 'analysis_tools',
                'get_flops.py')


@pytest.fixture(scope='module')
def get_flops():
    spec = importlib.util.spec_from_file_location('get_flops', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    'config',
    sorted(path for folder in ('', 'ablations', 'pose')
           for path in glob.glob(osp.join(CONFIGS, folder, '*.py'))),
    ids=osp.basename)
def test_get_flops_runs_on_every_config(get_flops, config, capsys):
    """Every committed config (NSD and pose models) is counted: its
    components add up to no more than the total, which is positive."""
    flops = get_flops.main([config, '--batch-size', '1', '--size', '32', '24'])
    parts = sum(value for name, value in flops.items() if name != 'total')
    assert 0 < parts <= flops['total']
    assert 'forward, total' in capsys.readouterr().out
