from .checkpoint_hook import AtomicLocalBackend, NSDCheckpointHook
from .fast_resume_hook import BatchSeeds, FastResumeHook
from .host_allocator_hook import HostAllocatorHook, apply_config_allocator
from .panel_hook import NSDPanelHook
from .pose_panel_hook import PosePanelHook
from .pose_statistics_hook import PoseStatisticsHook
from .random_state_hook import RandomStateHook
from .stage_hook import NSDStageHook

__all__ = [
    'AtomicLocalBackend', 'BatchSeeds', 'FastResumeHook', 'HostAllocatorHook',
    'NSDCheckpointHook',
    'NSDPanelHook', 'NSDStageHook', 'PosePanelHook', 'PoseStatisticsHook',
    'RandomStateHook', 'apply_config_allocator'
]
