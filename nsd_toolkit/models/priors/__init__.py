from .box_prior import BoxPrior, expected_box_scale

__all__ = ['BoxPrior', 'expected_box_scale']
