"""Motion capture: a calibrated multi-view capture through a pose model to
world-frame 3D tracks per person.

Per moment (the V views of one frame, all in one sample), the pose model
(:class:`~nsd_toolkit.models.NSDPoseEstimator`) gives every view's slots a
box, a root-relative pose in the view's camera frame, an appearance vector,
with a presence-predicting detector a presence score and, with
``predict_masks``, an instance mask; the slots are grouped into people
across views, each person's root is triangulated from one pixel per view
(:func:`root_pixels`: the pose model's root head or the centres of the
slots' boxes, :func:`slot_boxes`: the boxes of the masks, or NSD's crop
windows; with both, the capture keeps the cue the views agree on best) and
the poses are fused in the world frame and scaled to the size the images
show (:func:`fuse_root_cues`); the views are checked
against each person's facing over time (:func:`vote_facing`) and the
people of successive moments are tracked (:mod:`nsd_toolkit.mocap`).

Resuming long captures: with ``cache_dir``, the fused people of each chunk
of ``chunk_size`` moments are kept there (:class:`~.capture_cache.
MomentCache`). A rerun runs the model only on the chunks missing and tracks
from all of them: tracking is cheap, so its settings (e.g. smoothing) may
change between runs without running the model again.
"""
import argparse
import copy
import dataclasses
import json
import math
import os.path as osp
import time
from collections import defaultdict
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence

import numpy as np
import torch
from mmengine.registry import init_default_scope
from torch.utils.data import DataLoader, Subset
from tqdm import tqdm

from nsd_toolkit.datasets import multiview_collate, stacked_batch
from nsd_toolkit.evaluation.functional import H36M_FACING_JOINTS
from nsd_toolkit.mocap import (SMOOTHING, Track, TrackedPerson, Tracker,
                               assign_groups, associate_views, box_centers,
                               foreground_masks, fuse_moment, refit_person,
                               rigid_bones, size_ratios, smooth_track,
                               track_facing)
from nsd_toolkit.models import NSDPoseEstimator
from nsd_toolkit.registry import DATASETS, MODELS
from nsd_toolkit.structures import mask_to_box
from .capture_cache import MomentCache, fingerprint
from .inference import init_model

#: Prediction fields a model must fill for motion capture.
POSE_FIELDS = ('pred_joints_3d', 'pred_bboxes', 'pred_appearance')
#: Where motion capture reads each slot's root pixel from (:func:`root_pixels`).
ROOT_CUES = ('auto', 'root_head', 'mask_box', 'crop_box')
#: How slots are associated across views (:func:`fuse_predictions`).
ASSOCIATIONS = ('auto', 'grouping', 'joint')
#: Where the fused skeletons' size comes from (:func:`person_size_ratios`).
SIZE_CUES = ('auto', 'foreground', 'none')
#: Visibility threshold of the masks of the mask cue (:func:`slot_boxes`).
#: Chosen on the validation sequences of four pose models on two data sets:
#: world MPJPE 72.3 mm on average, 72.7 / 75.6 mm with 0.6 / 0.7
#: (docs/benchmarks.md).
MASK_THR = 0.65
#: Default lag-free smoothing of finished tracks (:func:`inference_capture`),
#: standard deviation in moments. Chosen on the validation sequences of two
#: camera layouts (two pose models each): world MPJPE 127.4 mm on average
#: raw, 122.6 / 121.6 / 124.1 mm with 1 / 2 / 3 (docs/benchmarks.md).
TEMPORAL_SIGMA = 2.0
#: Default standard deviation in moments of the vote on each person's facing
#: (:func:`vote_facing`). Chosen on the validation sequences of four pose
#: models on two data sets: world MPJPE 70.4 mm on average, 72.2 without the
#: vote, 71.2 / 70.8 / 70.4 / 72.4 with 3 / 5 / 20 / 30 (docs/benchmarks.md).
FACING_VOTE = 10.0
#: Bone lengths of the finished tracks (:func:`inference_capture`): each
#: track's medians at every moment, or each moment's own.
BONE_LENGTHS = ('track', 'moment')


class CaptureMoment(NamedTuple):
    """The tracked people of one moment."""
    index: int  #: moment index in the capture (``Track.frames`` unit)
    seq: str
    frame: int  #: frame number of the capture's files
    people: List[TrackedPerson]  #: track id, joints [17, 3] mm, confidence


class Capture(NamedTuple):
    """Result of :func:`inference_capture`."""
    moments: List[CaptureMoment]
    tracks: List[Track]  #: sorted by id
    timings: Dict[str, float]  #: seconds in loading, model, fusion, tracking
    #: the cue the roots were triangulated from (``root_cue`` as asked
    #: where there was nothing to choose)
    root_cue: str


