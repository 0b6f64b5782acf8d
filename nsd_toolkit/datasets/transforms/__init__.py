from .formatting import PackMultiViewInputs
from .loading import LoadMultiViewImages, read_image, read_mask
from .processing import ResizeMultiView
from .sampling import PER_VIEW_KEYS, SampleViews

__all__ = [
    'LoadMultiViewImages', 'PER_VIEW_KEYS', 'PackMultiViewInputs',
    'ResizeMultiView', 'SampleViews', 'read_image', 'read_mask'
]
