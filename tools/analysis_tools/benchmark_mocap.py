"""Motion capture against 3D ground truth: fused tracks vs single views.

    python tools/analysis_tools/benchmark_mocap.py CONFIG CHECKPOINT CAPTURE
        [--sequences SEQ ...] [--max-frames F] [--smoothing A]
        [--temporal-sigma S] [--facing-vote S] [--bone-lengths track|moment]
        [--match-distance MM] [--batch-size B] [--device DEV]
        [--out FILE.json] [--root-cue auto|root_head|mask_box|crop_box]
        [--mask-thr T] [--size-cue auto|foreground|none]
        [--no-facing-check] [--cfg-options KEY=VALUE ...]

CAPTURE: a dataset root in the toolkit's format whose sequences have
``poses3d.npy`` (world joints [F, N, 17, 3] mm, NaN for absent people);
default every sequence. Each sequence runs through
:func:`~nsd_toolkit.apis.inference_capture` (first F moments with
``--max-frames``; roots from ``--root-cue``, as in
``tools/mocap.py``, masks thresholded at ``--mask-thr``) and reports, per
sequence and over all:

- world MPJPE (mm) of the tracks: each moment, the present ground-truth
  people are matched to the tracked people by the Hungarian algorithm on
  the root distance; pairs farther than ``--match-distance`` and people
  left over count as misses and are not in the errors;
- single-view MPJPE (mm) of the same model: its root-relative per-view
  predictions, each view matched and scored as ``tools/test.py`` does
  (:class:`~nsd_toolkit.evaluation.PoseMetric`, ``mpjpe_mm``);
- root error (mm): distance of the tracks' roots from the true roots;
- root-relative MPJPE of the tracks (the same joints, both skeletons moved
  to their roots: comparable to the single-view error) and its relative
  improvement over the single views;
- identity switches: moments where a person's matched track id differs
  from its previous match;
- the root cue the capture kept (``--root-cue auto`` chooses per sequence);
- throughput in moments per second of the model, the fusion (association
  and triangulation), the tracking and all of them with the data loading.
"""
import argparse

import numpy as np
from mmengine.config import Config

from nsd_toolkit.apis import (capture_dataset, check_pose_config,
                              inference_capture, load_pose_model)
from nsd_toolkit.apis.mocap import (MASK_THR, add_fusion_arguments,
                                    add_tracking_arguments, fusion_settings,
                                    use_root_cue)
from nsd_toolkit.evaluation import PoseMetric
from nsd_toolkit.evaluation.functional import keypoint_mpjpe, match_instances
from nsd_toolkit.mocap import Tracker
from nsd_toolkit.utils.cli import (CfgOptionsAction, call_or_exit,
                                   check_device, checkpoint_file,
                                   dump_json_atomic, existing_file,
                                   merge_cfg_options, output_file, to_plain)

STAGES = ('model', 'fusion', 'tracking')


def match_people(gt, people, max_distance):
    """Pairs ``(gt person, tracked person)`` of one moment.

    Args:
        gt: [G, 17, 3] world joints (mm), NaN rows for absent people.
        people: tracked people (``joints`` [17, 3]).
        max_distance: largest root distance (mm) of a pair.

    Returns:
        int64 [P, 2], Hungarian on the root distance, gated.
    """
    present = np.flatnonzero(np.isfinite(gt[:, 0]).all(-1))
    if not people or not len(present):
        return np.zeros((0, 2), np.int64)
    roots = np.stack([person.joints[0] for person in people])
    cost = np.linalg.norm(gt[present, None, 0] - roots[None], axis=-1)
    pairs = match_instances(cost, maximize=False)
    pairs = pairs[cost[pairs[:, 0], pairs[:, 1]] <= max_distance]
    return np.stack([present[pairs[:, 0]], pairs[:, 1]], 1)


def score_tracks(moments, gt, max_distance):
    """Matched joints and identity counts of one sequence.

    Args:
        moments: :class:`~nsd_toolkit.apis.CaptureMoment` per moment.
        gt: [F, G, 17, 3] world joints (mm) of the same moments.
        max_distance: see :func:`match_people`.

    Returns:
        dict: ``pred`` and ``gt`` [K, 17, 3] of the K matched pairs,
        ``people`` (present ground-truth person-moments), ``misses`` and
        ``switches``.
    """
    pred, target, people, switches = [], [], 0, 0
    last_track = {}
    for moment, joints in zip(moments, gt):
        people += int(np.isfinite(joints[:, 0]).all(-1).sum())
        for person, index in match_people(joints, moment.people,
                                          max_distance):
            track_id = moment.people[index].track_id
            switches += last_track.get(person, track_id) != track_id
            last_track[person] = track_id
            pred.append(moment.people[index].joints)
            target.append(joints[person])
    shape = (len(pred), 17, 3)
    return dict(pred=np.reshape(pred, shape), gt=np.reshape(target, shape),
                people=people, misses=people - len(pred), switches=switches)


def mpjpe(pred, gt, root_relative=False):
    """Mean joint error (mm) over the joints both sides know."""
    if root_relative:
        pred, gt = pred - pred[:, :1], gt - gt[:, :1]
    known = np.isfinite(pred).all(-1)
    return keypoint_mpjpe(pred, gt, known) if len(pred) else float('nan')


