"""High-level entry points: load a trained model, run it on images and on
multi-view captures."""
from .inference import inference_images, init_model
from .mocap import (Capture, CaptureMoment, capture_dataset, check_pose_config,
                    fuse_predictions, fuse_root_cues, inference_capture,
                    load_pose_model, most_consistent_root_cue)

__all__ = [
    'Capture', 'CaptureMoment', 'capture_dataset', 'check_pose_config',
    'fuse_predictions', 'fuse_root_cues', 'inference_capture',
    'inference_images', 'init_model', 'load_pose_model',
    'most_consistent_root_cue'
]
