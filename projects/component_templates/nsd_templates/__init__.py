from .associator import DotProductAssociator
from .backbone import PlainConvBackbone
from .decoder import LinearDecoder
from .detector import PooledBoxDetector
from .encoder import PooledEncoder
from .pose_head import LinearPoseHead
from .prior import MinimumScalePrior
from .root_head import LinearRootHead

__all__ = [
    'DotProductAssociator', 'LinearDecoder', 'LinearPoseHead',
    'LinearRootHead', 'MinimumScalePrior', 'PlainConvBackbone',
    'PooledBoxDetector', 'PooledEncoder'
]
