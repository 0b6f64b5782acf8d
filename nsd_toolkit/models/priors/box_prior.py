"""Weak batch-level priors on box position and size (paper Sec. 3.4)."""
from typing import Optional, Sequence, Tuple

import numpy as np
import torch

from nsd_toolkit.registry import MODELS
from nsd_toolkit.utils import project_points, world_to_camera
from .base_prior import BasePrior


@MODELS.register_module()
class BoxPrior(BasePrior):
    """Pull each slot's batch-mean box towards the image centre and a size.

    With ``a = (aspect_ratio * aspect, 1)`` (``aspect_ratio`` = W / H of the
    frame, ``aspect`` = person height / width in pixels) and batch means
    ``c_n``, ``s_n`` of slot n::

        loss = loss_weight * (mean_{n,xy} (c_n * a) ** 2
                              + mean_{n,xy} (s_n * a - scale_target) ** 2)

    ``s * a`` is the box height as a fraction of the frame height on both axes
    when the box has the favoured aspect. Only batch means are penalised, so
    individual boxes stay free.

    Args:
        loss_weight (float): weight of the whole prior.
        aspect (float): favoured box height / width in pixels.
        scale_target (float): favoured mean ``scale_y`` (see
            :func:`expected_box_scale` to derive it from a calibration).
    """

    def __init__(self,
                 loss_weight: float = 0.1,
                 aspect: float = 1.5,
                 scale_target: float = 0.4,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.loss_weight = loss_weight
        self.aspect = aspect
        self.scale_target = scale_target

    def forward(self,
                center: torch.Tensor,
                scale: torch.Tensor,
                aspect_ratio: float = 1.0) -> torch.Tensor:
        """[B, N, 2] centres and scales, frame W / H -> weighted scalar."""
        a = center.new_tensor([aspect_ratio * self.aspect, 1.0])
        center_term = (center.mean(dim=0) * a).pow(2).mean()
        scale_term = (scale.mean(dim=0) * a - self.scale_target).pow(2).mean()
        return self.loss_weight * (center_term + scale_term)


def expected_box_scale(K: np.ndarray,
                       R: np.ndarray,
                       t: np.ndarray,
                       size: Sequence[int],
                       person_height: float = 1750.,
                       centre_world: Sequence[float] = (0., 0., 0.),
                       up: Sequence[float] = (0., 0., 1.),
                       aspect: float = 1.5) -> Tuple[float, float]:
    """Box scale of a person standing at ``centre_world``, seen by one camera.

    Feet (``centre_world``) and head (``centre_world + person_height * up``)
    are projected with ``pixel = K @ (R @ X + t) / z``; the person's image
    height is the pixel distance between them. Returns ``(sx, sy)`` in the
    detector's convention (a box ``center +- scale`` in normalised coordinates
    spans ``scale * W`` by ``scale * H`` pixels): ``sy = height_px / H`` and
    ``sx = height_px / (aspect * W)``. ``sy`` is a natural :class:`BoxPrior`
    ``scale_target``.

    Args:
        K, R, t: intrinsics [3, 3] (pixels), world-to-camera rotation [3, 3]
            and translation [3] (calibration units).
        size (tuple): (W, H) in pixels, the image K refers to.
        person_height (float): in calibration units (default mm).
        centre_world (tuple): feet position, world frame.
        up (tuple): world up direction (normalised here).
        aspect (float): person height / width in pixels.
    """
    K, R, t = (np.asarray(a, float) for a in (K, R, t))
    up = np.asarray(up, float)
    feet = np.asarray(centre_world, float)
    ends = np.stack([feet, feet + person_height * up / np.linalg.norm(up)])
    if np.any(world_to_camera(ends, R, t)[:, 2] <= 0):
        raise ValueError('the person is not in front of the camera')
    feet_px, head_px = project_points(ends, K, R, t)
    height_px = float(np.linalg.norm(head_px - feet_px))
    width, height = size
    return height_px / (aspect * width), height_px / height
