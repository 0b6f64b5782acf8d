from .panel_hook import NSDPanelHook
from .pose_panel_hook import PosePanelHook
from .stage_hook import NSDStageHook, checkpoint_stages

__all__ = [
    'NSDPanelHook', 'NSDStageHook', 'PosePanelHook', 'checkpoint_stages'
]
