import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate

from nsd_toolkit.evaluation import NovelViewMetric
from nsd_toolkit.evaluation.functional import psnr, ssim
from nsd_toolkit.registry import METRICS

V, H, W = 2, 12, 16


def _item(seed):
    """A packed item: images, a flat grey background and, as prediction,
    the image with a 10-level offset on the second view."""
    rng = np.random.default_rng(seed)
    img = torch.as_tensor(rng.integers(0, 256, (V, 3, H, W), dtype=np.uint8))
    background = torch.full((V, 3, H, W), 128, dtype=torch.uint8)
    pred = img.double()
    pred[1] = (pred[1] + 10).clamp(max=255)
    return dict(inputs=dict(img=img, background=background)), dict(
        pred_novel_views=pred)


def test_values_and_background_margin_on_a_collated_batch():
    items, samples = zip(*(_item(seed) for seed in range(3)))
    metric = METRICS.build(dict(type='NovelViewMetric'))
    assert isinstance(metric, NovelViewMetric)
    metric.process(pseudo_collate(list(items)), list(samples))
    out = metric.evaluate(3)
    images = torch.cat([item['inputs']['img'] for item in items])
    preds = torch.cat([sample['pred_novel_views'] for sample in samples])
    backgrounds = torch.cat([item['inputs']['background'] for item in items])
    # first views are exact (inf, excluded from the mean)
    assert out['novel_view/psnr'] == pytest.approx(
        psnr(preds[1::2], images[1::2]).mean())
    assert out['novel_view/ssim'] == pytest.approx(
        ssim(preds, images).mean())
    assert out['novel_view/psnr_background'] == pytest.approx(
        psnr(backgrounds, images).mean())
    assert out['novel_view/psnr_margin'] == pytest.approx(
        out['novel_view/psnr'] - out['novel_view/psnr_background'])
    assert out['novel_view/ssim_margin'] > 0.5


def test_a_list_of_items_as_data_batch():
    items, samples = zip(*(_item(seed) for seed in range(2)))
    listed, collated = NovelViewMetric(), NovelViewMetric()
    listed.process(list(items), list(samples))
    collated.process(pseudo_collate(list(items)), list(samples))
    assert listed.evaluate(2) == collated.evaluate(2)


def test_missing_fields_are_named():
    item, sample = _item(0)
    with pytest.raises(KeyError, match='pred_novel_views'):
        NovelViewMetric().process(pseudo_collate([item]), [dict()])
    with pytest.raises(KeyError, match='background'):
        NovelViewMetric().process(
            [dict(inputs=dict(img=item['inputs']['img']))], [sample])
    with pytest.raises(ValueError, match='pred_novel_views are'):
        NovelViewMetric().process(
            pseudo_collate([item]),
            [dict(pred_novel_views=sample['pred_novel_views'][:1])])
