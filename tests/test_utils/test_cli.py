import pytest
from mmengine import Config

from nsd_toolkit.utils.cli import check_stage_hook


def test_stages_without_their_hook_are_refused():
    cfg = Config(dict(
        model=dict(stages=dict(flat=dict(begin=3))),
        custom_hooks=[dict(type='NSDPanelHook')]))
    with pytest.raises(ValueError, match=r"model.stages \(\['flat'\]\) need "
                       r".*NSDStageHook.*\['NSDPanelHook'\]"):
        check_stage_hook(cfg)
    cfg.custom_hooks.append(dict(type='NSDStageHook'))
    check_stage_hook(cfg)
    check_stage_hook(Config(dict(model=dict(), custom_hooks=[])))
