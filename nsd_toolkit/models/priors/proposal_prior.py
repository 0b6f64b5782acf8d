"""Pull predicted boxes towards unsupervised background-subtraction proposals."""
from typing import Optional

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment

from nsd_toolkit.registry import MODELS
from .base_prior import BasePrior


def proposals_to_boxes(proposals: torch.Tensor, width: int, height: int,
                       margin: float):
    """xyxy pixel boxes [..., 4] -> detector (centre, scale) [..., 2] each.

    The detector's box ``center +- scale`` in normalised [-1, 1] coordinates
    spans ``scale * W`` by ``scale * H`` pixels; ``margin`` enlarges the
    proposal (a crop holds the person with some context).
    """
    size = proposals.new_tensor([width, height])
    top_left, bottom_right = proposals[..., :2], proposals[..., 2:]
    center = (top_left + bottom_right) / size - 1
    scale = margin * (bottom_right - top_left) / size
    return center, scale


@MODELS.register_module()
class ProposalPrior(BasePrior):
    """L1 pull of matched slot boxes towards background-subtraction proposals.

    Per image, the N predicted boxes are matched one to one to the valid
    proposals (Hungarian on the L1 distance of (centre, scale), without
    gradient); unmatched slots and proposals are left free. The loss is
    ``loss_weight`` times the mean L1 distance over matched pairs (0 when an
    image has no proposal). Proposals come from
    :class:`~nsd_toolkit.datasets.transforms.BackgroundProposals`.

    Args:
        loss_weight (float): weight of the prior.
        margin (float): proposal boxes are enlarged by this factor.
    """

    def __init__(self,
                 loss_weight: float = 0.1,
                 margin: float = 1.25,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if loss_weight < 0 or margin <= 0:
            raise ValueError('ProposalPrior: loss_weight must be >= 0 and '
                             f'margin > 0, got {loss_weight}, {margin}')
        self.loss_weight = loss_weight
        self.margin = margin

    def forward(self, center: torch.Tensor, scale: torch.Tensor,
                proposals: torch.Tensor, width: int,
                height: int) -> torch.Tensor:
        """
        Args:
            center, scale: [M, N, 2] predicted boxes of M images.
            proposals: [M, K, 4] xyxy pixels, NaN rows unused.
            width, height: image size in pixels.

        Returns:
            Weighted scalar loss.
        """
        target_center, target_scale = proposals_to_boxes(
            proposals, width, height, self.margin)
        pred = torch.cat([center, scale], dim=-1)  # [M, N, 4]
        target = torch.cat([target_center, target_scale], dim=-1)  # [M, K, 4]
        valid = torch.isfinite(target).all(-1)  # [M, K]
        # zeros, not NaN, in unused rows: NaN would poison the gradient
        target = torch.where(valid[..., None], target, torch.zeros_like(target))
        distance = (pred[:, :, None] - target[:, None]).abs().mean(-1)
        cost = distance.detach().masked_fill(~valid[:, None], np.inf)
        images, slots, props = [], [], []
        for m, matrix in enumerate(cost.cpu().numpy()):
            columns = np.flatnonzero(np.isfinite(matrix[0]))
            if len(columns) == 0:
                continue
            rows, cols = linear_sum_assignment(matrix[:, columns])
            images.append(np.full(len(rows), m))
            slots.append(rows)
            props.append(columns[cols])
        if not images:
            return pred.sum() * 0
        index = [torch.from_numpy(np.concatenate(x)).to(center.device)
                 for x in (images, slots, props)]
        return self.loss_weight * distance[index[0], index[1], index[2]].mean()
