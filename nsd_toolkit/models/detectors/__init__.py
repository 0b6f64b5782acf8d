from .base_detector import BaseDetector
from .box_detector import BoxDetector

__all__ = ['BaseDetector', 'BoxDetector']