def is_video_folder(path: str) -> bool:
    """True when ``path`` holds ``calibration.json`` and ``<cam>.mp4``
    videos of its cameras directly (one sequence without a sequence
    folder)."""
    calibration = osp.join(path, 'calibration.json')
    if not osp.isfile(calibration):
        return False
    try:
        with open(calibration) as f:
            cameras = json.load(f).get('cameras') or {}
    except (OSError, ValueError, AttributeError):
        return False  # the dataset names the problem
    return any(osp.isfile(osp.join(path, f'{cam}.mp4')) for cam in cameras)


def check_pose_config(cfg) -> None:
    """ValueError unless the config's model is a pose model
    (:class:`~nsd_toolkit.models.NSDPoseEstimator` or a subclass)."""
    init_default_scope(cfg.get('default_scope', 'nsd_toolkit'))
    model_type = cfg.model.get('type')
    model_class = MODELS.get(model_type) if isinstance(model_type,
                                                       str) else model_type
    if not (isinstance(model_class, type)
            and issubclass(model_class, NSDPoseEstimator)):
        raise ValueError(
            f'{cfg.filename}: model {model_type} is not a pose model '
            '(NSDPoseEstimator); motion capture needs 3D poses: use a '
            'configs/pose/ config')


def load_pose_model(cfg, checkpoint: str, device: str = 'cpu'):
    """:func:`~nsd_toolkit.apis.init_model` of a pose config; ValueError
    for a config that is not one (:func:`check_pose_config`) or a
    checkpoint that does not fit it."""
    check_pose_config(cfg)
    try:
        return init_model(cfg, checkpoint, device)
    except RuntimeError as error:
        raise ValueError(str(error)) from None


def capture_dataset(cfg, data_root: str,
                    sequences: Optional[Sequence[str]] = None, **overrides):
    """A capture in the toolkit's format as a dataset of moments.

    A :class:`~nsd_toolkit.datasets.MultiViewDataset` of every frame of
    ``data_root`` (``frame_interval`` 1) through the test pipeline of
    ``cfg`` (with its ``cameras``, ``background_frames`` and ``cache_dir``
    if set); a folder of videos (:func:`is_video_folder`) is one sequence.
    Built lazily: :meth:`scan` checks the layout without decoding a frame.

    Args:
        cfg: a config with ``test_dataloader.dataset``.
        data_root: the capture.
        sequences: sequence folders to read, default all.
        **overrides: further dataset arguments (e.g. ``indices``).

    Raises:
        ValueError: no such folder, or sequences named for a folder of
            videos.
    """
    if not osp.isdir(data_root):
        raise ValueError(f'{data_root}: capture folder not found')
    test = cfg.test_dataloader.dataset
    dataset_cfg = {key: test[key] for key in ('cameras', 'background_frames',
                                              'cache_dir') if key in test}
    if is_video_folder(data_root):
        if sequences:
            raise ValueError(f'{data_root} is a folder of videos, one '
                             f'sequence: no sequence to choose ({sequences})')
        sequences = [osp.curdir]
    dataset_cfg.update(type='MultiViewDataset', data_root=data_root,
                       sequences=sequences, pipeline=test.pipeline,
                       frame_interval=1, test_mode=True, lazy_init=True,
                       **overrides)
    init_default_scope(cfg.get('default_scope', 'nsd_toolkit'))
    return DATASETS.build(dataset_cfg)


def add_fusion_arguments(parser) -> None:
    """``--association``, ``--root-cue``, ``--size-cue`` and
    ``--no-facing-check`` of the motion-capture tools (``fuse_predictions``'
    ``association_method``, ``root_cue``, ``size_cue`` and
    ``facing_check``; :func:`fusion_settings` collects them)."""
    parser.add_argument('--association', choices=ASSOCIATIONS,
                        default='auto',
                        help='slots across views: every slot assigned to one '
                        'of N people (joint) or grouped with geometric and '
                        'appearance gates (grouping); auto: joint for models '
                        'without presence scores')
    parser.add_argument('--root-cue', choices=ROOT_CUES, default='auto',
                        help="the roots' pixels: the pose model's root head "
                        "(root_head) or the centres of the slots' masks "
                        "(mask_box) or of NSD's crop windows (crop_box); "
                        'auto: with a root head, the head or the masks, '
                        'whichever the views agree on best over the capture')
    parser.add_argument('--size-cue', choices=SIZE_CUES, default='auto',
                        help="skeletons scaled to the people's size in the "
                        "images: the foreground inside NSD's silhouettes "
                        '(auto when the model renders them, foreground) or '
                        'kept as the pose model predicts them (none)')
    parser.add_argument('--no-facing-check', dest='facing_check',
                        action='store_false',
                        help='fuse every view of a person, also those whose '
                        'body faces away from the fused body (front and back '
                        'confused)')


