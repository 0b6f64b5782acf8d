"""A detector without learning: one box, the whole frame."""
from typing import Dict, Optional

import torch

from nsd_toolkit.registry import MODELS
from .base_detector import BaseDetector


@MODELS.register_module()
class FullImageDetector(BaseDetector):
    """One slot whose box is the whole frame (centre 0, scale 1, depth 0).

    With it the "crop" is the full image resampled to the crop size, so an
    encoder and a pose head on top regress the pose from the whole image:
    the paper's Resnet-I baseline as a config of ``NSDPoseEstimator``
    (``configs/pose/resnet_full_synthetic_1p.py``). Use it with a
    non-focal spatial transformer.
    """

    num_people = 1

    def forward(self,
                img: torch.Tensor,
                background: Optional[torch.Tensor] = None
                ) -> Dict[str, torch.Tensor]:
        """[B, 3, H, W] -> ``center`` zeros and ``scale`` ones [B, 1, 2],
        ``depth`` zeros [B, 1]."""
        batch = img.shape[0]
        return dict(
            center=img.new_zeros(batch, 1, 2),
            scale=img.new_ones(batch, 1, 2),
            depth=img.new_zeros(batch, 1))
