from .additive_compositor import AdditiveCompositor
from .occlusion_compositor import OcclusionCompositor

__all__ = ['AdditiveCompositor', 'OcclusionCompositor']
