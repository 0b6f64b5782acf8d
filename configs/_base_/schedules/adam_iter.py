# Iteration-based schedule of the paper: Adam, 1e-3 for B and E, 1e-4 for D
# (appendix A), no decay. max_iters / val_interval / checkpoint interval set the budget.
# fused=True: one kernel per parameter group instead of a dozen small operations per
# parameter (torch >= 2.4 on CPU and GPU); the same update, several times faster on
# the many small tensors of these networks (docs/benchmarks.md, issue 15).
optim_wrapper = dict(
    type='OptimWrapper',
    constructor='FrozenAwareOptimWrapperConstructor',
    optimizer=dict(type='Adam', lr=1e-3, fused=True),
    paramwise_cfg=dict(custom_keys={'decoder': dict(lr_mult=0.1)}))
param_scheduler = [dict(type='ConstantLR', factor=1.0, by_epoch=False)]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=200000, val_interval=10000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
