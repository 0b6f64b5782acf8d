from .clamped_compositor import ClampedCompositor

__all__ = ['ClampedCompositor']