def fusion_settings(args) -> dict:
    """:func:`fuse_predictions`' settings from the arguments of
    :func:`add_fusion_arguments` (all but ``--root-cue``, which
    :func:`inference_capture` takes itself)."""
    return dict(association_method=args.association, size_cue=args.size_cue,
                facing_check=args.facing_check)


def _smoothing_factor(text: str) -> float:
    value = float(text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f'{text}: must be in (0, 1]')
    return value


def _sigma_in_moments(text: str) -> Optional[float]:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(
            f'{text}: must be a number >= 0 (0: off)')
    return value or None


def add_tracking_arguments(parser) -> None:
    """``--smoothing``, ``--temporal-sigma``, ``--facing-vote`` and
    ``--bone-lengths`` of the motion-capture tools
    (:class:`~nsd_toolkit.mocap.Tracker`'s ``smoothing``,
    :func:`inference_capture`'s ``temporal_sigma``, ``facing_vote`` and
    ``bone_lengths``)."""
    parser.add_argument('--smoothing', type=_smoothing_factor,
                        default=SMOOTHING,
                        help='exponential smoothing factor of the joints in '
                        '(0, 1] while tracking (default: none; it lags '
                        'moving people)')
    parser.add_argument('--temporal-sigma', type=_sigma_in_moments,
                        default=TEMPORAL_SIGMA,
                        help='lag-free smoothing of the finished tracks over '
                        'past and future moments: Gaussian standard '
                        f'deviation in moments (default {TEMPORAL_SIGMA}; '
                        '0: off)')
    parser.add_argument('--facing-vote', type=_sigma_in_moments,
                        default=FACING_VOTE,
                        help='leave out the views that face away from '
                        "the person's facing voted over time: Gaussian "
                        f'standard deviation in moments (default '
                        f'{FACING_VOTE}; 0: check each moment alone)')
    parser.add_argument('--bone-lengths', choices=BONE_LENGTHS,
                        default='track',
                        help="'track' (default): every moment of a track "
                        "gets the track's median bone lengths; 'moment': "
                        'each moment keeps its own')


def check_root_cue(root_cue: str) -> None:
    """ValueError unless ``root_cue`` is one of :data:`ROOT_CUES`."""
    if root_cue not in ROOT_CUES:
        raise ValueError(f'root_cue must be one of {ROOT_CUES}, got '
                         f'{root_cue!r}')


def check_size_cue(size_cue: str) -> None:
    """ValueError unless ``size_cue`` is one of :data:`SIZE_CUES`."""
    if size_cue not in SIZE_CUES:
        raise ValueError(f'size_cue must be one of {SIZE_CUES}, got '
                         f'{size_cue!r}')


def use_root_cue(cfg, root_cue: str, size_cue: str = 'auto') -> None:
    """Make the pose config's model render masks and silhouettes
    (``predict_masks``) unless ``root_cue`` is ``'crop_box'``, which needs
    none; ValueError for an unknown cue, ``'root_head'`` without
    ``model.root_head``, or ``size_cue='foreground'`` (which needs the
    silhouettes) with ``'crop_box'``."""
    check_root_cue(root_cue)
    check_size_cue(size_cue)
    if root_cue == 'root_head' and cfg.model.get('root_head') is None:
        raise ValueError("root_cue='root_head' needs a pose model with a "
                         'root head (model.root_head, e.g. '
                         "dict(type='MLPRootHead'))")
    if size_cue == 'foreground' and root_cue == 'crop_box':
        raise ValueError("size_cue='foreground' needs NSD's silhouettes, "
                         "which root_cue='crop_box' does not render: use "
                         "root_cue='auto' or size_cue='auto'")
    cfg.model.predict_masks = root_cue != 'crop_box'


def slot_boxes(sample, root_cue='auto', mask_thr=MASK_THR):
    """Boxes of every view's slots for association and root triangulation.

    Args:
        sample: predictions with ``pred_bboxes`` [V, N, 4] and, for the
            mask cue, ``pred_masks`` [V, N, H, W] (visibilities).
        root_cue: ``'mask_box'``: the boxes of the masks thresholded at
            ``mask_thr``, tight around the person (needs ``pred_masks``:
            ``NSDPoseEstimator(predict_masks=True)``); a slot whose mask is
            empty is left out. ``'crop_box'``: NSD's crop windows
            (``pred_bboxes``), loose attention windows. ``'auto'`` and
            ``'root_head'`` (whose roots come from :func:`root_pixels`):
            ``'mask_box'`` when the sample has ``pred_masks``, else
            ``'crop_box'``.
        mask_thr: visibility threshold of the masks (:data:`MASK_THR`):
            the best threshold varies between models (0.5 to 0.7 on four
            models), 0.65 is the best on average; from 0.75 slots of
            occluded people start to be empty.

    Returns:
        np.ndarray float64 [V, N, 4]: xyxy pixel-edge boxes, NaN rows for
        slots left out.
    """
    check_root_cue(root_cue)
    has_masks = 'pred_masks' in sample
    if root_cue == 'crop_box' or (root_cue != 'mask_box' and not has_masks):
        return sample.pred_bboxes.double().numpy()
    if not has_masks:
        raise ValueError("root_cue='mask_box' needs pred_masks: build the "
                         'pose model with predict_masks=True, or use '
                         "root_cue='crop_box'")
    return mask_to_box(sample.pred_masks >= mask_thr)


