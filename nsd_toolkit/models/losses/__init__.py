from .perceptual_loss import PerceptualLoss
from .pixel_loss import PixelLoss
from .pose_loss import PoseLoss
from .utils import standardize_like

__all__ = ['PerceptualLoss', 'PixelLoss', 'PoseLoss', 'standardize_like']
