"""Frozen parts are left out quietly; paramwise_cfg still applies; loaded
optimiser state follows its parameters' layout."""
import copy
import logging

import torch
from mmengine.logging import MMLogger
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope


class Net(torch.nn.Module):

    def __init__(self):
        super().__init__()
        self.decoder = torch.nn.Linear(3, 3)
        self.trunk = torch.nn.Sequential(torch.nn.Linear(3, 3),
                                         torch.nn.Linear(3, 3))
        self.trunk.requires_grad_(False)


class Collect(logging.Handler):

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_frozen_submodules_skipped_with_one_line():
    init_default_scope('nsd_toolkit')
    logger = MMLogger.get_instance('nsd_test_constructor')
    collect = Collect()
    logger.addHandler(collect)
    net = Net()
    cfg = dict(
        type='OptimWrapper',
        constructor='FrozenAwareOptimWrapperConstructor',
        optimizer=dict(type='Adam', lr=1e-3),
        paramwise_cfg=dict(custom_keys={'decoder': dict(lr_mult=0.1)}))
    try:
        wrapper = build_optim_wrapper(net, cfg)
    finally:
        logger.removeHandler(collect)
    optimised = {id(p) for group in wrapper.optimizer.param_groups
                 for p in group['params']}
    assert optimised == {id(p) for p in net.decoder.parameters()}
    assert all(group['lr'] == 1e-4 for group in wrapper.optimizer.param_groups)
    # plain dicts, not the config's ConfigDicts (slow item access in step())
    assert {type(group) for group in wrapper.optimizer.param_groups} == {dict}
    assert not any('skipped since' in m for m in collect.messages)
    frozen = [m for m in collect.messages if 'not optimised' in m]
    assert frozen == ['trunk: frozen, 24 parameters not optimised']


def fused_adam(net):
    return build_optim_wrapper(net, dict(
        type='OptimWrapper',
        constructor='FrozenAwareOptimWrapperConstructor',
        optimizer=dict(type='Adam', lr=1e-2, fused=True),
        paramwise_cfg=dict(custom_keys={'decoder': dict(lr_mult=0.1)})))


def take_steps(wrapper, net, steps, seed):
    """Adam steps with seeded gradients laid out as their parameters."""
    gen = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        for param in net.parameters():
            param.grad = torch.empty_like(param).copy_(
                torch.randn(param.shape, generator=gen))
        wrapper.step()


def test_loaded_state_takes_the_parameters_layout():
    # a checkpoint of a contiguous model, resumed by the same model and by a
    # channels-last one: fused Adam must continue identically in both
    init_default_scope('nsd_toolkit')
    torch.manual_seed(0)
    net = torch.nn.ModuleDict(dict(decoder=torch.nn.Conv2d(4, 8, 3)))
    wrapper = fused_adam(net)
    take_steps(wrapper, net, 2, seed=1)
    weights, saved = net.state_dict(), wrapper.state_dict()

    resumed = {}
    for layout in (torch.contiguous_format, torch.channels_last):
        model = torch.nn.ModuleDict(dict(decoder=torch.nn.Conv2d(4, 8, 3)))
        model.to(memory_format=layout).load_state_dict(weights)
        optim = fused_adam(model)
        optim.load_state_dict(copy.deepcopy(saved))
        moment = optim.optimizer.state[model.decoder.weight]['exp_avg']
        assert moment.is_contiguous(memory_format=layout)
        take_steps(optim, model, 2, seed=2)
        resumed[layout] = model.decoder.weight.detach()
    torch.testing.assert_close(resumed[torch.channels_last],
                               resumed[torch.contiguous_format])
    assert not torch.equal(resumed[torch.contiguous_format],
                           weights['decoder.weight'])
