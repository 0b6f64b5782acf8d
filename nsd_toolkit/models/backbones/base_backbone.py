"""What every backbone of the toolkit provides (the ``backbone=dict(...)`` slot)."""
import os.path as osp
from abc import ABCMeta, abstractmethod
from typing import Iterator, List, Optional, Sequence, Tuple

import torch
from mmengine.model import BaseModule
from torch import nn

# checkpoint prefixes that mmengine fetches through torch hub's cache
REMOTE = ('torchvision://', 'http://', 'https://')


class BaseBackbone(BaseModule, metaclass=ABCMeta):
    """A feature trunk: ``[B, in_channels, H, W] -> [B, out_channels, h, w]``.

    The detector, the encoder and the perceptual loss build theirs from a
    ``backbone=dict(type=...)`` config and read ``out_channels`` from it, so
    any registered subclass fits any of the three. A subclass sets
    ``in_channels``, ``out_channels``, ``first_conv`` (the state-dict key of
    its first convolution's weight) and ``frozen_stages``, and lists its
    layers in forward order (:meth:`named_layers`); this class runs them,
    returns intermediate outputs by name (:meth:`layer_outputs`), keeps frozen
    layers frozen, loads 3-channel weights (ImageNet) into wider inputs and
    names the file when pretrained weights cannot be fetched.
    """

    in_channels: int
    out_channels: int
    first_conv: str
    frozen_stages: int

    @abstractmethod
    def named_layers(self) -> Iterator[Tuple[str, nn.Module]]:
        """``(name, module)`` of each layer, in forward order."""

    @abstractmethod
    def frozen_layers(self) -> List[nn.Module]:
        """The layers ``frozen_stages`` freezes (empty for -1)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``[B, in_channels, H, W] -> [B, out_channels, h, w]``."""
        for _, layer in self.named_layers():
            x = layer(x)
        return x

    def layer_outputs(self, x: torch.Tensor,
                      names: Sequence[str]) -> List[torch.Tensor]:
        """Outputs of the named layers, in forward order; stops after the
        last one asked for."""
        known = [name for name, _ in self.named_layers()]
        unknown = set(names) - set(known)
        if unknown:
            raise KeyError(f'{type(self).__name__}: unknown layers '
                           f'{sorted(unknown)}; it has {known}')
        outs = []
        for name, layer in self.named_layers():
            x = layer(x)
            if name in names:
                outs.append(x)
                if len(outs) == len(names):
                    break
        return outs

    def freeze(self) -> None:
        """``requires_grad=False`` on the frozen layers (call once built)."""
        for layer in self.frozen_layers():
            layer.requires_grad_(False)

    def train(self, mode: bool = True) -> 'BaseBackbone':
        """Frozen layers stay in eval mode (batch-norm statistics fixed)."""
        super().train(mode)
        for layer in self.frozen_layers():
            layer.eval()
        return self

    def init_weights(self) -> None:
        """mmengine's initialisation; remote weights that cannot be fetched
        raise ``FileNotFoundError`` naming the file and its cache path."""
        try:
            super().init_weights()
        except OSError as error:  # urllib's URLError included
            cfgs = self.init_cfg if isinstance(self.init_cfg,
                                               list) else [self.init_cfg]
            remote = [
                str(cfg['checkpoint']) for cfg in cfgs
                if cfg and str(cfg.get('checkpoint')).startswith(REMOTE)
            ]
            if not remote:
                raise
            raise FileNotFoundError(
                missing_weights_message(type(self).__name__, remote[0],
                                        error)) from error

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # Widen a 3-channel first conv (ImageNet) to in_channels, zero weights.
        key = prefix + self.first_conv
        weight = state_dict.get(key)
        if (weight is not None and weight.shape[1] == 3
                and self.in_channels > 3):
            extra = weight.new_zeros(weight.shape[0], self.in_channels - 3,
                                     *weight.shape[2:])
            state_dict[key] = torch.cat([weight, extra], dim=1)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)


def missing_weights_message(owner: str, checkpoint: str,
                            error: Optional[Exception]) -> str:
    """What to do when ``checkpoint`` (e.g. ``'torchvision://resnet50'``)
    could not be fetched for ``owner``."""
    url = checkpoint
    if checkpoint.startswith('torchvision://'):
        from mmengine.runner.checkpoint import get_torchvision_models
        url = get_torchvision_models().get(
            checkpoint[len('torchvision://'):], checkpoint)
    cache = osp.join(torch.hub.get_dir(), 'checkpoints')
    return (f'{owner}: the pretrained weights {checkpoint!r} asked for by '
            f'its init_cfg could not be loaded ({error}). Without internet, '
            f'download {url} elsewhere and copy it into {cache} (torch hub\'s '
            'cache; TORCH_HOME moves it), or leave the weights out: '
            'imagenet_pretrained=False in the NSD configs, or no '
            'Pretrained init_cfg in the backbone')
