from .hooks import NSDPanelHook, NSDStageHook
from .optim_wrappers import FrozenAwareOptimWrapperConstructor

__all__ = [
    'FrozenAwareOptimWrapperConstructor', 'NSDPanelHook', 'NSDStageHook'
]
