from .hooks import (FastResumeHook, NSDCheckpointHook, NSDPanelHook,
                    NSDStageHook, RandomStateHook)
from .optim_wrappers import FrozenAwareOptimWrapperConstructor

__all__ = [
    'FastResumeHook', 'FrozenAwareOptimWrapperConstructor',
    'NSDCheckpointHook', 'NSDPanelHook', 'NSDStageHook', 'RandomStateHook'
]
