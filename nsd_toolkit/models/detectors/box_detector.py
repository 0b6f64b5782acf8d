"""Detector B: full frame -> N boxes and relative depths."""
import math
from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.logging import print_log

from nsd_toolkit.registry import MODELS
from ..utils import ConvFCHead, check_positive_ints
from .base_detector import BaseDetector


@MODELS.register_module()
class BoxDetector(BaseDetector):
    """Backbone on the resampled frame, conv-fc head, ``N * 5`` outputs
    (``N * 6`` with ``predict_presence``).

    Per slot n the raw outputs ``(cx, cy, sx, sy, d[, p])`` become, in
    normalised image coordinates ([-1, 1], ``align_corners=False``)::

        center   = center_range * tanh(raw_c)                 in (-c, c)
        scale    = smin + (smax - smin) * sigmoid(raw_s)      fraction of W, H
        depth    = raw_d                                      relative, no unit
        presence = sigmoid(raw_p)                             in (0, 1)

    The crop spans ``center +- scale``. The last linear layer starts at zero
    except the biases of scale, horizontal centre and presence: every box
    starts with scale ``init_scale``, depth 0, presence ``init_presence``
    and, for N > 1, its own centre x on ``linspace(-init_spread,
    init_spread, N)`` (identical slots would get identical gradients and
    never separate; N = 1 starts centred).

    The presence says whether the slot holds a person; the model scales the
    slot's mask by it, so a slot that sees nobody can paint nothing (scenes
    with fewer people than slots).

    With ``adopt_slot_layouts`` a checkpoint of another slot layout loads
    slot by slot (a warm start in a curriculum on the number of people;
    otherwise it does not fit and loading reports it): the outputs of the
    slots and values both layouts have are taken from it, the others keep
    their initialisation (e.g. the third slot and every presence when a
    two-person model without presence starts a three-person one with it).
    The layout ``(N, outputs per slot)`` is saved as the buffer
    ``slot_layout``; checkpoints without it have 5 outputs per slot.

    Args:
        num_people (int): N, box slots.
        backbone (dict): config of a registered backbone
            (:class:`~nsd_toolkit.models.backbones.BaseBackbone`); its
            ``in_channels`` is set here (3, or 6 with
            ``use_background_diff``) and the head reads its
            ``out_channels``. ImageNet weights go in the backbone's
            ``init_cfg`` (the difference channels of its first convolution
            then start at zero).
        input_size (tuple): (H, W) the frame is resampled to (bilinear,
            antialiased when downsampling; aspect ratio not kept).
        use_background_diff (bool): also feed ``|img - background|`` (3 more
            input channels; ``background`` becomes required).
        center_range (float): c.
        scale_range (tuple): (smin, smax).
        init_scale (float): initial scale, in (smin, smax).
        init_spread (float): initial centre x of the outer slots, in
            [0, center_range).
        head_channels (tuple): channels of the two head convs.
        predict_presence (bool): also predict a presence per slot.
        init_presence (float): initial presence, in (0, 1).
        adopt_slot_layouts (bool): load checkpoints of another slot layout
            slot by slot (see above).
        init_cfg (dict, optional): init of the whole detector.
    """

    def __init__(self,
                 backbone: dict,
                 num_people: int = 1,
                 input_size: Sequence[int] = (128, 128),
                 use_background_diff: bool = False,
                 center_range: float = 0.8,
                 scale_range: Sequence[float] = (0.2, 1.0),
                 init_scale: float = 0.7,
                 init_spread: float = 0.5,
                 head_channels: Sequence[int] = (512, 128),
                 predict_presence: bool = False,
                 init_presence: float = 0.9,
                 adopt_slot_layouts: bool = False,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        check_positive_ints('BoxDetector', num_people=num_people,
                            input_size=input_size)
        smin, smax = scale_range
        if not smin < init_scale < smax:
            raise ValueError('init_scale must lie inside scale_range')
        if not 0 <= init_spread < center_range:
            raise ValueError(
                f'init_spread must be in [0, center_range={center_range}), '
                f'got {init_spread}')
        if not 0 < init_presence < 1:
            raise ValueError(
                f'init_presence must be in (0, 1), got {init_presence}')
        self.num_people = num_people
        self.input_size = tuple(input_size)
        self.use_background_diff = use_background_diff
        self.center_range = center_range
        self.scale_range = (float(smin), float(smax))
        self.predict_presence = predict_presence
        self.adopt_slot_layouts = adopt_slot_layouts
        self.num_outputs = 6 if predict_presence else 5
        in_channels = 6 if use_background_diff else 3
        if backbone.get('in_channels', in_channels) != in_channels:
            raise ValueError(
                f'BoxDetector: backbone.in_channels={backbone["in_channels"]}'
                f', but use_background_diff={use_background_diff} feeds '
                f'{in_channels} channels; leave it out of the backbone')
        self.backbone = MODELS.build(dict(backbone, in_channels=in_channels))
        self.head = ConvFCHead(self.backbone.out_channels,
                               num_people * self.num_outputs, head_channels)
        self.register_buffer('slot_layout',
                             torch.tensor([num_people, self.num_outputs]))
        fc = self.head.fc
        torch.nn.init.zeros_(fc.weight)
        torch.nn.init.zeros_(fc.bias)
        frac = (init_scale - smin) / (smax - smin)
        spread = torch.linspace(-init_spread, init_spread, num_people)
        if num_people == 1:
            spread.zero_()
        with torch.no_grad():
            bias = fc.bias.view(num_people, self.num_outputs)
            bias[:, 0] = torch.atanh(spread / center_range)
            bias[:, 2:4] = math.log(frac / (1 - frac))
            if predict_presence:
                bias[:, 5] = math.log(init_presence / (1 - init_presence))

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict,
                              missing_keys, unexpected_keys, error_msgs):
        mismatch = self._adopt_slot_layout(state_dict, prefix)
        if mismatch:
            error_msgs.append(mismatch)
        super()._load_from_state_dict(state_dict, prefix, local_metadata,
                                      strict, missing_keys, unexpected_keys,
                                      error_msgs)

    def _adopt_slot_layout(self, state_dict: dict,
                           prefix: str) -> Optional[str]:
        """Rewrite a checkpoint's last head layer of another slot layout into
        this one's, in place, with ``adopt_slot_layouts`` (class docstring);
        without, return the mismatch to report when the shapes alone would
        not show it."""
        fc_key, layout_key = prefix + 'head.fc.', prefix + 'slot_layout'
        if fc_key + 'bias' not in state_dict:
            return None
        old_bias = state_dict[fc_key + 'bias']
        old_layout = (tuple(state_dict[layout_key].tolist())
                      if layout_key in state_dict else
                      (old_bias.numel() // 5, 5))
        state_dict[layout_key] = self.slot_layout.clone()
        layout = tuple(self.slot_layout.tolist())
        weight = state_dict.get(fc_key + 'weight')
        if (old_layout == layout or weight is None
                or weight.shape[1:] != self.head.fc.weight.shape[1:]):
            return None  # same layout, or a mismatch load_state_dict reports
        if not self.adopt_slot_layouts:
            return (None if old_bias.shape != self.head.fc.bias.shape else
                    f'{layout_key}: the checkpoint has {old_layout[0]} slots '
                    f'x {old_layout[1]} outputs, the model {layout[0]} x '
                    f'{layout[1]}')
        slots, values = min(old_layout[0], layout[0]), min(old_layout[1],
                                                           layout[1])
        for name, old in (('weight', weight), ('bias', old_bias)):
            new = getattr(self.head.fc, name).detach().clone()
            new.view(*layout, -1)[:slots, :values] = old.reshape(
                *old_layout, -1)[:slots, :values]
            state_dict[fc_key + name] = new.view_as(
                getattr(self.head.fc, name))
        print_log(
            f'BoxDetector: loaded {slots} slot(s) x {values} outputs of a '
            f'checkpoint with {old_layout[0]} x {old_layout[1]}; the rest '
            f'keep their initialisation ({layout[0]} x {layout[1]})',
            logger='current')
        return None

    def forward(self,
                img: torch.Tensor,
                background: Optional[torch.Tensor] = None) -> dict:
        """
        Args:
            img (Tensor): [B, 3, H, W] normalised frames.
            background (Tensor, optional): [B, 3, H, W], same normalisation;
                required with ``use_background_diff``.

        Returns:
            dict: ``center`` [B, N, 2] (x, y), ``scale`` [B, N, 2] (x, y),
            ``depth`` [B, N] and, with ``predict_presence``, ``presence``
            [B, N].
        """
        x = img
        if self.use_background_diff:
            if background is None:
                raise ValueError('use_background_diff needs a background')
            x = torch.cat([img, (img - background).abs()], dim=1)
        if tuple(x.shape[-2:]) != self.input_size:
            x = F.interpolate(
                x,
                size=self.input_size,
                mode='bilinear',
                align_corners=False,
                antialias=True)
        raw = self.head(self.backbone(x)).view(-1, self.num_people,
                                               self.num_outputs)
        smin, smax = self.scale_range
        boxes = dict(
            center=self.center_range * torch.tanh(raw[..., 0:2]),
            scale=smin + (smax - smin) * torch.sigmoid(raw[..., 2:4]),
            depth=raw[..., 4])
        if self.predict_presence:
            boxes['presence'] = torch.sigmoid(raw[..., 5])
        return boxes
