from .hooks import NSDPanelHook, NSDStageHook

__all__ = ['NSDPanelHook', 'NSDStageHook']
