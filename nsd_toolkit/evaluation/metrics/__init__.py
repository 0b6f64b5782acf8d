"""Registered metrics (``METRICS``, scope ``nsd_toolkit``)."""
from .decomposition_metric import DecompositionMetric
from .pose_metric import PoseMetric

__all__ = ['DecompositionMetric', 'PoseMetric']
