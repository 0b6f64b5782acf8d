"""Tiny registered components for end-to-end tests of the tools.

Imported by temporary configs through ``custom_imports`` (the test puts this
folder on ``PYTHONPATH``), so the tools are exercised without the real NSD
model. Everything is CPU-sized: a linear model on 4-d inputs and a dataset of
a few deterministic samples whose data samples carry hand-made masks, so the
decomposition metric also runs through the Runner.
"""
import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.model import BaseModel
from torch.utils.data import Dataset

from nsd_toolkit.registry import DATASETS, METRICS, MODELS
from nsd_toolkit.structures import MultiViewDataSample

H = W = 8


def _toy_masks(index: int) -> torch.Tensor:
    """Instance-id masks [V=2, H, W] with two people, positions by index."""
    masks = torch.zeros(2, H, W, dtype=torch.long)
    shift = index % 3
    masks[:, 1:4, shift:shift + 3] = 1
    masks[:, 5:8, 4:7] = 2
    return masks


def _boxes_of(masks: torch.Tensor, num_people: int) -> torch.Tensor:
    boxes = torch.full((masks.shape[0], num_people, 4), float('nan'))
    for v in range(masks.shape[0]):
        for i in range(num_people):
            ys, xs = torch.nonzero(masks[v] == i + 1, as_tuple=True)
            if len(xs):
                boxes[v, i] = torch.tensor([
                    xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
                ]).float()
    return boxes


@DATASETS.register_module()
class ToyMultiViewDataset(Dataset):
    """A few samples of 4-d inputs with a linear target and GT masks."""

    # numpy content in the metainfo lands in checkpoint['meta']['dataset_meta']
    METAINFO = dict(
        dataset_name='toy', joint_weights=np.ones(3, dtype=np.float32))

    def __init__(self, length: int = 8, pipeline=None):
        self.length = length
        self.metainfo = dict(self.METAINFO)

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        generator = torch.Generator().manual_seed(index)
        x = torch.randn(4, generator=generator)
        sample = MultiViewDataSample(metainfo=dict(frame=index))
        sample.gt_masks = _toy_masks(index)
        sample.gt_bboxes = _boxes_of(sample.gt_masks, 2)
        sample.set_field(x.sum().reshape(1), 'target')
        return dict(inputs=x, data_samples=sample)


@MODELS.register_module()
class ToyRegressor(BaseModel):
    """Linear regressor; in predict mode copies the GT into pred fields."""

    def __init__(self, data_preprocessor=None):
        super().__init__(data_preprocessor=data_preprocessor)
        self.linear = torch.nn.Linear(4, 1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        if isinstance(inputs, (list, tuple)):
            inputs = torch.stack(inputs)
        out = self.linear(inputs)
        if mode == 'tensor':
            return out
        if mode == 'loss':
            target = torch.stack([s.target for s in data_samples])
            return dict(loss=((out - target)**2).mean())
        for sample in data_samples:
            ids = sample.gt_masks
            people = torch.arange(1, 3).view(1, 2, 1, 1)
            sample.pred_masks = (ids.unsqueeze(1) == people).float()
            sample.pred_bboxes = sample.gt_bboxes.clone()
        return data_samples


@METRICS.register_module()
class ToyNumpyMetric(BaseMetric):
    """Returns numpy / torch scalars, as real metrics often do."""

    default_prefix = 'toy'

    def process(self, data_batch, data_samples):
        for sample in data_samples:
            self.results.append(float(np.asarray(sample['pred_masks']).mean()))

    def compute_metrics(self, results):
        return dict(
            mean_mask=np.float64(np.mean(results)),
            count=torch.tensor(len(results)))
