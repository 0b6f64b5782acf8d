"""Writes a self-contained toy config (see nsd_toy_components.py) for tests."""
import os
import os.path as osp
import sys

HERE = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(osp.dirname(HERE))

TEMPLATE = """\
default_scope = 'nsd_toolkit'
custom_imports = dict(imports=['nsd_toy_components'],
                      allow_failed_imports=False)
model = dict(type='ToyRegressor')
train_dataloader = dict(
    batch_size=2, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='ToyMultiViewDataset', length=8))
val_dataloader = dict(
    batch_size=2, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='ToyMultiViewDataset', length=4))
test_dataloader = val_dataloader
val_evaluator = [dict(type='ToyNumpyMetric'),
                 dict(type='DecompositionMetric')]
test_evaluator = val_evaluator
train_cfg = dict(by_epoch=False, max_iters={max_iters}, val_interval={val_interval})
val_cfg = dict()
test_cfg = dict()
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01))
param_scheduler = [dict(type='LinearLR', start_factor=0.5, by_epoch=False,
                        begin=0, end=2)]
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval={ckpt_interval},
                    by_epoch=False, max_keep_ckpts=3,
                    save_best='toy/mean_mask', rule='greater'),
    logger=dict(type='LoggerHook', interval=1))
log_processor = dict(by_epoch=False)
env_cfg = dict(cudnn_benchmark=False,
               mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
               dist_cfg=dict(backend='nccl'))
randomness = dict(seed=0)
"""


def write_toy_config(folder, name='toy_cfg.py', max_iters=4, val_interval=2,
                     ckpt_interval=2, extra=''):
    """Write the toy config into ``folder`` and return its path."""
    os.makedirs(folder, exist_ok=True)
    path = osp.join(str(folder), name)
    with open(path, 'w') as f:
        f.write(
            TEMPLATE.format(
                max_iters=max_iters,
                val_interval=val_interval,
                ckpt_interval=ckpt_interval) + extra)
    return path


def tool_env():
    """Environment for tool subprocesses: toy components importable."""
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        p for p in (HERE, REPO, env.get('PYTHONPATH')) if p)
    env.pop('LOCAL_RANK', None)
    env.setdefault('OMP_NUM_THREADS', '1')
    env['PYTHON'] = sys.executable
    return env
