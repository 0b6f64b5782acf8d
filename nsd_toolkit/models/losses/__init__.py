from .perceptual_loss import PerceptualLoss
from .pixel_loss import PixelLoss
from .utils import standardize_like

__all__ = ['PerceptualLoss', 'PixelLoss', 'standardize_like']