def summarise(scores, pose_results, timings, num_moments, root_cues):
    """The table row of one or several sequences (``root_cues``: the cue
    each kept)."""
    pred = np.concatenate([s['pred'] for s in scores])
    gt = np.concatenate([s['gt'] for s in scores])
    single = PoseMetric().compute_metrics(pose_results)['mpjpe_mm']
    fused = mpjpe(pred, gt, root_relative=True)
    seconds = {key: sum(t[key] for t in timings) for key in timings[0]}
    row = dict(
        moments=num_moments,
        people=sum(s['people'] for s in scores),
        misses=sum(s['misses'] for s in scores),
        world_mpjpe_mm=mpjpe(pred, gt),
        root_error_mm=(float(np.linalg.norm(pred[:, 0] - gt[:, 0],
                                            axis=-1).mean())
                       if len(pred) else float('nan')),
        root_relative_mpjpe_mm=fused,
        single_view_mpjpe_mm=single,
        improvement=1.0 - fused / single if single else float('nan'),
        id_switches=sum(s['switches'] for s in scores),
        root_cue='+'.join(sorted(set(root_cues))))
    for key in STAGES:
        row[f'{key}_moments_per_s'] = num_moments / max(seconds[key], 1e-9)
    row['moments_per_s'] = num_moments / max(sum(seconds.values()), 1e-9)
    return row


COLUMNS = (('moments', 'moments', '{:.0f}'), ('people', 'people', '{:.0f}'),
           ('misses', 'misses', '{:.0f}'),
           ('world_mpjpe_mm', 'world', '{:.1f}'),
           ('root_error_mm', 'root', '{:.1f}'),
           ('root_relative_mpjpe_mm', 'fused rr', '{:.1f}'),
           ('single_view_mpjpe_mm', 'single', '{:.1f}'),
           ('improvement', 'gain', '{:.1%}'),
           ('id_switches', 'id sw.', '{:.0f}'),
           ('root_cue', 'root cue', '{}'),
           ('model_moments_per_s', 'model/s', '{:.1f}'),
           ('fusion_moments_per_s', 'fusion/s', '{:.1f}'),
           ('tracking_moments_per_s', 'track/s', '{:.0f}'),
           ('moments_per_s', 'all/s', '{:.1f}'))


def table(rows):
    """Text table of ``name -> row`` (MPJPE in mm, rates in moments/s)."""
    header = ['sequence'] + [title for _, title, _ in COLUMNS]
    lines = [header] + [[name] + [fmt.format(row[key])
                                  for key, _, fmt in COLUMNS]
                        for name, row in rows.items()]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return '\n'.join('  '.join(cell.rjust(width)
                               for cell, width in zip(line, widths))
                     for line in lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', type=existing_file, help='pose config')
    parser.add_argument('checkpoint', type=checkpoint_file)
    parser.add_argument('capture', help='dataset root with poses3d.npy')
    parser.add_argument('--sequences', nargs='+', help='default: all')
    parser.add_argument('--max-frames', type=int,
                        help='first F moments of each sequence')
    parser.add_argument('--match-distance', type=float, default=500.0,
                        help='largest root distance (mm) of a match')
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--out', type=output_file,
                        help='write the table to this JSON file')
    parser.add_argument('--no-progress', action='store_true')
    add_fusion_arguments(parser)
    add_tracking_arguments(parser)
    parser.add_argument('--mask-thr', type=float, default=MASK_THR,
                        help='visibility threshold of the masks '
                        f'(default {MASK_THR})')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction)
    args = parser.parse_args(argv)
    if args.batch_size < 1 or (args.max_frames is not None
                               and args.max_frames < 1):
        parser.error('--batch-size and --max-frames must be >= 1')
    if not 0 < args.mask_thr <= 1:
        parser.error(f'--mask-thr {args.mask_thr}: must be in (0, 1]')
    call_or_exit(parser, check_device, args.device)
    cfg = merge_cfg_options(Config.fromfile(args.config), args.cfg_options,
                            parser)
    call_or_exit(parser, check_pose_config, cfg)
    call_or_exit(parser, use_root_cue, cfg, args.root_cue, args.size_cue)
    layout = call_or_exit(parser, capture_dataset, cfg, args.capture,
                          args.sequences)
    _, metainfo = call_or_exit(parser, layout.scan)
    return parser, args, cfg, metainfo['sequences']


def main(argv=None):
    parser, args, cfg, sequences = parse_args(argv)
    model = call_or_exit(parser, load_pose_model, cfg, args.checkpoint,
                         args.device)
    rows, scores, pose_results, timings, cues = {}, [], [], [], []
    for seq in sequences:
        dataset = capture_dataset(cfg, args.capture, [seq],
                                  indices=args.max_frames)
        gt = [dataset.get_data_info(i)['joints_3d']
              for i in range(len(dataset))]
        if any(joints is None for joints in gt):
            parser.error(f'{args.capture}/{seq}: no poses3d.npy to compare '
                         'with')
        metric = PoseMetric()
        capture = call_or_exit(
            parser, inference_capture, model, dataset,
            Tracker(smoothing=args.smoothing),
            batch_size=args.batch_size,
            fuse_cfg=dict(fusion_settings(args), mask_thr=args.mask_thr),
            root_cue=args.root_cue,
            temporal_sigma=args.temporal_sigma,
            facing_vote=args.facing_vote,
            bone_lengths=args.bone_lengths,
            on_predictions=lambda samples: metric.process(None, samples),
            progress=not args.no_progress)
        scores.append(score_tracks(capture.moments, np.stack(gt),
                                   args.match_distance))
        pose_results += metric.results
        timings.append(capture.timings)
        cues.append(capture.root_cue)
        rows[seq] = summarise(scores[-1:], metric.results, timings[-1:],
                              len(dataset), cues[-1:])
    if len(sequences) > 1:
        rows['all'] = summarise(scores, pose_results, timings,
                                sum(row['moments'] for row in rows.values()),
                                cues)
    print(table(rows))
    if args.out:
        dump_json_atomic(to_plain(rows), args.out)
    return rows


if __name__ == '__main__':
    main()
