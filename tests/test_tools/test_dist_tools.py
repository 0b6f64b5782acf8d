"""tools/dist_train.sh and dist_test.sh with 2 processes (gloo on CPU)."""
import json
import os
import os.path as osp
import socket
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config

HERE = osp.dirname(osp.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)
from toy_config import REPO, tool_env, write_toy_config  # noqa: E402

from nsd_toolkit.utils.checkpoint import load_checkpoint_safely  # noqa: E402
from nsd_toolkit.utils.dist import (cleanup_distributed,  # noqa: E402
                                    setup_cpu_distributed)


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _run_sh(script, args, cwd):
    env = tool_env()
    env['PORT'] = str(_free_port())
    proc = subprocess.run(['bash', osp.join(REPO, 'tools', script), *args],
                          cwd=str(cwd),
                          env=env,
                          stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT,
                          text=True,
                          timeout=240)
    assert proc.returncode == 0, proc.stdout[-6000:]
    return proc.stdout


def test_setup_is_a_noop_without_launcher():
    cfg = Config(dict(model=dict(type='X')))
    assert setup_cpu_distributed(cfg, 'none') is False
    assert 'model_wrapper_cfg' not in cfg
    with pytest.raises(ValueError, match='launcher'):
        setup_cpu_distributed(cfg, 'ray')


@pytest.mark.skipif(torch.cuda.is_available(), reason='CPU-only behaviour')
def test_cpu_wrapper_cfg_keeps_user_options(clean_env):
    cfg = Config(dict(model_wrapper_cfg=dict(find_unused_parameters=True)))
    # no torchrun environment: a clear error naming the variable
    with pytest.raises(KeyError, match='RANK'):
        setup_cpu_distributed(cfg, 'pytorch')
    assert cfg.model_wrapper_cfg == dict(
        type='MMDistributedDataParallel',
        find_unused_parameters=True,
        device_ids=None)


@pytest.fixture
def clean_env():
    saved = dict(os.environ)
    for key in ('RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'MASTER_ADDR',
                'MASTER_PORT'):
        os.environ.pop(key, None)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.mark.skipif(torch.cuda.is_available(), reason='CPU-only behaviour')
def test_slurm_environment_initialises_gloo(clean_env):
    os.environ.update(
        SLURM_PROCID='0',
        SLURM_NTASKS='1',
        SLURM_LOCALID='0',
        SLURM_NODELIST='node1',
        MASTER_ADDR='127.0.0.1',
        MASTER_PORT=str(_free_port()))
    cfg = Config(dict(env_cfg=dict(dist_cfg=dict(backend='nccl',
                                                 timeout=60))))
    initialised = setup_cpu_distributed(cfg, 'slurm')
    try:
        assert initialised
        assert torch.distributed.get_backend() == 'gloo'
        assert torch.distributed.get_world_size() == 1
        assert os.environ['RANK'] == '0' and os.environ['LOCAL_RANK'] == '0'
        assert cfg.model_wrapper_cfg.device_ids is None
        assert cfg.model_wrapper_cfg.broadcast_buffers is False
    finally:
        cleanup_distributed(initialised)
    assert not torch.distributed.is_initialized()


@pytest.mark.slow
@pytest.mark.skipif(torch.cuda.is_available(), reason='tests the CPU path')
def test_dist_train_and_test_two_processes(tmp_path):
    cfg = write_toy_config(tmp_path, max_iters=2, val_interval=100)
    log = _run_sh('dist_train.sh', [cfg, '2', '--work-dir', 'wd'], tmp_path)
    assert 'Distributed training: True' in log
    assert 'GPU number: 2' in log  # mmengine's name for the world size
    checkpoint = tmp_path / 'wd' / 'iter_2.pth'
    assert checkpoint.is_file()
    assert load_checkpoint_safely(str(checkpoint))['meta']['iter'] == 2
    dumped = Config.fromfile(str(tmp_path / 'wd' / 'toy_cfg.py'))
    assert dumped.model_wrapper_cfg.device_ids is None

    out = tmp_path / 'metrics.json'
    _run_sh('dist_test.sh',
            [cfg, str(checkpoint), '2', '--out',
             str(out), '--work-dir', 'wd'], tmp_path)
    metrics = json.loads(out.read_text())
    # 4 test samples split over 2 ranks and gathered again
    assert metrics['toy/count'] == 4.0
    assert metrics['decomposition/detection_rate'] == 1.0
