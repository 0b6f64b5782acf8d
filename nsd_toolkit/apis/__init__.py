"""High-level entry points: load a trained model, run it on images."""
from .inference import inference_images, init_model

__all__ = ['inference_images', 'init_model']
