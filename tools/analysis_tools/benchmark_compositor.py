"""Time forward + backward of the compositors for 1, 2, 4 and 8 people.

    python tools/analysis_tools/benchmark_compositor.py [--size W H] [--batch B]
        [--repeats N] [--warmup N] [--device cpu|cuda]

Prints a markdown table with the median milliseconds per call of
AdditiveCompositor and OcclusionCompositor on random inputs and, on CUDA, the
peak memory allocated during one call (on the CPU it is not measured).
"""
import argparse
import statistics
import sys
import time

import torch
from mmengine.registry import init_default_scope

from nsd_toolkit.registry import MODELS

COMPOSITORS = ('AdditiveCompositor', 'OcclusionCompositor')
NUM_PEOPLE = (1, 2, 4, 8)


def random_inputs(batch, num_people, height, width, device):
    gen = torch.Generator().manual_seed(0)

    def rand(*shape, fn=torch.randn):
        return fn(*shape, generator=gen).to(device).requires_grad_()

    layers = rand(batch, num_people, 3, height, width)
    masks = rand(batch, num_people, 1, height, width, fn=torch.rand)
    depths = rand(batch, num_people)
    background = torch.randn(batch, 3, height, width, generator=gen).to(device)
    return layers, masks, depths, background


def measure(compositor, inputs, repeats, warmup, device):
    """Median milliseconds of forward + backward and peak MiB (CUDA only)."""

    def call():
        compositor(*inputs)['image'].mean().backward()
        if device.type == 'cuda':
            torch.cuda.synchronize(device)

    for _ in range(warmup):
        call()
    peak = None
    if device.type == 'cuda':
        torch.cuda.reset_peak_memory_stats(device)
        base = torch.cuda.memory_allocated(device)
        call()
        peak = (torch.cuda.max_memory_allocated(device) - base) / 2**20
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times), peak


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--size', type=int, nargs=2, default=(128, 96),
                        metavar=('W', 'H'), help='frame size (default 128 96)')
    parser.add_argument('--batch', type=int, default=8,
                        help='images per call (default 8)')
    parser.add_argument('--repeats', type=int, default=10,
                        help='timed calls; the median is printed (default 10)')
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--device', default='cuda'
                        if torch.cuda.is_available() else 'cpu')
    args = parser.parse_args(argv)
    if min(args.batch, args.repeats, *args.size) < 1 or args.warmup < 0:
        parser.error('--batch, --repeats and --size must be >= 1, '
                     '--warmup >= 0')
    device = torch.device(args.device)
    init_default_scope('nsd_toolkit')
    compositors = {name: MODELS.build(dict(type=name)).to(device)
                   for name in COMPOSITORS}
    width, height = args.size
    print(f'{args.batch} images of {width}x{height} on {device}, '
          f'{torch.get_num_threads()} threads, median of {args.repeats} '
          'forward + backward calls\n')
    print('| N | ' + ' | '.join(f'{name} (ms)' for name in COMPOSITORS) +
          ' | ' + ' | '.join(f'{name} peak (MiB)' for name in COMPOSITORS) +
          ' |')
    print('|---' * (1 + 2 * len(COMPOSITORS)) + '|')
    for num_people in NUM_PEOPLE:
        inputs = random_inputs(args.batch, num_people, height, width, device)
        results = [measure(compositor, inputs, args.repeats, args.warmup,
                           device) for compositor in compositors.values()]
        times = [f'{ms:.2f}' for ms, _ in results]
        peaks = ['-' if peak is None else f'{peak:.1f}' for _, peak in results]
        print(f'| {num_people} | ' + ' | '.join(times + peaks) + ' |')


if __name__ == '__main__':
    sys.exit(main())
