"""Score the trivial answer of 3D pose: the mean pose of the labelled people.

    python tools/analysis_tools/mean_pose.py CONFIG [--split val|test]
        [--data-root DIR] [--out FILE.json] [--cfg-options KEY=VALUE ...]

The mean root-relative pose of the people of a pose config's training split,
read as its pose training reads it (its frame interval: the labelled images),
is predicted for every person of the config's val or test split and scored by
``PoseMetric`` (MPJPE, N-MPJPE, P-MPJPE, NMPJPE*; mm). A pose model has to
beat this to have learnt anything that carries over. ``--data-root``
replaces the data root of both splits. Prints a markdown table; ``--out``
writes the metrics as JSON (atomically).
"""
import argparse

from nsd_toolkit.evaluation import (POSE_ERROR_NAMES, mean_pose_metrics,
                                    people_poses)
from nsd_toolkit.utils.cli import (add_metrics_out_argument,
                                   add_split_arguments, build_split,
                                   dump_json_atomic)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_split_arguments(parser, default_split='test')
    add_metrics_out_argument(parser)
    return parser, parser.parse_args(argv)


def main(argv=None):
    parser, args = parse_args(argv)
    datasets = {}
    for split in ('train', args.split):
        datasets[split] = build_split(
            argparse.Namespace(**dict(vars(args), split=split)), parser)
        if 'gt_joints_cam' not in datasets[split][0]['data_samples']:
            parser.error(f'the {split} split of {args.config} has no 3D '
                         'joints (gt_joints_cam): the mean pose needs them')
    labelled = people_poses(datasets['train'], 'labelled people')
    evaluated = people_poses(datasets[args.split], f'{args.split} people')
    metrics = mean_pose_metrics(labelled, evaluated)
    print('| split | labelled people | people | ' +
          ' | '.join(POSE_ERROR_NAMES.values()) + ' |')
    print('|---' * (3 + len(POSE_ERROR_NAMES)) + '|')
    print(f'| {args.split} | {len(labelled)} | {len(evaluated)} | ' +
          ' | '.join(f'{metrics[key]:.1f}' for key in POSE_ERROR_NAMES) + ' |')
    if args.out:
        dump_json_atomic(metrics, args.out)
    return metrics


if __name__ == '__main__':
    main()
