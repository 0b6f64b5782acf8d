from .base_prior import BasePrior
from .box_prior import BoxPrior, expected_box_scale
from .proposal_prior import ProposalPrior, proposals_to_boxes

__all__ = [
    'BasePrior', 'BoxPrior', 'ProposalPrior', 'expected_box_scale',
    'proposals_to_boxes'
]
