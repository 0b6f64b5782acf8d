"""Helpers shared by the image losses."""
import torch


def standardize_like(pred: torch.Tensor,
                     target: torch.Tensor,
                     eps: float = 1e-5) -> torch.Tensor:
    """Give ``pred`` [B, C, H, W] the per-image, per-channel mean and std of
    ``target`` (the research code's instance-normalised loss)."""
    dims = (-2, -1)
    p_mean, p_std = pred.mean(dims, keepdim=True), pred.std(dims, keepdim=True)
    t_mean, t_std = target.mean(
        dims, keepdim=True), target.std(dims, keepdim=True)
    return (pred - p_mean) / (p_std + eps) * t_std + t_mean
