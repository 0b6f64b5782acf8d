"""High-level entry points: load a trained model, run it on images and on
multi-view captures."""
from .inference import inference_images, init_model
from .mocap import (Capture, CaptureMoment, capture_dataset, check_pose_config,
                    fuse_predictions, inference_capture, load_pose_model)

__all__ = [
    'Capture', 'CaptureMoment', 'capture_dataset', 'check_pose_config',
    'fuse_predictions', 'inference_capture', 'inference_images', 'init_model',
    'load_pose_model'
]
