"""How much depth order a model loses to telling its slots apart across views.

    python tools/analysis_tools/depth_association.py CONFIG CHECKPOINT
        [--split val|test] [--data-root DIR] [--batch-size 4]
        [--out FILE.json] [--cfg-options KEY=VALUE ...]

A model with ``predict_depth='triangulated'`` orders the people of a view by
triangulating each person's box centres over the views of a sample; which
slot of one view is which slot of another, it decides from the slots'
appearance alone. This tool scores the depth order of the occluding pairs
(as ``DecompositionMetric`` does) twice on the same predicted boxes:

- ``model``: the model's own depths (its association);
- ``gt_association``: each view's slots grouped by the person the metric
  matches them to, then triangulated. This uses the labels: it is a
  diagnostic upper bound, not a method.

What the second row gains over the first is lost to associating slots across
views; what it still gets wrong is lost to the boxes themselves. The lower-box
cue of the same pairs is printed beside them. Needs a split with GT masks and
3D joints (the built-in synthetic scenes). Prints a markdown table; ``--out``
writes both rows' metrics as JSON (atomically).
"""
import argparse

import numpy as np
import torch
from mmengine.dataset import pseudo_collate
from torch.utils.data import DataLoader
from tqdm import tqdm

from nsd_toolkit.apis import init_model
from nsd_toolkit.evaluation import DecompositionMetric
from nsd_toolkit.utils import box_center_depths
from nsd_toolkit.utils.cli import (add_metrics_out_argument,
                                   add_split_arguments, build_depth_split,
                                   call_or_exit, checkpoint_file,
                                   dump_json_atomic, print_depth_order_row,
                                   require_depth_pairs)

ROWS = ('model', 'gt_association')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_split_arguments(parser, default_split='val')
    parser.add_argument('checkpoint', type=checkpoint_file,
                        help='checkpoint of the config\'s model')
    parser.add_argument('--batch-size', type=int, default=4,
                        help='samples per forward pass (default 4)')
    add_metrics_out_argument(parser)
    args = parser.parse_args(argv)
    if args.batch_size < 1:
        parser.error(f'argument --batch-size: expected >= 1, got '
                     f'{args.batch_size}')
    return parser, args


def gt_associated_depths(people, boxes, K, R, t) -> np.ndarray:
    """Depths of the slots triangulated per matched person.

    Args:
        people: int [V, N] GT person of each slot, -1 for none
            (:meth:`DecompositionMetric.matched_people`).
        boxes: [V, N, 4] predicted xyxy pixel boxes of the slots.
        K, R, t: [V, 3, 3], [V, 3, 3], [V, 3] cameras.

    Returns:
        float64 [V, N]: camera depth (mm) of each slot's person triangulated
        from the boxes of the slots matched to them in all views; NaN for an
        unmatched slot or a person matched in fewer than two views.
    """
    people = np.asarray(people)
    views, slots = np.nonzero(people >= 0)
    matched = people[views, slots]
    per_person = np.full((people.shape[0], people.max(initial=-1) + 1, 4),
                         np.nan)
    per_person[views, matched] = np.asarray(boxes, np.float64)[views, slots]
    person_depths = box_center_depths(per_person, K, R, t)  # [V, G]
    depths = np.full(people.shape, np.nan)
    depths[views, slots] = person_depths[views, matched]
    return depths


@torch.no_grad()
def score(model, dataset, batch_size: int) -> dict:
    """``DecompositionMetric`` numbers of each row of :data:`ROWS`."""
    metrics = {row: DecompositionMetric() for row in ROWS}
    loader = DataLoader(dataset, batch_size=batch_size,
                        collate_fn=pseudo_collate)
    for batch in tqdm(loader, desc='depth association', unit='batch'):
        data = model.data_preprocessor(batch, False)
        samples = model.predict(data['inputs'], data['data_samples'])
        metrics['model'].process({}, samples)
        cameras = [data['inputs'][key].cpu().numpy() for key in 'KRt']
        for index, sample in enumerate(samples):
            people = metrics['gt_association'].matched_people(sample)
            regrouped = sample.clone()
            regrouped.pred_depths = torch.as_tensor(
                gt_associated_depths(people, sample.pred_bboxes.numpy(),
                                     *(c[index] for c in cameras)))
            metrics['gt_association'].process({}, [regrouped])
    return {row: metric.compute_metrics(metric.results)
            for row, metric in metrics.items()}


def main(argv=None):
    parser, args = parse_args(argv)
    dataset = build_depth_split(args, parser)
    model = call_or_exit(parser, init_model, args.config, args.checkpoint,
                         cfg_options=args.cfg_options)
    if getattr(model, 'predict_depth', None) != 'triangulated':
        parser.error(f'{args.config}: model.predict_depth is '
                     f'{getattr(model, "predict_depth", None)!r}; this tool '
                     "compares triangulated depths (set model.predict_depth="
                     "'triangulated' with --cfg-options)")
    rows = score(model, dataset, args.batch_size)
    pairs = require_depth_pairs(parser, rows['model'])
    print_depth_order_row(args.split, pairs, {
        'model': f"{rows['model']['depth_order_accuracy']:.3f}",
        'GT association':
        f"{rows['gt_association']['depth_order_accuracy']:.3f}",
        'lower box': f"{rows['model']['depth_order_cue_accuracy']:.3f}"})
    if args.out:
        dump_json_atomic(rows, args.out)
    return rows


if __name__ == '__main__':
    main()
