from .box_detector import BoxDetector

__all__ = ['BoxDetector']
