"""Score the trivial answer, background subtraction, like a model.

    python tools/analysis_tools/background_subtraction.py CONFIG
        [--split val|test] [--threshold 10] [--min-area 0.002]
        [--max-people N] [--out metrics.json] [--data-root DIR]
        [--cfg-options KEY=VALUE ...]

What a decomposition number is worth depends on what needs no learning. For
every sample and view of the config's val or test loader, the pixels where
the frame differs from the median background the model gets (the dataset's,
``inputs['background']``) by more than ``--threshold`` on any channel are
foreground; after a 3 x 3 opening, the N largest 8-connected blobs of at least
``--min-area`` of the image (:func:`~nsd_toolkit.datasets.transforms.proposals.
foreground_blobs`) are the N instance masks (``pred_masks``, 1 inside the
blob) and their boxes the crop boxes (``pred_bboxes``). A missing blob is an
empty mask and an empty box ``[0, 0, 0, 0]`` (no instance; it counts 0 in
``box_area``). N is ``--max-people``, by default the config's
``model.detector.num_people``.

The config's evaluator scores the answer; its metrics that need predictions
background subtraction cannot give (``NovelViewMetric``, ``PoseMetric``) are
skipped with a note. Prints the metrics; ``--out`` writes them as JSON
(atomically; NaN as ``null``).
"""
import argparse

import numpy as np
import torch
from mmengine.config import Config
from mmengine.evaluator import Evaluator
from mmengine.registry import init_default_scope
from tqdm import tqdm

from nsd_toolkit.datasets.transforms.proposals import foreground_blobs
from nsd_toolkit.evaluation import DecompositionMetric
from nsd_toolkit.registry import METRICS
from nsd_toolkit.utils.cli import (add_metrics_out_argument,
                                   add_split_arguments, build_split_loader,
                                   call_or_exit, dump_json_atomic,
                                   merge_cfg_options, to_plain)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_split_arguments(parser, default_split='test')
    parser.add_argument(
        '--threshold', type=float, default=10.0,
        help='per-channel difference (0-255) marking foreground (default 10)')
    parser.add_argument(
        '--min-area', type=float, default=0.002,
        help='smallest blob, fraction of the image area (default 0.002)')
    parser.add_argument(
        '--max-people', type=int,
        help="masks per view (default: the config's model.detector."
        'num_people)')
    add_metrics_out_argument(parser)
    args = parser.parse_args(argv)
    checks = (('--threshold', args.threshold, 0 <= args.threshold < 255,
               '[0, 255)'),
              ('--min-area', args.min_area, 0 <= args.min_area < 1, '[0, 1)'),
              ('--max-people', args.max_people, args.max_people is None
               or 1 <= args.max_people <= 255, '[1, 255]'))
    for name, value, valid, expected in checks:
        if not valid:
            parser.error(f'argument {name}: expected a value in {expected}, '
                         f'got {value}')
    return parser, args


def num_slots(cfg, args, parser) -> int:
    """``--max-people``, else the config's ``model.detector.num_people``."""
    if args.max_people is not None:
        return args.max_people
    number = cfg.get('model', {}).get('detector', {}).get('num_people')
    if number is None:
        parser.error(f'{args.config} has no model.detector.num_people: '
                     'give --max-people')
    return number


def build_evaluator(cfg, args, parser) -> Evaluator:
    """An evaluator of the split's ``DecompositionMetric`` entries; the other
    metrics of the config are noted as skipped."""
    metric_cfgs = cfg.get(f'{args.split}_evaluator') or []
    if isinstance(metric_cfgs, dict):
        metric_cfgs = [metric_cfgs]
    metrics = [call_or_exit(parser, METRICS.build, metric_cfg)
               for metric_cfg in metric_cfgs]
    kept = [metric for metric in metrics
            if isinstance(metric, DecompositionMetric)]
    for metric in metrics:
        if metric not in kept:
            print(f'note: {type(metric).__name__} skipped, it needs '
                  'predictions background subtraction does not make')
    if not kept:
        parser.error(f'{args.split}_evaluator of {args.config} has no '
                     'DecompositionMetric')
    return Evaluator(kept)


def blob_predictions(img: torch.Tensor, background: torch.Tensor,
                     slots: int, threshold: float, min_area: float) -> tuple:
    """Masks and boxes of the ``slots`` largest foreground blobs per view.

    Args:
        img, background: uint8 [V, 3, H, W] frames and their backgrounds.

    Returns:
        tuple: ``pred_masks`` float32 [V, N, H, W] (1 inside blob n, empty
        where a view has fewer blobs) and ``pred_bboxes`` float32 [V, N, 4]
        xyxy pixels (zeros for missing blobs).
    """
    views = [
        foreground_blobs(frame, back, threshold, min_area, slots)
        for frame, back in zip(img.permute(0, 2, 3, 1).numpy(),
                               background.permute(0, 2, 3, 1).numpy())
    ]
    ids = np.stack([view[0] for view in views])  # [V, H, W]
    masks = ids[:, None] == np.arange(1, slots + 1)[None, :, None, None]
    boxes = np.nan_to_num(np.stack([view[1] for view in views]), nan=0.0)
    return (torch.from_numpy(masks.astype(np.float32)),
            torch.from_numpy(boxes))


def score(loader, evaluator, slots: int, threshold: float,
          min_area: float) -> dict:
    """Metrics of ``evaluator`` for the blob predictions over ``loader``."""
    for batch in tqdm(loader, desc='background subtraction', unit='batch'):
        samples = batch['data_samples']
        inputs = batch['inputs']
        for sample, img, background in zip(samples, inputs['img'],
                                           inputs['background']):
            sample.pred_masks, sample.pred_bboxes = blob_predictions(
                img, background, slots, threshold, min_area)
        evaluator.process(samples, batch)
    return evaluator.evaluate(len(loader.dataset))


def main(argv=None):
    parser, args = parse_args(argv)
    cfg = merge_cfg_options(Config.fromfile(args.config), args.cfg_options,
                            parser)
    init_default_scope(cfg.get('default_scope', 'nsd_toolkit'))
    slots = num_slots(cfg, args, parser)
    evaluator = build_evaluator(cfg, args, parser)
    loader = build_split_loader(cfg, args.split, args, parser)
    metrics = score(loader, evaluator, slots, args.threshold, args.min_area)
    print(f'background subtraction, {args.split} split of {args.config}: '
          f'{slots} largest blobs per view, threshold {args.threshold:g}, '
          f'min area {args.min_area:g}')
    for key, value in metrics.items():
        print(f'{key}: {value:.4g}')
    if args.out:
        dump_json_atomic(to_plain(metrics), args.out)
    return metrics


if __name__ == '__main__':
    main()
