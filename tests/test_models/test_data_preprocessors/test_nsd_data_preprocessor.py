import pytest
import torch
from mmengine.dataset import pseudo_collate

from nsd_toolkit.datasets import multiview_collate
from nsd_toolkit.models.data_preprocessors import NSDDataPreprocessor
from nsd_toolkit.registry import MODELS
from nsd_toolkit.structures import MultiViewDataSample

MEAN = torch.tensor([123.675, 116.28, 103.53]).view(3, 1, 1)
STD = torch.tensor([58.395, 57.12, 57.375]).view(3, 1, 1)


def packed_item(value, views=2, size=(4, 5)):
    img = torch.full((views, 3, *size), value, dtype=torch.uint8)
    return dict(
        inputs=dict(img=img, background=img // 2,
                    K=torch.eye(3).expand(views, 3, 3).clone(),
                    R=torch.eye(3).expand(views, 3, 3).clone(),
                    t=torch.zeros(views, 3)),
        data_samples=MultiViewDataSample(metainfo=dict(frame=value)))


def check(out, batch=2):
    inputs = out['inputs']
    assert inputs['img'].shape == inputs['background'].shape == (batch, 2, 3, 4, 5)
    assert inputs['img'].dtype == torch.float32
    assert inputs['K'].shape == inputs['R'].shape == (batch, 2, 3, 3)
    assert inputs['t'].shape == (batch, 2, 3)
    torch.testing.assert_close(inputs['img'][1, 0], (200. - MEAN) / STD *
                               torch.ones(3, 4, 5))
    torch.testing.assert_close(inputs['background'][1, 1],
                               (100. - MEAN) / STD * torch.ones(3, 4, 5))
    assert [s.frame for s in out['data_samples']] == [10, 200]


@pytest.mark.parametrize('collate', [
    multiview_collate,  # inputs: dict of batched uint8 tensors
    pseudo_collate,  # inputs: dict of per-item lists
    list,  # list of packed items
    lambda items: dict(inputs=[i['inputs'] for i in items],
                       data_samples=[i['data_samples'] for i in items]),
])
def test_collates_and_normalises(collate):
    preprocessor = MODELS.build(dict(type='NSDDataPreprocessor'))
    check(preprocessor(collate([packed_item(10), packed_item(200)])))


def test_batched_input_and_custom_statistics():
    items = [packed_item(10), packed_item(200)]
    batched = dict(
        inputs={k: torch.stack([i['inputs'][k] for i in items])
                for k in items[0]['inputs']},
        data_samples=[i['data_samples'] for i in items])
    check(NSDDataPreprocessor()(batched))
    out = NSDDataPreprocessor(mean=(0, 0, 0), std=(255, 255, 255))(batched)
    assert out['inputs']['img'].max() == pytest.approx(200 / 255)


def test_denormalize_inverts_the_normalisation_and_clips():
    preprocessor = NSDDataPreprocessor()
    out = preprocessor(pseudo_collate([packed_item(10), packed_item(200)]))
    restored = preprocessor.denormalize(out['inputs']['img'])
    torch.testing.assert_close(restored[1], torch.full((2, 3, 4, 5), 200.0))
    beyond = preprocessor.denormalize(torch.full((3, 1, 1), 10.0))
    assert beyond.max() == 255.0
    assert preprocessor.denormalize(-beyond).min() == 0.0


def test_float_inputs_are_normalised_without_touching_the_batch():
    # hooks read the loader's batch after the step: it must stay as loaded
    batch = pseudo_collate([packed_item(10), packed_item(200)])
    batch['inputs'] = {key: torch.stack(value).float()
                       for key, value in batch['inputs'].items()}
    original = batch['inputs']['img'].clone()
    out = NSDDataPreprocessor()(batch)
    torch.testing.assert_close(batch['inputs']['img'], original)
    torch.testing.assert_close(out['inputs']['img'][1, 0],
                               (200. - MEAN) / STD * torch.ones(3, 4, 5))
