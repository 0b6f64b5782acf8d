"""Registered metrics (``METRICS``, scope ``nsd_toolkit``)."""
from .decomposition_metric import DecompositionMetric
from .novel_view_metric import NovelViewMetric
from .pose_metric import PoseMetric

__all__ = ['DecompositionMetric', 'NovelViewMetric', 'PoseMetric']
