"""Score label-free depth cues on the occluding pairs of a dataset split.

    python tools/analysis_tools/depth_cues.py CONFIG [--split val|test]
        [--data-root DIR] [--out cues.json] [--cfg-options KEY=VALUE ...]

What a depth-order number is worth depends on the data: on scenes where "the
person whose box reaches lower is nearer" orders every occluding pair, a model
at 0.95 is below a trivial cue. This tool stands the ground truth in for the
model (GT instance masks as the masks, so every person is detected) and
scores, on exactly the pairs `DecompositionMetric` evaluates (occluding pairs:
one person's visible mask covers a joint of the other):

- ``lower box``: the trivial cue of the metric (``depth_order_cue_accuracy``);
- ``triangulated``: a geometric cue that needs calibrated cameras but no
  labels: each person's box centres in all views are triangulated and the
  point's depth orders the pair (:func:`nsd_toolkit.utils.box_center_depths`).

Needs a split with GT masks and 3D joints (the built-in synthetic scenes).
Prints a markdown table; ``--out`` writes the metrics as JSON.
"""
import argparse

import torch
from tqdm import tqdm

from nsd_toolkit.evaluation import DecompositionMetric
from nsd_toolkit.utils import box_center_depths
from nsd_toolkit.utils.cli import (add_metrics_out_argument,
                                   add_split_arguments, build_depth_split,
                                   dump_json_atomic, print_depth_order_row,
                                   require_depth_pairs)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_split_arguments(parser, default_split='val')
    add_metrics_out_argument(parser)
    return parser, parser.parse_args(argv)


def ground_truth_as_prediction(item):
    """The data sample of ``item`` with GT masks as ``pred_masks`` and the
    triangulated box-centre depths as ``pred_depths``."""
    sample, inputs = item['data_samples'], item['inputs']
    boxes = sample.gt_bboxes  # [V, N, 4], NaN where a person is not seen
    people = torch.arange(1, boxes.shape[1] + 1)[:, None, None]
    sample.pred_masks = (sample.gt_masks[:, None] == people).float()
    sample.pred_depths = torch.as_tensor(
        box_center_depths(boxes, inputs['K'], inputs['R'], inputs['t']))
    return sample


def score(dataset):
    """``DecompositionMetric`` numbers of the GT stand-in over ``dataset``."""
    metric = DecompositionMetric()
    for index in tqdm(range(len(dataset)), desc='depth cues', unit='sample'):
        metric.process({}, [ground_truth_as_prediction(dataset[index])])
    return metric.compute_metrics(metric.results)


def main(argv=None):
    parser, args = parse_args(argv)
    metrics = score(build_depth_split(args, parser))
    print_depth_order_row(args.split, require_depth_pairs(parser, metrics), {
        'lower box': f"{metrics['depth_order_cue_accuracy']:.3f}",
        'triangulated': f"{metrics['depth_order_accuracy']:.3f}",
        'margin': f"{metrics['depth_order_margin']:+.3f}"})
    if args.out:
        dump_json_atomic(metrics, args.out)
    return metrics


if __name__ == '__main__':
    main()
