from .panel_hook import NSDPanelHook

__all__ = ['NSDPanelHook']
