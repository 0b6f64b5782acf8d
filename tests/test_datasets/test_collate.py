import pytest
import torch
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from nsd_toolkit.datasets import multiview_collate, stacked_batch
from nsd_toolkit.structures import MultiViewDataSample


def packed_item(value, views=2, size=(4, 5)):
    img = torch.full((views, 3, *size), value, dtype=torch.uint8)
    return dict(
        inputs=dict(img=img, background=img // 2,
                    K=torch.eye(3).expand(views, 3, 3).clone(),
                    t=torch.full((views, 3), float(value))),
        data_samples=MultiViewDataSample(metainfo=dict(frame=value)))


def test_stacks_inputs_and_keeps_uint8_images():
    batch = multiview_collate([packed_item(10), packed_item(200)])
    inputs = batch['inputs']
    assert inputs['img'].shape == (2, 2, 3, 4, 5)
    assert inputs['img'].dtype == inputs['background'].dtype == torch.uint8
    assert inputs['img'][1].unique().tolist() == [200]
    assert inputs['background'][0].unique().tolist() == [5]
    assert inputs['K'].shape == (2, 2, 3, 3)
    assert inputs['t'][:, 0, 0].tolist() == [10.0, 200.0]
    assert [s.frame for s in batch['data_samples']] == [10, 200]


def test_stacked_batch_of_every_loader_layout():
    """A list of packed items, per-item input dicts and per-key lists all
    give multiview_collate's batch; a stacked batch keeps its tensors."""
    items = [packed_item(10), packed_item(200)]
    expected = multiview_collate(items)
    samples = [item['data_samples'] for item in items]
    layouts = [
        items,
        dict(inputs=[item['inputs'] for item in items], data_samples=samples),
        dict(inputs={key: [item['inputs'][key] for item in items]
                     for key in items[0]['inputs']}, data_samples=samples),
    ]
    for layout in layouts:
        batch = stacked_batch(layout)
        assert batch['inputs'].keys() == expected['inputs'].keys()
        for key, value in expected['inputs'].items():
            assert torch.equal(batch['inputs'][key], value), key
        assert [s.frame for s in batch['data_samples']] == [10, 200]
    assert stacked_batch(expected)['inputs']['img'] is expected['inputs']['img']


def test_items_of_other_shapes_name_the_key():
    with pytest.raises(ValueError, match=r"inputs\['img'\] of the batch "
                       r'differ in shape .*\(3, 3, 4, 5\)'):
        multiview_collate([packed_item(1), packed_item(2, views=3)])


class Items(torch.utils.data.Dataset):

    def __len__(self):
        return 4

    def __getitem__(self, index):
        return packed_item(index)


@pytest.mark.parametrize('workers', [0, 1])
def test_runner_builds_it_from_the_configs_name(workers):
    # the name the configs use (configs/_base_/datasets/multiview_loaders.py)
    init_default_scope('nsd_toolkit')
    loader = Runner.build_dataloader(dict(
        dataset=Items(), batch_size=2, num_workers=workers,
        sampler=dict(type='DefaultSampler', shuffle=False),
        collate_fn=dict(type='nsd_toolkit.multiview_collate')))
    batches = list(loader)
    assert [b['inputs']['img'].shape for b in batches] == [(2, 2, 3, 4, 5)] * 2
    assert batches[1]['inputs']['img'][:, 0, 0, 0, 0].tolist() == [2, 3]


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a GPU')
def test_pinned_batches_copy_to_the_device_without_waiting():
    from nsd_toolkit.models.data_preprocessors import NSDDataPreprocessor
    loader = torch.utils.data.DataLoader(
        Items(), batch_size=2, collate_fn=multiview_collate, pin_memory=True)
    batch = next(iter(loader))
    assert batch['inputs']['img'].is_pinned()
    preprocessor = NSDDataPreprocessor(non_blocking=True).cuda()
    out = preprocessor(batch)
    expected = NSDDataPreprocessor()(multiview_collate(
        [packed_item(0), packed_item(1)]))
    torch.testing.assert_close(out['inputs']['img'].cpu(),
                               expected['inputs']['img'])
