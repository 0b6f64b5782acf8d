"""Helpers shared by tests that run configs, tools or need camera rigs."""
import importlib.util
import os.path as osp

import numpy as np
from mmengine import Config

TOOLS = osp.join(osp.dirname(__file__), '..', 'tools')


def load_tool(relpath):
    """The module of ``tools/<relpath>`` (tools are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(
        osp.splitext(osp.basename(relpath))[0], osp.join(TOOLS, relpath))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def strip_pretrained(cfg):
    """Remove ImageNet init_cfg entries in place: tests never fetch weights."""
    if isinstance(cfg, dict):
        for key in list(cfg):
            if key.endswith('init_cfg'):
                cfg[key] = None
            else:
                strip_pretrained(cfg[key])
    elif isinstance(cfg, (list, tuple)):
        for item in cfg:
            strip_pretrained(item)


def tiny_run_config(path, data_root, work_dir, final_stage=False):
    """The config at ``path`` shrunk to one iteration on ``data_root``.

    With ``final_stage`` every stage of the model begins at iteration 0, so
    the iteration runs in the last stage; without, the stages are dropped.
    """
    cfg = Config.fromfile(path)
    strip_pretrained(cfg.model)
    for split, sequences in (('train', ['seq_000']), ('val', ['seq_001']),
                             ('test', ['seq_001'])):
        loader = cfg[f'{split}_dataloader']
        loader.update(batch_size=2, num_workers=0, persistent_workers=False)
        loader.dataset.update(data_root=data_root, sequences=sequences)
    cfg.train_cfg.update(max_iters=1, val_interval=1)
    cfg.load_from = None  # a curriculum's warm start is not there in tests
    cfg.default_hooks.checkpoint.interval = 1
    if cfg.model.get('stages'):
        cfg.model.stages = {
            name: dict(stage, begin=0)
            for name, stage in cfg.model.stages.items()
        } if final_stage else {}
    cfg.custom_hooks = [
        dict(type='NSDPanelHook', interval=1),
        dict(type='NSDStageHook')
    ]
    cfg.work_dir = str(work_dir)
    # one visualizer per run: the shared default name would make a later
    # runner in the same process log into the first run's folder
    cfg.visualizer.name = f'visualizer:{work_dir}'

    return cfg


def train_runner(cfg):
    """Build a Runner from ``cfg``, train it, return it and the set of
    state-dict keys of the model whose values the training changed."""
    import torch
    from mmengine.runner import Runner
    runner = Runner.from_cfg(cfg)
    before = {k: v.clone() for k, v in runner.model.state_dict().items()}
    runner.train()
    after = runner.model.state_dict()
    return runner, {k for k in before if not torch.equal(before[k], after[k])}


CROP = (16, 16)
TINY_TRUNK = dict(type='ResNetTrunk', depth=18, num_stages=1, base_channels=8)


def tiny_nsd_cfg(num_people=2, **overrides):
    """Config of a small NSD model (16 px crops, 5 latent points)."""
    cfg = dict(
        type='NSD',
        data_preprocessor=dict(type='NSDDataPreprocessor'),
        detector=dict(type='BoxDetector', backbone=TINY_TRUNK,
                      num_people=num_people, input_size=(24, 32),
                      head_channels=(16, 8)),
        transformer=dict(type='SpatialTransformer', crop_size=CROP),
        encoder=dict(type='CropEncoder', backbone=TINY_TRUNK,
                     appearance_dim=8, num_points=5, head_channels=(16, 8)),
        decoder=dict(type='UNetDecoder', appearance_dim=8, num_points=5,
                     crop_size=CROP, channels=(16, 8, 8), dropout=0.0),
        compositor=dict(type='AdditiveCompositor'),
        pixel_loss=dict(type='PixelLoss'),
        perceptual_loss=dict(
            type='PerceptualLoss',
            backbone=dict(type='ResNetTrunk', depth=18, num_stages=2)),
        prior=dict(type='BoxPrior'))
    cfg.update(overrides)
    return cfg


def ring_rig(num_views, focal, principal, radius=4000.0):
    """K, R, t [V, ...] (float64) of cameras on a ring of ``radius`` mm at
    2 m height, all looking at (0, 0, 1000) mm; ``focal`` and ``principal``
    (cx, cy) in pixels."""
    from nsd_toolkit.synthetic import look_at
    angles = np.linspace(0, 2 * np.pi, num_views, endpoint=False)
    eyes = np.stack([radius * np.cos(angles), radius * np.sin(angles),
                     np.full(num_views, 2000.0)], -1)
    R = np.stack([look_at(eye, (0.0, 0.0, 1000.0)) for eye in eyes])
    t = -(R @ eyes[..., None])[..., 0]
    K = np.tile([[focal, 0, principal[0]], [0, focal, principal[1]],
                 [0, 0, 1]], (num_views, 1, 1))
    return K, R, t
