"""Time training steps of a config's model on random inputs (no data loading).

    python tools/analysis_tools/benchmark_train_step.py CONFIG [--batch-size B]
        [--size W H] [--iters N] [--warmup N] [--cfg-options KEY=VALUE ...]

Prints the median seconds per optimiser step (forward, backward, Adam) of the whole
model and, separately, forward + backward of each of detector, encoder, decoder and
perceptual loss, so the cost of a config change can be measured before and after.
"""
import argparse
import statistics
import sys
import time

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from nsd_toolkit.registry import MODELS
from nsd_toolkit.utils.cli import CfgOptionsAction, existing_file


def median_seconds(fn, iters, warmup):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(iters):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def backward_of(fn):
    """Closure running ``fn`` and back-propagating the mean of its output."""

    def run():
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
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction)
    args = parser.parse_args(argv)
    if min(args.batch_size, args.iters, *args.size) < 1 or args.warmup < 0:
        parser.error('--batch-size, --iters and --size must be >= 1, '
                     '--warmup >= 0')
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope('nsd_toolkit')
    model = MODELS.build(cfg.model)
    model.train()
    optimizer = torch.optim.Adam(
        [p for p in model.parameters() if p.requires_grad])
    (width, height), batch = args.size, args.batch_size
    gen = torch.Generator().manual_seed(0)
    inputs = dict(
        img=torch.randn(batch, 2, 3, height, width, generator=gen),
        background=torch.randn(batch, 2, 3, height, width, generator=gen),
        R=torch.linalg.qr(torch.randn(batch, 2, 3, 3, generator=gen))[0])

    def step():
        losses = model(inputs, mode='loss')
        optimizer.zero_grad()
        sum(losses.values()).backward()
        optimizer.step()

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
    print(f'{args.config}: {batch} view pairs of {width}x{height}, '
          f'{torch.get_num_threads()} threads, median of {args.iters}')
    print(f'  train step       {median_seconds(step, args.iters, args.warmup):.3f} s')
    for name, fn in parts.items():
        seconds = median_seconds(backward_of(fn), args.iters, args.warmup)
        print(f'  {name:<16} {seconds:.3f} s (forward + backward)')


if __name__ == '__main__':
    sys.exit(main())
