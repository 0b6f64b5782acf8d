"""Batching, device transfer and normalisation of multi-view items."""
import torch
from mmengine.model import BaseDataPreprocessor

from nsd_toolkit.datasets.collate import stacked_batch
from nsd_toolkit.registry import MODELS


@MODELS.register_module()
class NSDDataPreprocessor(BaseDataPreprocessor):
    """Stack the items of a batch, move them to the device and normalise.

    Accepts the output of ``multiview_collate`` (batched uint8 tensors, pinned
    when the loader pins memory) or of ``pseudo_collate`` (``inputs`` a dict of
    per-item lists), a list of packed items, or ``inputs`` as a list of
    per-item dicts. Images travel to the device as uint8 and become float
    there. Returns ``dict(inputs=dict(img, background float
    [B, V, 3, H, W] as ``(x - mean) / std`` on the 0-255 scale, K [B, V, 3, 3],
    R [B, V, 3, 3], t [B, V, 3] float32), data_samples=list)``.

    Args:
        mean, std (sequence of 3 floats): RGB statistics on the 0-255 scale;
            default ImageNet.
        normalized_keys (sequence of str): image inputs to normalise.
        non_blocking (bool): asynchronous host-to-device copies (they overlap
            with compute when the loader pins memory).
    """

    def __init__(self,
                 mean=(123.675, 116.28, 103.53),
                 std=(58.395, 57.12, 57.375),
                 normalized_keys=('img', 'background'),
                 non_blocking=False):
        super().__init__(non_blocking=non_blocking)
        self.normalized_keys = tuple(normalized_keys)
        self.register_buffer(
            'mean', torch.tensor(mean).view(3, 1, 1), persistent=False)
        self.register_buffer(
            'std', torch.tensor(std).view(3, 1, 1), persistent=False)

    def forward(self, data, training=False):
        data = self.cast_data(stacked_batch(data))
        for key in self.normalized_keys:
            if key in data['inputs']:
                # one new float tensor, normalised in place (the caller's
                # tensor is never modified, even when it is float already)
                data['inputs'][key] = data['inputs'][key].to(
                    torch.float32, copy=True).sub_(self.mean).div_(self.std)
        return data

    def denormalize(self, images: torch.Tensor) -> torch.Tensor:
        """Normalised RGB [..., 3, H, W] back to the 0-255 scale (clipped)."""
        return (images * self.std + self.mean).clamp(0.0, 255.0)
