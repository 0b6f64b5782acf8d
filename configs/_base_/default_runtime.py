default_scope = 'nsd_toolkit'

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    # val metrics logged against the iteration (the x axis of plot_metrics.py)
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # mmengine's CheckpointHook, writing through a temporary file + rename and
    # recording last_checkpoint relative to the work dir
    checkpoint=dict(
        type='NSDCheckpointHook', interval=1000, by_epoch=False,
        max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # --resume skips the trained batches in the sampler instead of loading
    # them, and the workers seed each batch from its number (same views)
    fast_resume=dict(type='FastResumeHook'),
    # checkpoints carry the random generators; --resume restores them
    random_state=dict(type='RandomStateHook'),
    # glibc's malloc keeps the step's freed blocks for the next step instead
    # of mapping them afresh (~8 % of a CPU iteration; docs/benchmarks.md);
    # `default_hooks.allocator=None` leaves the allocator as it is
    allocator=dict(type='HostAllocatorHook'),
)
# NSDStageHook applies the model's `stages` (if any) when training reaches them
custom_hooks = [
    dict(type='NSDPanelHook', interval=500),
    dict(type='NSDStageHook'),
]

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)

# LocalVisBackend writes <work_dir>/<run>/vis_data/scalars.json (read by
# plot_metrics.py and analyze_logs.py). TensorBoard is off by default; to log
# there as well (pip install tensorboard), set in a config inheriting this one:
#   visualizer = dict(vis_backends=[dict(type='LocalVisBackend'),
#                                   dict(type='TensorboardVisBackend')])
# and run `tensorboard --logdir <work_dir>`.
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(
    type='Visualizer', vis_backends=vis_backends, name='visualizer')
log_processor = dict(type='LogProcessor', window_size=50, by_epoch=False)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0)
