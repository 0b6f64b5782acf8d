from .base_compositor import BaseCompositor
from .additive_compositor import AdditiveCompositor
from .occlusion_compositor import OcclusionCompositor

__all__ = ['BaseCompositor', 'AdditiveCompositor', 'OcclusionCompositor']
