from .background import default_cache_dir, median_image
from .boxing_dataset import BoxingDataset
from .calibration import DatasetFormatError, load_calibration
from .campus_shelf_dataset import CampusDataset, ShelfDataset
from .collate import (multiview_collate, stack_multiview_inputs,
                      stacked_batch)
from .h36m_dataset import H36MDataset
from .joint_sets import shared_h36m_joints, to_h36m
from .multiview_base import BaseMultiViewDataset
from .multiview_dataset import MultiViewDataset
from .panoptic_dataset import PanopticDataset
from .sequence_group_sampler import SequenceGroupSampler
from . import transforms  # noqa: F401  (registers the transforms)

__all__ = [
    'BaseMultiViewDataset', 'BoxingDataset', 'CampusDataset',
    'DatasetFormatError', 'H36MDataset', 'MultiViewDataset',
    'PanopticDataset', 'SequenceGroupSampler', 'ShelfDataset',
    'default_cache_dir', 'load_calibration', 'median_image',
    'multiview_collate', 'shared_h36m_joints', 'stack_multiview_inputs',
    'stacked_batch',
    'synthetic', 'to_h36m', 'transforms'
]