def root_pixels(sample, boxes, root_cue='auto'):
    """The pixel of every view's slot that its person's root is
    triangulated from.

    Args:
        sample: predictions, with ``pred_root_2d`` [V, N, 2] (pixels) when
            the pose model has a root head.
        boxes: :func:`slot_boxes` [V, N, 4] (NaN rows: slots left out).
        root_cue: ``'root_head'``: ``pred_root_2d``; ``'auto'``: the same
            when the sample has it, else the boxes' centres; otherwise the
            boxes' centres.

    Returns:
        np.ndarray float64 [V, N, 2]; NaN for the slots ``boxes`` leave out.
    """
    check_root_cue(root_cue)
    has_head = 'pred_root_2d' in sample
    if root_cue == 'root_head' and not has_head:
        raise ValueError("root_cue='root_head' needs pred_root_2d: a pose "
                         'model with a root head (model.root_head)')
    if root_cue in ('auto', 'root_head') and has_head:
        pixels = sample.pred_root_2d.double().numpy()
        return np.where(np.isfinite(boxes).all(-1, keepdims=True), pixels,
                        np.nan)
    return box_centers(boxes)


def candidate_root_cues(model, root_cue='auto', box_root=True):
    """The root cues a capture is fused with (:func:`inference_capture`):
    with ``'auto'`` and a root head, the head and the centres of the slots'
    boxes (:func:`most_consistent_root_cue` keeps one); otherwise
    ``root_cue`` alone."""
    check_root_cue(root_cue)
    if root_cue != 'auto' or not box_root or getattr(
            model, 'root_head', None) is None:
        return (root_cue, )
    return ('root_head',
            'mask_box' if getattr(model, 'predict_masks', False) else
            'crop_box')


def most_consistent_root_cue(fused):
    """The cue whose roots the views agree on best over a capture: the
    smallest mean reprojection residual of the triangulated roots
    (``root_residual_px`` of :func:`~nsd_toolkit.mocap.fuse_moment`) over
    the moments where every cue fused as many people (a cue that cannot
    triangulate a person, fewer than two views agreeing, would otherwise
    look steadier by leaving out its worst; all moments where there are
    none); the first cue on a tie or without people.

    A root head learnt from few people can miss the root of people unlike
    them, and then its pixels disagree across views more than the boxes'
    centres do (docs/benchmarks.md).

    Args:
        fused: cue -> (moment -> people).

    Returns:
        str: the cue.
    """
    moments = set.intersection(*(set(people) for people in fused.values()))
    common = [moment for moment in sorted(moments)
              if len({len(people[moment]) for people in fused.values()}) == 1
              ] or sorted(moments)

    def mean_residual(cue):
        residuals = [person['root_residual_px'] for moment in common
                     for person in fused[cue][moment]]
        return np.mean(residuals) if residuals else np.inf

    return min(fused, key=mean_residual)


def person_size_ratios(sample, images, backgrounds, size_cue='auto'):
    """How much larger each slot's person is than the pose model's skeleton
    (:mod:`~nsd_toolkit.mocap.size`).

    Args:
        sample: predictions, with ``pred_silhouettes`` [V, N, H, W] for the
            foreground cue.
        images, backgrounds: uint8 [V, 3, H, W] frames and backgrounds of
            the sample, or None.
        size_cue: ``'foreground'``: the height of the foreground inside each
            slot's silhouette over the silhouette's height (needs both);
            ``'none'``: keep the skeletons' size; ``'auto'``: foreground
            when both are there, else none. On the validation sequence of
            unseen people this took the fused root-relative error from
            77.7 to 69.6 mm and left the training people's at 30 mm
            (docs/benchmarks.md).

    Returns:
        np.ndarray [V, N] or None (no correction).
    """
    check_size_cue(size_cue)
    available = 'pred_silhouettes' in sample and images is not None \
        and backgrounds is not None
    if size_cue == 'foreground' and not available:
        raise ValueError("size_cue='foreground' needs pred_silhouettes (a "
                         'pose model with predict_masks=True) and the '
                         "frames with their backgrounds; use size_cue='none'")
    if size_cue == 'none' or not available:
        return None
    return size_ratios(sample.pred_silhouettes.numpy(),
                       foreground_masks(images, backgrounds))


