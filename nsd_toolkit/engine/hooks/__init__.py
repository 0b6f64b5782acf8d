from .panel_hook import NSDPanelHook
from .stage_hook import NSDStageHook

__all__ = ['NSDPanelHook', 'NSDStageHook']
