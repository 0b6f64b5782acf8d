from .base_detector import BaseDetector
from .box_detector import BoxDetector
from .full_image_detector import FullImageDetector

__all__ = ['BaseDetector', 'BoxDetector', 'FullImageDetector']