def suppress_duplicates(people, min_separation=300.0):
    """Keep one of people whose roots are closer than ``min_separation``
    (mm; closer than bodies can be): the one seen by more views (then the
    first). Association splits a person into two groups when the views'
    boxes disagree too much to be merged.

    Args:
        people: :func:`~nsd_toolkit.mocap.fuse_moment`'s people.

    Returns:
        list[dict]: the kept people, in their order.
    """
    if len(people) < 2:
        return people
    roots = np.stack([person['root'] for person in people])
    close = np.linalg.norm(roots[:, None] - roots[None], axis=-1) \
        < min_separation
    order = sorted(range(len(people)), key=lambda i: -len(people[i]['views']))
    kept = []
    for index in order:
        if not close[index, kept].any():
            kept.append(index)
    return [people[index] for index in sorted(kept)]


def fuse_predictions(sample, K, R, t, root_cue='auto',
                     **kwargs) -> List[dict]:
    """World skeletons of one moment from the pose model's predictions,
    the roots triangulated from ``root_cue``'s pixels: :func:`fuse_root_cues`
    for one cue."""
    return fuse_root_cues(sample, K, R, t, (root_cue, ), **kwargs)[root_cue]


def fuse_root_cues(sample, K, R, t, root_cues=('auto', ), box_root=True,
                   min_separation=300.0, association=None, fusion=None,
                   mask_thr=MASK_THR, association_method='auto',
                   images=None, backgrounds=None, size_cue='auto',
                   facing_check=True) -> Dict[str, List[dict]]:
    """World skeletons of one moment from the pose model's predictions,
    once per root cue: the slots are associated once, then each cue's root
    pixels are triangulated and the poses fused around them.

    Args:
        sample: data sample with ``pred_joints_3d`` [V, N, 17, 3] (mm,
            root-relative, camera frames), ``pred_bboxes`` [V, N, 4] (px),
            ``pred_appearance`` [V, N, A], optionally ``pred_masks``
            [V, N, H, W] and ``pred_scores`` [V, N] (slots below
            ``association['min_score']``, default 0.5, are left out; the
            others weigh their views in the fusion).
        K, R, t: [V, 3, 3], [V, 3, 3], [V, 3] cameras of the packed images.
        box_root: the root is triangulated from :func:`root_pixels`;
            False triangulates the box centres, then moves the root
            until the boxes of the projected skeleton are centred on the
            boxes (:func:`~nsd_toolkit.mocap.root_from_boxes`): a larger
            mean root error (raw tracks, two-person validation sequence)
            with crop boxes (64 instead of 47 mm) and mask boxes (54
            instead of 34 mm) alike.
        min_separation: see :func:`suppress_duplicates`.
        association, fusion: keyword arguments of the association
            (:func:`~nsd_toolkit.mocap.associate_views` or
            :func:`~nsd_toolkit.mocap.assign_groups`, as
            ``association_method`` picks) and of
            :func:`~nsd_toolkit.mocap.fuse_moment`.
        root_cues: cues of the roots' pixels (:func:`root_pixels`); the
            slots' boxes (:func:`slot_boxes`), for the association and the
            box cues' centres, are those of the first.
        mask_thr: see :func:`slot_boxes`.
        association_method: ``'joint'`` assigns every slot of every view
            to one of N people (:func:`~nsd_toolkit.mocap.assign_groups`),
            for models without presence scores whose N people are all in
            view; ``'grouping'`` groups the slots with geometric and
            appearance gates (:func:`~nsd_toolkit.mocap.associate_views`),
            for any number of people; ``'auto'`` (default): joint without
            presence scores, else grouping. On the validation sequences of
            two camera layouts joint association cut identity switches and
            misses at equal fused error (docs/benchmarks.md).
        images, backgrounds, size_cue: the size of the fused skeletons
            (:func:`person_size_ratios`).
        facing_check: leave out of a person's fusion the views whose body
            faces away from the fused body's (:func:`~nsd_toolkit.mocap.
            fuse_poses`); on the validation sequences of two data sets
            this took 1.0-4.2 mm off the world error of people unseen in
            training, a third of whose single views confuse front and back
            (docs/benchmarks.md).

    Returns:
        dict: per cue of ``root_cues`` :func:`~nsd_toolkit.mocap.
        fuse_moment`'s people (root, root_residual_px, joints, confidence,
        views, appearance).

    Raises:
        ValueError: an unknown ``association_method`` or ``size_cue``,
            ``'joint'`` with presence scores, or ``size_cue='foreground'``
            without silhouettes or frames.
    """
    poses, appearance = (sample.get(key).double().numpy()
                         for key in ('pred_joints_3d', 'pred_appearance'))
    boxes = slot_boxes(sample, root_cues[0], mask_thr)
    scores = (sample.pred_scores.double().numpy()
              if 'pred_scores' in sample else None)
    if association_method not in ASSOCIATIONS:
        raise ValueError(f'association_method must be one of '
                         f'{ASSOCIATIONS}, got {association_method!r}')
    if association_method == 'auto':
        association_method = 'grouping' if scores is not None else 'joint'
    if association_method == 'joint':
        if scores is not None:
            raise ValueError(
                'joint association assigns every slot to a person: it is '
                'for models without presence scores (pred_scores)')
        groups = assign_groups(appearance, boxes, K, R, t,
                               **(association or {}))
    else:
        groups = associate_views(appearance, boxes, K, R, t, scores=scores,
                                 **(association or {}))
    ratios = person_size_ratios(sample, images, backgrounds, size_cue)
    fusion = {'facing_joints': H36M_FACING_JOINTS if facing_check else None,
              'fused_poses': {}, **(fusion or {})}
    return {
        cue: suppress_duplicates(
            fuse_moment(groups, boxes, poses, K, R, t, weights=scores,
                        root_2d=(root_pixels(sample, boxes, cue)
                                 if box_root else None),
                        appearance=appearance, size_ratios=ratios, **fusion),
            min_separation)
        for cue in root_cues
    }


