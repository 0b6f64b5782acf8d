"""Print the fully merged config.

    python tools/analysis_tools/print_config.py CONFIG [--cfg-options KEY=VALUE ...]

The config with its ``_base_`` files, ``--cfg-options`` and the ImageNet switch
applied (``imagenet_pretrained``, as tools/train.py does), as mmengine writes it.
An unknown top-level key or a malformed item is refused as by tools/train.py.
"""
import argparse

from mmengine.config import Config

from nsd_toolkit.utils.cli import (CfgOptionsAction, apply_imagenet_pretrained,
                                   existing_file, merge_cfg_options)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Print the whole config')
    parser.add_argument('config', type=existing_file, help='config file path')
    parser.add_argument(
        '--cfg-options', nargs='+', action=CfgOptionsAction,
        metavar='KEY=VALUE', help='override settings of the config, e.g. '
        'train_cfg.max_iters=100 "model.channels=[32,64]"')
    return parser, parser.parse_args(argv)


def main(argv=None):
    parser, args = parse_args(argv)
    cfg = merge_cfg_options(Config.fromfile(args.config), args.cfg_options,
                            parser)
    try:
        apply_imagenet_pretrained(cfg)
    except KeyError as error:
        parser.error(f'imagenet_pretrained: {error}')
    print(f'Config:\n{cfg.pretty_text}')
    return cfg


if __name__ == '__main__':
    main()
