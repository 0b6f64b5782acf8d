from .resnet_encoder import ResNetEncoder

__all__ = ['ResNetEncoder']