def drop_short_tracks(moments, tracks, min_moments):
    """Leave out tracks of fewer than ``min_moments`` moments (mostly
    people made up of boxes of different people whose rays happen to
    meet) and number the others 0, 1, ... in order of their ids.

    Returns:
        tuple: the moments without the dropped people and the tracks.
    """
    kept = [track for track in tracks if len(track.frames) >= min_moments]
    new_id = {track.track_id: index for index, track in enumerate(kept)}
    moments = [moment._replace(people=[
        person._replace(track_id=new_id[person.track_id])
        for person in moment.people if person.track_id in new_id])
        for moment in moments]
    return moments, [dataclasses.replace(track, track_id=new_id[
        track.track_id]) for track in kept]


def map_tracks(moments, tracks, transform):
    """Tracks through ``transform`` (a :class:`~nsd_toolkit.mocap.Track` to
    the same track with new joints) and the moments, their people carrying
    the new joints.

    Returns:
        tuple: the moments and the transformed tracks.
    """
    tracks = [transform(track) for track in tracks]
    joints = {(track.track_id, int(frame)): value for track in tracks
              for frame, value in zip(track.frames, track.joints)}
    moments = [moment._replace(people=[
        person._replace(joints=joints[person.track_id, moment.index])
        for person in moment.people]) for moment in moments]
    return moments, tracks


def vote_facing(fused, tracker, sigma, fusion=None):
    """Every moment's people fused again, their views checked against each
    person's facing over time rather than against that moment's fused body.

    A third of the single views of people unseen in training confuse front
    and back; where two of four views do, a moment's fused body turns too
    and the per-moment check (:func:`~nsd_toolkit.mocap.fuse_poses`) keeps
    the wrong views. People turn slowly: the people are tracked (by a copy
    of ``tracker`` without smoothing), each track's facing around each
    moment is voted over time (:func:`~nsd_toolkit.mocap.track_facing`)
    and each person is fused again with the views that face within 90
    degrees of the vote, as long as two are left
    (:func:`~nsd_toolkit.mocap.refit_person`; same root).

    Args:
        fused: moment index -> the fused people (dicts of
            :func:`~nsd_toolkit.mocap.fuse_moment`), in moment order.
        tracker: the :class:`~nsd_toolkit.mocap.Tracker` that will track
            the people (not changed: its identities depend on the roots and
            appearances only, which stay).
        sigma: standard deviation of the vote in moments.
        fusion: :func:`~nsd_toolkit.mocap.fuse_moment`'s keyword arguments
            (its ``outlier_mm`` and ``facing_joints`` are used; with
            ``facing_joints=None`` the people are returned as they are).

    Returns:
        dict: moment index -> the people fused again, in the same order.
    """
    settings = {'facing_joints': H36M_FACING_JOINTS,
                **{key: value for key, value in (fusion or {}).items()
                   if key in ('outlier_mm', 'facing_joints')}}
    if settings['facing_joints'] is None:
        return fused
    probe = copy.deepcopy(tracker)
    probe.smoothing = None
    rows = defaultdict(list)  # track id -> (moment, row) per tracked moment
    for index, people in fused.items():
        for row, person in enumerate(probe.update(index, people)):
            rows[person.track_id].append((index, row))
    voted = {index: list(people) for index, people in fused.items()}
    for track in probe.finish():
        votes = track_facing(track, sigma, settings['facing_joints'])
        for (index, row), vote in zip(rows[track.track_id], votes):
            voted[index][row] = refit_person(fused[index][row], vote,
                                             **settings)
    return voted


