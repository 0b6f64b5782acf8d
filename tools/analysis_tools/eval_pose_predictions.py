"""Score 3D pose predictions from elsewhere with the toolkit's pose metric.

    python tools/analysis_tools/eval_pose_predictions.py CONFIG PREDICTIONS.json
        [--split test|val] [--data-root DIR] [--out metrics.json]
        [--cfg-options KEY=VALUE ...]

The split of CONFIG (a pose config, whose pipeline packs the 3D ground truth)
is scored as ``tools/test.py`` scores the toolkit's models: each image on its
own, predictions matched to people by box centre (Hungarian), MPJPE, N-MPJPE,
P-MPJPE and NMPJPE* in mm, root-relative in each camera's frame, and the
matched fraction. The file format (one entry per sequence, camera and frame;
17 joints per person in the camera frame, mm, optional pixel box) is
documented in docs/en/user_guides/pose_estimation.md and
:mod:`nsd_toolkit.evaluation.pose_predictions`.
"""
import argparse
import json

from nsd_toolkit.evaluation import (load_pose_predictions,
                                    score_pose_predictions)
from nsd_toolkit.utils.cli import (add_metrics_out_argument,
                                   add_split_arguments, build_split,
                                   dump_json_atomic, existing_file)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_split_arguments(parser)
    parser.add_argument('predictions', type=existing_file,
                        help='JSON file of 3D poses')
    add_metrics_out_argument(parser)
    return parser, parser.parse_args(argv)


def main(argv=None):
    parser, args = parse_args(argv)
    try:
        predictions = load_pose_predictions(args.predictions)
    except ValueError as error:
        parser.error(str(error))
    dataset = build_split(args, parser)
    try:
        metrics = score_pose_predictions(dataset, predictions)
    except ValueError as error:
        parser.error(f'{args.predictions}: {error}')
    print(json.dumps(metrics, indent=2))
    if args.out:
        dump_json_atomic(metrics, args.out)
    return metrics


if __name__ == '__main__':
    main()
