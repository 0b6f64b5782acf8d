from .formatting import PackMultiViewInputs
from .loading import LoadMultiViewImages, read_image, read_mask
from .photometric import RandomHueRotation, hue_rotation_matrix
from .processing import ResizeMultiView
from .proposals import BackgroundProposals, foreground_boxes
from .sampling import PER_VIEW_KEYS, SampleViews

__all__ = [
    'BackgroundProposals', 'LoadMultiViewImages', 'PER_VIEW_KEYS',
    'PackMultiViewInputs', 'RandomHueRotation', 'ResizeMultiView',
    'SampleViews', 'foreground_boxes', 'hue_rotation_matrix', 'read_image',
    'read_mask'
]
