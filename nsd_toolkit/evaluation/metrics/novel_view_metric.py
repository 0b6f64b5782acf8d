"""Label-free validation: how well each view is re-synthesised from another."""
from collections.abc import Mapping
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric

from nsd_toolkit.registry import METRICS
from nsd_toolkit.structures.array_utils import to_numpy
from ..functional import psnr, ssim
from ._utils import get_field

__all__ = ['NovelViewMetric']


@METRICS.register_module()
class NovelViewMetric(BaseMetric):
    """PSNR and SSIM of novel-view synthesis, next to the background's.

    NSD's ``predict`` re-synthesises every view of a multi-view sample from
    another view (``pred_novel_views`` [V, 3, H, W], 0-255): the training
    signal, measured on held-out frames. It needs no labels, so it validates
    training on unlabelled captures. The trivial answer on the same views,
    the median background alone (no person rendered), is reported beside it
    with the margin:

    - ``psnr``, ``ssim``: mean over views of each view's PSNR (dB, exact
      reconstructions excluded; inf when every view is exact) and SSIM
      against the input image;
    - ``psnr_background``, ``ssim_background``: the same for the
      ``background`` input;
    - ``psnr_margin``, ``ssim_margin``: the first minus the second.

    The input images come from the data batch (``inputs`` with ``img`` and
    ``background`` uint8 [V, 3, H, W] per sample, as packed by
    ``PackMultiViewInputs``).

    Args:
        collect_device: ``'cpu'`` or ``'gpu'``, as in ``BaseMetric``.
        prefix: Metric name prefix. Defaults to ``'novel_view'``.
    """

    default_prefix: Optional[str] = 'novel_view'

    def process(self, data_batch: Any, data_samples: Sequence) -> None:
        """Per-view PSNR and SSIM of each sample (no images are kept)."""
        images = _batch_inputs(data_batch, 'img')
        backgrounds = _batch_inputs(data_batch, 'background')
        if len(images) != len(data_samples):
            raise ValueError(
                f'NovelViewMetric: the data batch holds {len(images)} '
                f'images, the predictions {len(data_samples)} samples')
        for sample, img, background in zip(data_samples, images,
                                           backgrounds):
            pred = get_field(sample, 'pred_novel_views')
            if pred is None:
                raise KeyError(
                    'NovelViewMetric needs pred_novel_views in the data '
                    'samples: an NSD model evaluated on >= 2 views per '
                    "sample (SampleViews(mode='all') in the val pipeline)")
            img = to_numpy(img, np.float64)
            pred = to_numpy(pred, np.float64)
            if pred.shape != img.shape:
                raise ValueError(
                    f'NovelViewMetric: pred_novel_views are {pred.shape}, '
                    f'the input images {img.shape}')
            background = to_numpy(background, np.float64)
            self.results.append(
                dict(psnr=psnr(pred, img), ssim=ssim(pred, img),
                     psnr_background=psnr(background, img),
                     ssim_background=ssim(background, img)))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Means over all views, and the margins over the background."""
        metrics = {}
        for key in ('psnr', 'ssim'):
            for name in (key, f'{key}_background'):
                values = np.concatenate([r[name] for r in results])
                finite = values[np.isfinite(values)]
                metrics[name] = float(finite.mean()) if finite.size else \
                    float(values.max())
            metrics[f'{key}_margin'] = (metrics[key] -
                                        metrics[f'{key}_background'])
        return metrics


def _batch_inputs(data_batch: Any, key: str) -> list:
    """Per-sample ``inputs[key]`` of a collated or listed data batch."""
    inputs = data_batch['inputs'] if isinstance(data_batch, Mapping) else [
        item['inputs'] for item in data_batch
    ]
    if isinstance(inputs, Mapping):
        if key not in inputs:
            raise KeyError(f'NovelViewMetric: the data batch has no '
                           f'inputs[{key!r}]')
        return list(inputs[key])
    try:
        return [item[key] for item in inputs]
    except KeyError:
        raise KeyError(f'NovelViewMetric: the data batch has no '
                       f'inputs[{key!r}]') from None
