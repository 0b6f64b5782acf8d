"""FLOPs and parameters of a config's NSD model, per component.

    python tools/analysis_tools/get_flops.py CONFIG [--batch-size B]
        [--size W H] [--cfg-options KEY=VALUE ...]

Traces one training forward pass (``model.loss`` on random view pairs, the
config's first stage) with mmengine's complexity analysis and prints, for
detector, transformer, encoder, decoder, compositors, associator and
perceptual loss, the parameters and the forward FLOPs per step (FLOPs = 2 x
multiply-adds; element-wise operators and ``grid_sample`` are not counted),
and the training step's estimate (3 x forward). With a pose estimator, its
NSD model is analysed.
"""
import argparse

from mmengine.analysis import parameter_count
from mmengine.config import Config
from mmengine.registry import init_default_scope

from nsd_toolkit.registry import MODELS
from nsd_toolkit.utils.cli import (CfgOptionsAction, existing_file,
                                   merge_cfg_options)
from nsd_toolkit.utils.complexity import (TRAIN_STEP_FACTOR,
                                          loss_forward_flops,
                                          random_train_inputs)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', type=existing_file)
    parser.add_argument('--batch-size', type=int,
                        help='view pairs per step (default: the config\'s '
                        'training batch size)')
    parser.add_argument('--size', type=int, nargs=2, default=(128, 96),
                        metavar=('W', 'H'), help='frame size (default 128 96)')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction)
    args = parser.parse_args(argv)
    if min(args.size) < 1 or (args.batch_size is not None
                              and args.batch_size < 1):
        parser.error('--batch-size and --size must be >= 1')
    return parser, args


def main(argv=None):
    parser, args = parse_args(argv)
    cfg = merge_cfg_options(Config.fromfile(args.config), args.cfg_options,
                            parser)
    batch = args.batch_size or cfg.train_dataloader.get('batch_size', 1)
    init_default_scope('nsd_toolkit')
    model = MODELS.build(cfg.model)
    model = getattr(model, 'nsd', model)  # a pose estimator's NSD
    model.train()
    width, height = args.size
    flops = loss_forward_flops(
        model, random_train_inputs(model, batch, width, height))
    params = parameter_count(model)
    print(f'{args.config}: {batch} view pairs of {width}x{height} per step')
    print(f'{"component":<18}{"parameters":>12}{"GFLOPs":>10}{"share":>8}')
    for name, value in flops.items():
        if name == 'total':
            continue
        print(f'{name:<18}{params.get(name, 0):>12,}{value / 1e9:>10.2f}'
              f'{value / max(flops["total"], 1):>8.1%}')
    print(f'{"forward, total":<18}{params[""]:>12,}'
          f'{flops["total"] / 1e9:>10.2f}')
    print(f'train step (~{TRAIN_STEP_FACTOR} x forward): '
          f'{TRAIN_STEP_FACTOR * flops["total"] / 1e9:.2f} GFLOPs')
    return flops


if __name__ == '__main__':
    main()
