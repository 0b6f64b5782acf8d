"""Does a 3D latent turn with the camera? (the paper's claim for NVS)."""
from typing import Dict

import torch

from nsd_toolkit.utils.geometry import relative_rotation

__all__ = ['latent_rotation_errors']


def latent_rotation_errors(points: torch.Tensor, rotation: torch.Tensor,
                           people: torch.Tensor) -> Dict[str, torch.Tensor]:
    """Compare each view's latent, turned into another view, with that
    view's own latent of the same person at the same moment.

    Novel-view synthesis decodes view w from view v's latent points turned
    by the relative camera rotation ``R_w R_v^T``; if the latent is 3D, that
    turned latent is what the encoder itself gives in view w. The unturned
    latent is the trivial answer (a latent that ignores the viewpoint).

    Args:
        points: [B, V, N, K, 3] latent points of the N slots of the V views
            of B moments.
        rotation: [B, V, 3, 3] world-to-camera rotations.
        people: [B, V, N] int, the person of each slot (-1: nobody);
            slots of the same person in two views of a moment are paired.

    Returns:
        dict of [P] tensors over the P ordered pairs (v, w), v != w, of
        slots showing the same person: ``turned`` and ``unturned``, the RMS
        distance over the K points between ``R_w R_v^T`` (or the identity)
        applied to view v's latent and view w's latent (latent units), and
        ``angle_deg``, the angle of ``R_w R_v^T`` (degrees).
    """
    views = points.shape[1]
    # [B, V(v), V(w), 3, 3]
    turn = relative_rotation(rotation[:, :, None], rotation[:, None])
    same = ((people[:, :, None, :, None] == people[:, None, :, None, :]) &
            (people[:, :, None, :, None] >= 0))  # [B, v, w, Nv, Nw]
    same &= ~torch.eye(views, dtype=torch.bool,
                       device=points.device)[None, :, :, None, None]
    moment, source, target, slot_v, slot_w = torch.nonzero(same,
                                                           as_tuple=True)
    source_points = points[moment, source, slot_v]  # [P, K, 3]
    target_points = points[moment, target, slot_w]
    pair_turn = turn[moment, source, target]  # [P, 3, 3]
    turned = source_points @ pair_turn.transpose(-1, -2)

    def rms(a, b):
        return (a - b).square().sum(-1).mean(-1).sqrt()

    cos_angle = (pair_turn.diagonal(dim1=-2, dim2=-1).sum(-1) - 1) / 2
    return dict(
        turned=rms(turned, target_points),
        unturned=rms(source_points, target_points),
        angle_deg=torch.rad2deg(torch.arccos(cos_angle.clamp(-1, 1))))
