"""nsd-toolkit: Neural Scene Decomposition on mmengine."""
import warnings

import mmengine
import torch
from mmengine.utils import digit_version

from .version import __version__

MMENGINE_WINDOW = ('0.10.0', '1.0.0')
TORCH_MINIMUM = '2.1.0'

if not (digit_version(MMENGINE_WINDOW[0]) <= digit_version(mmengine.__version__)
        < digit_version(MMENGINE_WINDOW[1])):
    warnings.warn(
        f'nsd_toolkit is tested with mmengine>={MMENGINE_WINDOW[0]}, '
        f'<{MMENGINE_WINDOW[1]}; found {mmengine.__version__}.')
if digit_version(torch.__version__.split('+')[0]) < digit_version(TORCH_MINIMUM):
    warnings.warn(f'nsd_toolkit needs torch>={TORCH_MINIMUM}; found '
                  f'{torch.__version__}.')

__all__ = ['__version__']
