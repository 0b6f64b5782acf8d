from .hooks import NSDPanelHook

__all__ = ['NSDPanelHook']
