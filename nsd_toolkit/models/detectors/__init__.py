from .resnet_box_detector import ResNetBoxDetector

__all__ = ['ResNetBoxDetector']
