"""Distributed runs on machines without CUDA (gloo process group).

mmengine 0.10.7's launchers call ``torch.cuda.set_device`` unconditionally
and its Runner wraps the model in DDP with ``device_ids=[LOCAL_RANK]``; both
fail without a GPU. :func:`setup_cpu_distributed` initialises the process
group with gloo itself (the Runner then skips ``init_dist`` because
``is_distributed()`` is already true) and sets the model wrapper's
``device_ids=None`` (explicit keys of ``model_wrapper_cfg`` win over the
Runner's ``default_args`` in ``MODEL_WRAPPERS.build``).
"""
import datetime
import os
import subprocess
from typing import Optional

import torch
import torch.distributed as torch_dist
from mmengine.config import Config
from nsd_toolkit.registry import MODEL_WRAPPERS
from torch.nn.parallel import DistributedDataParallel

__all__ = ['setup_cpu_distributed', 'cleanup_distributed']

LAUNCHERS = ('none', 'pytorch', 'slurm', 'mpi')


def _env_from_slurm() -> None:
    """Fill torch's RANK / WORLD_SIZE / LOCAL_RANK / MASTER_* from SLURM."""
    os.environ.setdefault('RANK', os.environ['SLURM_PROCID'])
    os.environ.setdefault('WORLD_SIZE', os.environ['SLURM_NTASKS'])
    os.environ.setdefault('LOCAL_RANK', os.environ.get('SLURM_LOCALID', '0'))
    if 'MASTER_ADDR' not in os.environ:
        nodes = os.environ['SLURM_NODELIST']
        os.environ['MASTER_ADDR'] = subprocess.getoutput(
            f'scontrol show hostname {nodes} | head -n1').strip()
    os.environ.setdefault('MASTER_PORT', '29500')


def _env_from_mpi() -> None:
    """Fill torch's variables from Open MPI's (MASTER_ADDR must be set)."""
    os.environ.setdefault('RANK', os.environ['OMPI_COMM_WORLD_RANK'])
    os.environ.setdefault('WORLD_SIZE', os.environ['OMPI_COMM_WORLD_SIZE'])
    os.environ.setdefault('LOCAL_RANK',
                          os.environ['OMPI_COMM_WORLD_LOCAL_RANK'])
    os.environ.setdefault('MASTER_PORT', '29500')
    if 'MASTER_ADDR' not in os.environ:
        raise KeyError('The environment variable MASTER_ADDR is not set '
                       '(needed by the mpi launcher).')


def _cpu_model_wrapper_cfg(cfg: Config) -> dict:
    wrapper = cfg.get('model_wrapper_cfg', None)
    if wrapper is None:
        # what the Runner builds when no wrapper is configured, minus the GPU
        wrapper = dict(
            type='MMDistributedDataParallel',
            broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper = dict(wrapper)
    wrapper.setdefault('type', 'MMDistributedDataParallel')
    wrapper_type = wrapper['type']
    if isinstance(wrapper_type, str):
        wrapper_type = MODEL_WRAPPERS.get(wrapper_type)
    if isinstance(wrapper_type, type) and issubclass(wrapper_type,
                                                     DistributedDataParallel):
        # DDP on CPU modules requires device_ids=None
        wrapper['device_ids'] = None
    return wrapper


def setup_cpu_distributed(cfg: Config, launcher: str) -> bool:
    """Prepare a distributed run without CUDA; no-op otherwise.

    When ``launcher != 'none'`` and CUDA is unavailable: read rank and world
    size from the launcher's environment, initialise a gloo process group
    (``env_cfg.dist_cfg.timeout`` in seconds is honoured, its ``backend`` is
    replaced by gloo) and set ``cfg.model_wrapper_cfg`` so that DDP wraps
    the CPU model with ``device_ids=None``.

    Args:
        cfg: The run's config, modified in place.
        launcher: One of ``'none'``, ``'pytorch'``, ``'slurm'``, ``'mpi'``.

    Returns:
        True when this call initialised the process group (call
        :func:`cleanup_distributed` at the end), else False.
    """
    if launcher not in LAUNCHERS:
        raise ValueError(f'launcher must be one of {LAUNCHERS}, '
                         f'got {launcher!r}')
    if launcher == 'none' or torch.cuda.is_available():
        return False
    cfg.model_wrapper_cfg = _cpu_model_wrapper_cfg(cfg)
    if torch_dist.is_available() and torch_dist.is_initialized():
        return False
    if launcher == 'slurm':
        _env_from_slurm()
    elif launcher == 'mpi':
        _env_from_mpi()
    for key in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT'):
        if key not in os.environ:
            raise KeyError(
                f'--launcher {launcher} needs the environment variable {key}; '
                'start the script through tools/dist_train.sh (torchrun), '
                'srun or mpirun.')
    os.environ.setdefault('LOCAL_RANK', '0')
    dist_cfg = dict(cfg.get('env_cfg', {}).get('dist_cfg', {}) or {})
    kwargs = {}
    timeout: Optional[float] = dist_cfg.get('timeout', None)
    if timeout is not None:
        kwargs['timeout'] = datetime.timedelta(seconds=timeout)
    torch_dist.init_process_group(
        backend='gloo',
        rank=int(os.environ['RANK']),
        world_size=int(os.environ['WORLD_SIZE']),
        **kwargs)
    return True


def cleanup_distributed(initialised: bool, succeeded: bool = True) -> None:
    """Destroy the process group that :func:`setup_cpu_distributed` made.

    After a successful run every process first waits at a barrier: a process
    that tears its gloo group down while another still finishes (rank 0
    writing the metrics) can abort at exit (``terminate called without an
    active exception``). After a failure there is no barrier, since the other
    processes may never arrive.
    """
    if initialised and torch_dist.is_initialized():
        if succeeded:
            torch_dist.barrier()
        torch_dist.destroy_process_group()
