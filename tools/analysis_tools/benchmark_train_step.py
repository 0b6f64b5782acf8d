"""Time training steps of a config's model on random inputs (no data loading).

    python tools/analysis_tools/benchmark_train_step.py CONFIG [--batch-size B]
        [--size W H] [--iters N] [--warmup N] [--device DEV]
        [--amp [{float16,bfloat16}]]
        [--cfg-options KEY=VALUE ...]

Prints the median seconds per optimiser step of the whole model (forward, then the
config's optimiser wrapper's ``update_params``: backward, step, clearing the gradients,
as ``tools/train.py`` builds and calls it), the step's achieved FLOP/s against the
measured rate of a float32 matrix product on the same device and threads (FLOPs of
``get_flops.py``: 3 x the traced forward), and, separately, forward + backward of each
of detector, encoder, decoder and perceptual loss, so the cost of a config change can
be measured before and after. The config's host allocator hook
(``default_hooks.allocator``) is applied first, as its Runner applies it.
"""
import argparse
import statistics
import sys
import time

import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope

from nsd_toolkit.engine.hooks import apply_config_allocator
from nsd_toolkit.registry import MODELS
from nsd_toolkit.utils.cli import (CfgOptionsAction, existing_file,
                                   merge_cfg_options)
from nsd_toolkit.utils.complexity import (TRAIN_STEP_FACTOR,
                                          loss_forward_flops,
                                          matmul_flops_per_second,
                                          random_train_inputs)


def median_seconds(fn, iters, warmup, device):
    """Median wall seconds of ``fn``, including its queued GPU work."""

    def synchronize():
        if device.type == 'cuda':
            torch.cuda.synchronize(device)

    for _ in range(warmup):
        fn()
    times = []
    for _ in range(iters):
        synchronize()
        start = time.perf_counter()
        fn()
        synchronize()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def describe_optimizer(optimizer) -> str:
    """``Adam (fused)``: the optimiser's class and implementation."""
    kind = next((name for name in ('fused', 'foreach')
                 if optimizer.defaults.get(name)), 'default')
    return f'{type(optimizer).__name__} ({kind})'


def backward_of(fn, autocast):
    """Closure running ``fn`` and back-propagating the mean of its output."""

    def run():
        with autocast():
            out = fn()
        out = out if torch.is_tensor(out) else out[0]
        out.float().mean().backward()

    return run


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', type=existing_file)
    parser.add_argument('--batch-size', type=int, default=8,
                        help='view pairs per step (default 8)')
    parser.add_argument('--size', type=int, nargs=2, default=(128, 96),
                        metavar=('W', 'H'), help='frame size (default 128 96)')
    parser.add_argument('--iters', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--device', default='cpu',
                        help="torch device, e.g. 'cuda' (default cpu)")
    parser.add_argument('--amp', nargs='?', const='float16',
                        choices=('float16', 'bfloat16'),
                        help='forward passes under automatic mixed precision '
                        '(float16 autocast as `tools/train.py --amp` when no '
                        'type is given; bfloat16 for CPUs)')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction)
    args = parser.parse_args(argv)
    if min(args.batch_size, args.iters, *args.size) < 1 or args.warmup < 0:
        parser.error('--batch-size, --iters and --size must be >= 1, '
                     '--warmup >= 0')
    try:
        device = torch.device(args.device)
        torch.empty(0, device=device)
    except (RuntimeError, AssertionError) as error:
        parser.error(f'--device {args.device}: {error}')
    cfg = merge_cfg_options(Config.fromfile(args.config), args.cfg_options,
                            parser)
    init_default_scope('nsd_toolkit')
    # the config's host allocator settings, as its Runner applies them
    allocator = apply_config_allocator(cfg)
    model = MODELS.build(cfg.model).to(device)
    model.train()
    # the config's optimiser as tools/train.py builds it, without the
    # constructor's log line per parameter
    MMLogger.get_instance('benchmark_train_step', log_level='WARNING')
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    (width, height), batch = args.size, args.batch_size
    inputs = {
        key: value.to(device)
        for key, value in random_train_inputs(model, batch, width,
                                              height).items()
    }

    def autocast():
        return torch.autocast(device.type,
                              dtype=getattr(torch, args.amp or 'float16'),
                              enabled=args.amp is not None)

    def step():
        with autocast():
            losses = model(inputs, mode='loss')
        # backward, step, then clearing the gradients, in the runner's order:
        # when the gradients are freed changes which memory is reused
        optim_wrapper.update_params(sum(losses.values()))

    images = inputs['img'].flatten(0, 1)
    backgrounds = inputs['background'].flatten(0, 1)
    with torch.no_grad():
        boxes = model.detector(images, backgrounds)
        crops = model.transformer.crop(images, boxes['center'],
                                       boxes['scale']).flatten(0, 1)
    appearance, points = (t.detach().requires_grad_()
                          for t in model.encoder(crops))
    parts = {
        'detector': lambda: model.detector(images, backgrounds)['scale'],
        'encoder': lambda: model.encoder(crops)[1],
        'decoder': lambda: model.decoder(appearance, points)[0],
    }
    if model.perceptual_loss is not None:
        prediction = images.clone().requires_grad_()
        parts['perceptual_loss'] = lambda: model.perceptual_loss(
            prediction, images)
    where = (torch.cuda.get_device_name(device) if device.type == 'cuda'
             else f'{torch.get_num_threads()} CPU threads')
    precision = {None: 'fp32', 'float16': 'fp16 autocast',
                 'bfloat16': 'bf16 autocast'}[args.amp]
    print(f'{args.config}: {batch} view pairs of {width}x{height}, {where}, '
          f'{precision}, {describe_optimizer(optim_wrapper.optimizer)}, median of '
          f'{args.iters}{", host allocator hook applied" if allocator else ""}')
    seconds = median_seconds(step, args.iters, args.warmup, device)
    print(f'  train step       {seconds:.3f} s')
    step_flops = TRAIN_STEP_FACTOR * loss_forward_flops(model, inputs)['total']
    matmul = matmul_flops_per_second(device)
    print(f'  achieved         {step_flops / seconds / 1e9:.1f} GFLOP/s '
          f'({step_flops / 1e9:.2f} GFLOPs per step, '
          f'~{TRAIN_STEP_FACTOR} x forward) = '
          f'{step_flops / seconds / matmul:.0%} of the measured fp32 '
          f'matrix product, {matmul / 1e9:.1f} GFLOP/s')
    if device.type == 'cuda':
        print(f'  peak GPU memory  '
              f'{torch.cuda.max_memory_allocated(device) / 2**30:.2f} GiB')
    for name, fn in parts.items():
        seconds = median_seconds(backward_of(fn, autocast), args.iters,
                                 args.warmup, device)
        print(f'  {name:<16} {seconds:.3f} s (forward + backward)')


if __name__ == '__main__':
    sys.exit(main())