def with_rigid_bones(track):
    """The track with its median bone lengths at every moment
    (:func:`~nsd_toolkit.mocap.rigid_bones`)."""
    return dataclasses.replace(track, joints=rigid_bones(track.joints))


def _check_predictions(model, sample):
    missing = [key for key in POSE_FIELDS if key not in sample]
    if missing:
        raise ValueError(
            f'motion capture needs a pose model (NSDPoseEstimator) whose '
            f'predictions hold {list(POSE_FIELDS)}; '
            f'{type(model).__name__} gives no {missing}')


def _fuse_moments(model, dataset, indices, loader_args, settings, timings,
                  on_predictions):
    """Yield ``(moment, cue -> people)`` (:func:`fuse_root_cues`) for the
    moments ``indices`` of ``dataset``, adding the seconds spent to
    ``timings``."""
    loader = DataLoader(Subset(dataset, list(indices)), shuffle=False,
                        **loader_args)
    moments, batches = iter(indices), iter(loader)
    while True:
        start = time.perf_counter()
        batch = next(batches, None)
        timings['loading'] += time.perf_counter() - start
        if batch is None:
            return
        start = time.perf_counter()
        batch = stacked_batch(batch)  # its raw frames feed the size cue
        data = model.data_preprocessor(batch, False)
        samples = model(**data, mode='predict')
        timings['model'] += time.perf_counter() - start
        if on_predictions is not None:
            on_predictions(samples)
        for index, sample in enumerate(samples):
            start = time.perf_counter()
            _check_predictions(model, sample)
            cameras = (data['inputs'][key][index].double().cpu().numpy()
                       for key in 'KRt')
            people = fuse_root_cues(
                sample, *cameras,
                images=batch['inputs']['img'][index].numpy(),
                backgrounds=batch['inputs']['background'][index].numpy(),
                **settings)
            timings['fusion'] += time.perf_counter() - start
            yield next(moments), people


def _sequence(dataset):
    """The one sequence of ``dataset``; ValueError for several sequences
    or repeated frames."""
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    sequences = sorted({info['seq'] for info in infos})
    frames = {(info['seq'], info['frame']) for info in infos}
    if len(sequences) != 1 or len(frames) != len(infos):
        raise ValueError(f'a capture is one sequence, each frame once; the '
                         f'dataset holds {len(infos)} items of {sequences}')
    return sequences[0]


