"""Frozen parts are left out quietly; paramwise_cfg still applies."""
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
