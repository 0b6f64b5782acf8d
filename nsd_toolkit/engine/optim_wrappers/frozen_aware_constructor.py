"""Optimiser constructor: frozen sub-modules reported once, plain groups."""
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
    """

    def __call__(self, model):
        optim_wrapper = super().__call__(model)
        optimizer = optim_wrapper.optimizer
        optimizer.param_groups = [dict(group)
                                  for group in optimizer.param_groups]
        return optim_wrapper

    def add_params(self, params, module, prefix='', is_dcn_module=None):
        own = list(module.parameters())
        if own and not any(param.requires_grad for param in own):
            count = sum(param.numel() for param in own)
            print_log(f'{prefix or "model"}: frozen, {count} parameters not '
                      'optimised', logger='current')
            return
        super().add_params(params, module, prefix, is_dcn_module)
