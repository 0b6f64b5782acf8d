from .fast_resume_hook import FastResumeHook
from .panel_hook import NSDPanelHook
from .pose_panel_hook import PosePanelHook
from .pose_statistics_hook import PoseStatisticsHook
from .stage_hook import NSDStageHook

__all__ = [
    'FastResumeHook', 'NSDPanelHook', 'NSDStageHook', 'PosePanelHook',
    'PoseStatisticsHook'
]
