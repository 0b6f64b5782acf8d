"""Registered metrics (``METRICS``, scope ``nsd_toolkit``)."""
from .decomposition_metric import DecompositionMetric
from .novel_view_metric import NovelViewMetric
from .pose_metric import POSE_ERROR_NAMES, PoseMetric

__all__ = [
    'DecompositionMetric', 'NovelViewMetric', 'PoseMetric', 'POSE_ERROR_NAMES'
]
