from .background import default_cache_dir, median_image
from .calibration import DatasetFormatError, load_calibration
from .multiview_dataset import MultiViewDataset
from . import synthetic  # noqa: F401
from . import transforms  # noqa: F401  (registers the transforms)

__all__ = [
    'DatasetFormatError', 'MultiViewDataset', 'default_cache_dir',
    'load_calibration', 'median_image', 'synthetic', 'transforms'
]
