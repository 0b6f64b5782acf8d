"""Batching of packed multi-view items in the data loader."""
from collections.abc import Mapping, Sequence

import torch
from mmengine.dataset import pseudo_collate

from nsd_toolkit.registry import FUNCTIONS


def stack_multiview_inputs(inputs: Mapping) -> dict:
    """Stack each key's per-item tensors into one batched tensor.

    Args:
        inputs: ``key -> [B] list of tensors`` (``pseudo_collate``'s layout),
            or ``key -> tensor`` already batched (kept as it is).

    Returns:
        ``key -> tensor [B, ...]``, dtypes kept (images stay uint8).

    Raises:
        ValueError: naming the key whose items differ in shape.
    """
    stacked = {}
    for key, value in inputs.items():
        if isinstance(value, torch.Tensor):
            stacked[key] = value
            continue
        items = list(value)
        shapes = {tuple(item.shape) for item in items}
        if len(shapes) > 1:
            raise ValueError(
                f'inputs[{key!r}] of the batch differ in shape '
                f'({sorted(shapes)}): every item of a batch needs the same '
                'number of views and the same image size')
        stacked[key] = torch.stack(items)
    return stacked


@FUNCTIONS.register_module()
def multiview_collate(data_batch: Sequence) -> dict:
    """``pseudo_collate`` with ``inputs`` stacked per key.

    Used as a loader's ``collate_fn=dict(type='nsd_toolkit.multiview_collate')``
    (mmengine's Runner looks it up by its scoped name): the
    stacking runs in the loader's workers, and with ``pin_memory=True`` the
    batched uint8 images are pinned, so the data preprocessor's host-to-device
    copy can be asynchronous (``non_blocking=True``); normalisation to float
    happens on the device.

    Args:
        data_batch: packed items ``dict(inputs=dict(...), data_samples=...)``.

    Returns:
        ``dict(inputs=dict(key: tensor [B, ...]), data_samples=list)``.
    """
    batch = pseudo_collate(list(data_batch))
    batch['inputs'] = stack_multiview_inputs(batch['inputs'])
    return batch


def stacked_batch(data) -> dict:
    """A loader's batch in :func:`multiview_collate`'s layout, whichever
    collate function made it.

    Args:
        data: a list of packed items, a dict whose ``inputs`` is a list of
            per-item input dicts or maps each key to a list of per-item
            tensors, or a batch already stacked (returned as it is).

    Returns:
        ``dict(inputs=dict(key: tensor [B, ...]), data_samples=list)``.
    """
    if not isinstance(data, Mapping):  # list of packed items
        return multiview_collate(data)
    inputs = data['inputs']
    if not isinstance(inputs, Mapping):  # list of per-item input dicts
        inputs = pseudo_collate(list(inputs))
    return dict(data, inputs=stack_multiview_inputs(inputs))
