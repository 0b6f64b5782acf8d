"""A third-party project registers a compositor through custom_imports."""
import os.path as osp
import sys

import pytest
import torch
from mmengine import Config
from mmengine.registry import init_default_scope

from nsd_toolkit.registry import MODELS

PROJECT = osp.join(osp.dirname(__file__), '..', '..', 'projects',
                   'clamped_compositor')


@pytest.fixture
def project_on_path(monkeypatch):
    monkeypatch.syspath_prepend(PROJECT)
    yield
    sys.modules.pop('nsd_ext', None)
    sys.modules.pop('nsd_ext.clamped_compositor', None)


def test_project_config_swaps_the_compositor(project_on_path):
    cfg = Config.fromfile(
        osp.join(PROJECT, 'configs', 'nsd_synthetic_1p_clamped.py'))
    assert cfg.model.compositor == dict(type='ClampedCompositor')
    init_default_scope('nsd_toolkit')
    model = MODELS.build(cfg.model)
    assert type(model.compositor).__name__ == 'ClampedCompositor'

    gen = torch.Generator().manual_seed(0)
    layers = torch.rand(2, 1, 3, 8, 8, generator=gen)
    masks = torch.rand(2, 1, 1, 8, 8, generator=gen)
    background = torch.rand(2, 3, 8, 8, generator=gen)
    additive = MODELS.build(dict(type='AdditiveCompositor'))
    # one person: both are paper Eq. 3
    torch.testing.assert_close(
        model.compositor(layers, masks, None, background)['image'],
        additive(layers, masks, None, background)['image'])
    # overlapping people: clamping keeps raw masks as visibilities
    two = torch.ones(1, 2, 1, 4, 4)
    out = model.compositor(torch.rand(1, 2, 3, 4, 4), two, None,
                           torch.rand(1, 3, 4, 4))
    assert torch.all(out['visibility'] == 1)
    assert torch.all(out['background_visibility'] == 0)