@torch.no_grad()
def inference_capture(model,
                      data,
                      tracker: Optional[Tracker] = None,
                      batch_size: int = 8,
                      num_workers: int = 0,
                      fuse_cfg: Optional[dict] = None,
                      root_cue: str = 'auto',
                      cache_dir: Optional[str] = None,
                      chunk_size: int = 100,
                      min_track_moments: int = 5,
                      temporal_sigma: Optional[float] = TEMPORAL_SIGMA,
                      facing_vote: Optional[float] = FACING_VOTE,
                      bone_lengths: str = 'track',
                      on_predictions: Optional[Callable] = None,
                      progress: bool = False) -> Capture:
    """World-frame 3D tracks of the people of a capture (module docstring).

    Args:
        model: a pose model (:func:`~nsd_toolkit.apis.init_model` of a
            ``NSDPoseEstimator`` config), in eval mode.
        data: the capture's moments, one sequence: a dataset
            (:func:`capture_dataset`) or a DataLoader of one (its dataset,
            batch size, workers and collate function are used).
        tracker: default ``Tracker()`` (smoothing on).
        batch_size: moments per forward pass (each of V images).
        num_workers: loader processes.
        fuse_cfg: keyword arguments of :func:`fuse_predictions` (e.g.
            ``mask_thr``).
        root_cue: the slots' boxes, associated across views
            (:func:`slot_boxes`), and the pixels triangulated into the roots
            (:func:`root_pixels`): the boxes are those of the masks when the
            model renders them (a pose model with ``predict_masks=True``,
            see :func:`use_root_cue`), else NSD's crop boxes; ``'auto'``
            triangulates the root head's pixels and the boxes' centres, and
            keeps for the whole capture the cue whose roots the views agree
            on best (:func:`most_consistent_root_cue`; the boxes' centres
            alone without a head); ``'root_head'``, ``'mask_box'`` or
            ``'crop_box'`` force one.
        cache_dir: folder of the fused moments, to resume (module
            docstring; with two candidate root cues, one subfolder per
            cue); None keeps nothing.
        chunk_size: moments per cached chunk.
        min_track_moments: shorter tracks are left out
            (:func:`drop_short_tracks`).
        temporal_sigma: smooth the finished tracks over time without lag
            (:func:`~nsd_toolkit.mocap.smooth_track`, Gaussian standard
            deviation in moments; default :data:`TEMPORAL_SIGMA`); None
            leaves them as tracked.
        facing_vote: before tracking, every moment's people are fused
            again with the views that face each person's way over time
            (:func:`vote_facing`, Gaussian standard deviation in moments;
            default :data:`FACING_VOTE`); None, or ``facing_check=False``
            in ``fuse_cfg``, keeps each moment's own check.
        bone_lengths: ``'track'`` (default) gives every moment of a
            (smoothed) track the track's median bone lengths
            (:func:`with_rigid_bones`): people keep their bones, and the
            joints are those of the BVH export's skeleton; ``'moment'``
            keeps each moment's fused bones.
        on_predictions: called with each batch's predicted data samples.
        progress: show a progress bar.

    Returns:
        Capture: per moment the tracked people (:class:`CaptureMoment`),
        the tracks, the timings and the root cue used.

    Raises:
        ValueError: the model does not predict poses and appearance (or
            masks for ``root_cue='mask_box'``), an unknown ``root_cue`` or
            ``bone_lengths``, or the dataset holds several sequences.
    """
    dataset = data.dataset if isinstance(data, DataLoader) else data
    loader_args = dict(batch_size=batch_size, num_workers=num_workers,
                       collate_fn=multiview_collate)
    if isinstance(data, DataLoader):
        loader_args.update(batch_size=data.batch_size,
                           num_workers=data.num_workers,
                           collate_fn=data.collate_fn)
    check_root_cue(root_cue)
    if bone_lengths not in BONE_LENGTHS:
        raise ValueError(f'bone_lengths must be one of {BONE_LENGTHS}, got '
                         f'{bone_lengths!r}')
    seq = _sequence(dataset)
    # the defaults that change results are named, so caches written under
    # other defaults are not reused
    settings = {'association_method': 'auto', 'size_cue': 'auto',
                'facing_check': True, 'mask_thr': MASK_THR,
                **(fuse_cfg or {})}
    cues = candidate_root_cues(model, root_cue,
                               settings.get('box_root', True))
    num_moments = len(dataset)
    caches = {}
    if cache_dir is not None:  # the folders tell the cues apart
        key = fingerprint(model, dataset, dict(
            settings, root_cues=cues, chunk_size=chunk_size,
            predict_masks=bool(getattr(model, 'predict_masks', False))))
        num_views = len(dataset.get_data_info(0)['cameras'])
        caches = {cue: MomentCache(
            cache_dir if len(cues) == 1 else osp.join(cache_dir, cue), key,
            num_views) for cue in cues}
    timings = dict(loading=0.0, model=0.0, fusion=0.0, tracking=0.0)
    fused = {cue: {} for cue in cues}
    with tqdm(total=num_moments, desc='mocap', unit='moment',
              disable=not progress) as bar:
        for start in range(0, num_moments, chunk_size):
            indices = range(start, min(start + chunk_size, num_moments))
            chunks = {cue: cache.load(indices)
                      for cue, cache in caches.items()}
            if not chunks or None in chunks.values():
                chunks = {cue: {} for cue in cues}
                for moment, people in _fuse_moments(
                        model, dataset, indices, loader_args,
                        dict(settings, root_cues=cues), timings,
                        on_predictions):
                    for cue in cues:
                        chunks[cue][moment] = people[cue]
                    bar.update()
                for cue, cache in caches.items():
                    cache.save(indices, chunks[cue])
            else:
                bar.update(len(indices))
            for cue in cues:
                fused[cue].update(chunks[cue])
    root_cue = most_consistent_root_cue(fused)
    fused = fused[root_cue]
    start = time.perf_counter()
    tracker = Tracker() if tracker is None else tracker
    if facing_vote is not None and settings['facing_check']:
        fused = vote_facing(dict(sorted(fused.items())), tracker,
                            facing_vote, settings.get('fusion'))
    moments = [CaptureMoment(index, seq,
                             int(dataset.get_data_info(index)['frame']),
                             tracker.update(index, fused[index]))
               for index in range(num_moments)]
    moments, tracks = drop_short_tracks(moments, tracker.finish(),
                                        min_track_moments)

    def finish(track):  # smoothing, then bone lengths: one pass over moments
        if temporal_sigma is not None:
            track = smooth_track(track, temporal_sigma)
        return with_rigid_bones(track) if bone_lengths == 'track' else track

    moments, tracks = map_tracks(moments, tracks, finish)
    timings['tracking'] = time.perf_counter() - start
    return Capture(moments, tracks, timings, root_cue)
