"""Registered metrics (``METRICS``, scope ``nsd_toolkit``)."""
from .decomposition_metric import DecompositionMetric

__all__ = ['DecompositionMetric']
