"""Optimiser constructor: frozen sub-modules reported once, plain groups,
loaded state laid out as its parameters."""
import torch
from mmengine.logging import print_log
from mmengine.optim import DefaultOptimWrapperConstructor

from nsd_toolkit.registry import OPTIM_WRAPPER_CONSTRUCTORS


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class FrozenAwareOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """mmengine's constructor (``paramwise_cfg`` and all), quiet about frozen parts.

    Sub-modules whose parameters all have ``requires_grad=False`` (the
    perceptual loss network, frozen trunk stages) are left out of the
    optimiser with one log line each, where mmengine warns once per parameter.

    The parameter groups are plain dicts: built through a config, each group
    of ``paramwise_cfg`` (one per parameter) is a ``ConfigDict``, whose item
    access costs ~1 us, and the optimiser step reads ~10 items per group
    (docs/benchmarks.md, issue 15). Same keys and values, same state dict.

    A loaded optimiser state takes its parameters' memory layout
    (:func:`match_state_layouts`): fused Adam runs over the raw storage, so a
    channels-last parameter with a contiguous moment from an older
    checkpoint would be updated with the wrong elements, silently.
    """

    def __call__(self, model):
        optim_wrapper = super().__call__(model)
        optimizer = optim_wrapper.optimizer
        optimizer.param_groups = [dict(group)
                                  for group in optimizer.param_groups]
        optimizer.register_load_state_dict_post_hook(match_state_layouts)
        return optim_wrapper

    def add_params(self, params, module, prefix='', is_dcn_module=None):
        own = list(module.parameters())
        if own and not any(param.requires_grad for param in own):
            count = sum(param.numel() for param in own)
            print_log(f'{prefix or "model"}: frozen, {count} parameters not '
                      'optimised', logger='current')
            return
        super().add_params(params, module, prefix, is_dcn_module)


def match_state_layouts(optimizer: torch.optim.Optimizer) -> None:
    """Give each per-parameter state tensor of the parameter's shape the
    parameter's strides (e.g. Adam's moments of a channels-last weight
    loaded from a contiguous checkpoint); values unchanged."""
    for group in optimizer.param_groups:
        for param in group['params']:
            state = optimizer.state.get(param, {})
            for key, value in state.items():
                if (torch.is_tensor(value) and value.shape == param.shape
                        and value.stride() != param.stride()):
                    state[key] = torch.empty_like(
                        param, dtype=value.dtype).copy_(value)
