"""Compute cost of a training step and the machine's matrix-multiply rate.

Built on mmengine's complexity analysis (:class:`~mmengine.analysis.
FlopAnalyzer`, a trace of one forward pass that counts the multiply-adds of
convolutions, matrix products and a few other operators; element-wise
operators, ``grid_sample`` and the losses' arithmetic are not counted).
FLOPs here are **2 x multiply-adds**, the convention of hardware peak rates,
so the step's rate and :func:`matmul_flops_per_second` compare directly.
"""
import statistics
import time
from typing import Dict

import torch
from mmengine.analysis import FlopAnalyzer
from torch import nn

__all__ = [
    'COMPONENTS', 'random_train_inputs', 'loss_forward_flops',
    'matmul_flops_per_second', 'TRAIN_STEP_FACTOR'
]

#: NSD components whose cost is reported separately.
COMPONENTS = ('detector', 'transformer', 'encoder', 'decoder', 'compositor',
              'depth_compositor', 'associator', 'perceptual_loss')
#: A training step costs about this many forward passes (the backward pass
#: about twice the forward: gradients of the activations and the weights).
TRAIN_STEP_FACTOR = 3


def random_train_inputs(model: nn.Module, batch: int, width: int,
                        height: int, seed: int = 0) -> Dict[str, torch.Tensor]:
    """Random preprocessed training inputs of an NSD model.

    Returns:
        dict: ``img``, ``background`` [B, 2, 3, H, W] (normalised scale),
        ``R`` [B, 2, 3, 3] rotations and, when the model has a proposal
        prior, ``proposals`` [B, 2, N, 4] (xyxy px, one box per slot).
    """
    gen = torch.Generator().manual_seed(seed)
    inputs = dict(
        img=torch.randn(batch, 2, 3, height, width, generator=gen),
        background=torch.randn(batch, 2, 3, height, width, generator=gen),
        R=torch.linalg.qr(torch.randn(batch, 2, 3, 3, generator=gen))[0])
    if getattr(model, 'proposal_prior', None) is not None:
        corners = torch.rand(batch, 2, model.detector.num_people, 2, 2,
                             generator=gen).sort(dim=-2).values
        inputs['proposals'] = (corners * torch.tensor(
            [width, height], dtype=torch.float32)).flatten(-2)
    return inputs


class _SummedLoss(nn.Module):
    """``model.loss`` summed, with the input dict as positional tensors (a
    form the tracer accepts)."""

    def __init__(self, model: nn.Module, keys):
        super().__init__()
        self.model = model
        self.keys = tuple(keys)

    def forward(self, *tensors):
        losses = self.model.loss(dict(zip(self.keys, tensors)))
        return sum(losses.values())


def loss_forward_flops(model: nn.Module,
                       inputs: Dict[str, torch.Tensor]) -> Dict[str, int]:
    """FLOPs (2 x multiply-adds) of one forward pass of ``model.loss``.

    Returns:
        dict: ``'total'`` and each of :data:`COMPONENTS` the model has.
    """
    analyzer = FlopAnalyzer(
        _SummedLoss(model, inputs), tuple(inputs.values()))
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    by_module = analyzer.by_module()
    flops = {'total': 2 * analyzer.total()}
    for name in COMPONENTS:
        if getattr(model, name, None) is not None:
            flops[name] = 2 * by_module.get(f'model.{name}', 0)
    return flops


def matmul_flops_per_second(device: torch.device,
                            size: int = 2048,
                            iters: int = 10) -> float:
    """Median FLOP/s of a float32 ``size x size`` matrix product on
    ``device`` (``2 size^3`` FLOPs each), with the current thread count."""
    a, b = (torch.randn(size, size, device=device) for _ in range(2))

    def synchronize():
        if device.type == 'cuda':
            torch.cuda.synchronize(device)

    torch.mm(a, b)  # warm-up
    times = []
    for _ in range(iters):
        synchronize()
        start = time.perf_counter()
        torch.mm(a, b)
        synchronize()
        times.append(time.perf_counter() - start)
    return 2 * size**3 / statistics.median(times)
