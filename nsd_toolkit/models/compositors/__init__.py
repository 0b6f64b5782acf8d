from .additive_compositor import AdditiveCompositor

__all__ = ['AdditiveCompositor']
