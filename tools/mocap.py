"""Multi-view motion capture: 3D tracks per person from a calibrated capture.

    python tools/mocap.py CONFIG CHECKPOINT CAPTURE --out-dir DIR
        [--sequence NAME] [--smoothing A] [--temporal-sigma S]
        [--facing-vote S] [--bone-lengths track|moment] [--fps F]
        [--device DEV] [--batch-size B] [--chunk-size C] [--min-track-length M]
        [--video-format gif|mp4] [--no-video] [--no-progress]
        [--root-cue auto|root_head|mask_box|crop_box]
        [--size-cue auto|foreground|none]
        [--no-facing-check] [--cfg-options KEY=VALUE ...]

CONFIG and CHECKPOINT: a pose model (``configs/pose/``). CAPTURE: a dataset
root in the toolkit's format (``calibration.json`` and sequence folders of
frames or ``<cam>.mp4`` videos; ``--sequence`` picks one, default the
first), or a folder holding ``calibration.json`` and one ``<cam>.mp4`` per
camera. Each person's root is triangulated from one pixel per view: by
default (``--root-cue auto``) the pose model renders NSD's instance masks
(``model.predict_masks``), whose boxes, tight around the person, are
associated across views, and the root's pixel comes from the pose model's
root head (``model.root_head``) or from the masks' boxes' centres: with a
head, both are triangulated and the capture keeps the one whose roots the
views agree on best (:func:`~nsd_toolkit.apis.mocap.
most_consistent_root_cue`; printed at the end); ``root_head`` and
``mask_box`` force one, ``crop_box``
takes the centres of NSD's looser crop windows and renders no masks
(:func:`~nsd_toolkit.apis.mocap.root_pixels`). With the masks
come NSD's silhouettes: each fused skeleton is scaled to the person's size
in the frames (``--size-cue``, :mod:`nsd_toolkit.mocap.size`). Views whose
skeleton faces away from the fused one are left out of the fusion (front
and back confused; ``--no-facing-check`` keeps them); by default each
moment's views are checked against the person's facing voted over time
rather than against that moment's fused body (``--facing-vote``). The finished
tracks are smoothed over time (``--temporal-sigma``) and keep each person's
median bone lengths (``--bone-lengths``). Writes into DIR:

- ``tracks.json``: per person (track), the moments it was seen, its 17
  world joints (mm), their confidence and the views that saw it
  (:mod:`nsd_toolkit.mocap.export`);
- ``person_<id>.bvh``: one skeleton animation per person;
- ``mocap.gif`` (or ``.mp4``): the skeletons drawn over every view and in
  an oblique 3D view (not with ``--no-video``);
- ``moments/``: the fused people of each chunk of moments (one subfolder
  per root cue when both are weighed). A rerun into the
  same DIR (after an interruption, or with other tracking options such as
  ``--smoothing`` or ``--bone-lengths``) runs the model only on the chunks missing.

Every argument, the config (a pose model) and the capture's layout
(calibration, synchronised frame counts) are checked before any work; the
outputs are written to a staging folder beside DIR and moved into DIR once
all are written.
"""
import argparse
import math
import os.path as osp

from mmengine.config import Config

from nsd_toolkit.apis import (capture_dataset, check_pose_config,
                              inference_capture, load_pose_model)
from nsd_toolkit.apis.mocap import (add_fusion_arguments,
                                    add_tracking_arguments, fusion_settings,
                                    use_root_cue)
from nsd_toolkit.mocap import Tracker, export_tracks
from nsd_toolkit.utils.cli import (CfgOptionsAction, call_or_exit,
                                   check_device, check_out_dir,
                                   checkpoint_file, existing_file,
                                   merge_cfg_options, staged_out_dir)
from nsd_toolkit.visualization.mocap import capture_pictures, save_animation

CACHE = 'moments'
#: Outputs of an earlier run that a new run replaces or removes.
OUTPUTS = ('tracks.json', 'person_*.bvh', 'mocap.gif', 'mocap.mp4')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', type=existing_file, help='pose config')
    parser.add_argument('checkpoint', type=checkpoint_file)
    parser.add_argument('capture', help='dataset root or folder of videos')
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--sequence', help='default: the first')
    parser.add_argument('--fps', type=float, default=25.0,
                        help='frame rate of the capture (default 25)')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--batch-size', type=int, default=8,
                        help='moments per forward pass')
    parser.add_argument('--chunk-size', type=int, default=100,
                        help='moments per resumable chunk')
    parser.add_argument('--min-track-length', type=int, default=5,
                        help='shorter tracks (moments) are left out')
    parser.add_argument('--video-format', choices=('gif', 'mp4'),
                        default='gif')
    parser.add_argument('--no-video', action='store_true')
    parser.add_argument('--no-progress', action='store_true')
    add_fusion_arguments(parser)
    add_tracking_arguments(parser)
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction)
    args = parser.parse_args(argv)
    if not (math.isfinite(args.fps) and args.fps > 0):
        parser.error(f'--fps {args.fps}: must be a positive number')
    if min(args.batch_size, args.chunk_size, args.min_track_length) < 1:
        parser.error('--batch-size, --chunk-size and --min-track-length '
                     'must be >= 1')
    call_or_exit(parser, check_out_dir, args.out_dir)
    call_or_exit(parser, check_device, args.device)
    cfg = merge_cfg_options(Config.fromfile(args.config), args.cfg_options,
                            parser)
    call_or_exit(parser, check_pose_config, cfg)
    call_or_exit(parser, use_root_cue, cfg, args.root_cue, args.size_cue)
    sequences = None if args.sequence is None else [args.sequence]
    dataset = call_or_exit(parser, capture_dataset, cfg, args.capture,
                           sequences)
    _, metainfo = call_or_exit(parser, dataset.scan)
    if len(metainfo['sequences']) > 1:
        dataset = capture_dataset(cfg, args.capture,
                                  metainfo['sequences'][:1])
    return parser, args, cfg, dataset


def main(argv=None):
    parser, args, cfg, dataset = parse_args(argv)
    model = call_or_exit(parser, load_pose_model, cfg, args.checkpoint,
                         args.device)
    capture = call_or_exit(
        parser, inference_capture, model, dataset,
        Tracker(smoothing=args.smoothing),
        batch_size=args.batch_size,
        cache_dir=osp.join(args.out_dir, CACHE),
        chunk_size=args.chunk_size,
        min_track_moments=args.min_track_length,
        temporal_sigma=args.temporal_sigma,
        facing_vote=args.facing_vote,
        bone_lengths=args.bone_lengths,
        root_cue=args.root_cue,
        fuse_cfg=fusion_settings(args),
        progress=not args.no_progress)
    with staged_out_dir(args.out_dir, stale=OUTPUTS) as staging:
        export_tracks(staging, capture.tracks, args.fps)
        if not args.no_video:
            save_animation(
                osp.join(staging, f'mocap.{args.video_format}'),
                capture_pictures(dataset, capture.moments,
                                 progress=not args.no_progress), args.fps)
    seq = capture.moments[0].seq
    print(f'{len(capture.tracks)} people tracked over '
          f'{len(capture.moments)} moments of {seq!r} (roots from '
          f'{capture.root_cue}): outputs in {args.out_dir}')
    return capture


if __name__ == '__main__':
    main()
