from .panel_hook import NSDPanelHook
from .pose_panel_hook import PosePanelHook
from .stage_hook import NSDStageHook

__all__ = ['NSDPanelHook', 'NSDStageHook', 'PosePanelHook']
