"""Synthetic multi-view scenes: a static room, a camera ring and articulated
people, written in the toolkit's on-disk format
(docs/en/advanced_guides/design.md)."""
import numbers
import os
import os.path as osp

import numpy as np
from tqdm import tqdm

from nsd_toolkit.datasets.writer import (atomic_output_dir, write_frame,
                                         write_json)
from nsd_toolkit.version import __version__
from .camera import pixel_rays, ring_cameras
from .motion import MOTIONS, simulate_sequence
from .people import sample_people
from .renderer import render_people
from .room import render_room, sample_room
from .skeleton import JOINT_NAMES

# independent random streams derived from the seed; sequence s of the training
# people uses stream _FIRST_SEQUENCE + s, test sequence t the key (_TEST, t),
# unseen-validation sequence u the key (_VAL, u); the presence intervals of a
# sequence of key k use the key (_PRESENCE, *k)
_CAMERAS, _ROOM, _PEOPLE, _FIRST_SEQUENCE = range(4)
_TEST_PEOPLE, _TEST, _PRESENCE, _VAL_PEOPLE, _VAL = range(100000, 100005)
# the people each split shows: keys of build_scene's result
_PEOPLE_OF_SPLIT = dict(train='people', test='test_people', val='val_people')


def _rng(seed, *key):
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


def _sequence_plan(num_sequences, num_test_sequences, num_val_sequences=0):
    """(name, people, random stream key) of each sequence, in writing order.

    ``seq_000``... show the training people (``'train'``: the training and
    validation sequences), ``test_000``... people never seen in them
    (``'test'``), ``val_000``... a third group seen in neither (``'val'``).
    """
    return ([(f'seq_{s:03d}', 'train', (_FIRST_SEQUENCE + s, ))
             for s in range(num_sequences)] +
            [(f'val_{u:03d}', 'val', (_VAL, u))
             for u in range(num_val_sequences)] +
            [(f'test_{t:03d}', 'test', (_TEST, t))
             for t in range(num_test_sequences)])


def draw_presence(rng, num_people, min_people, num_frames):
    """Frames each person of a sequence is present in.

    People ``0..min_people-1`` are present throughout. Each other person gets
    one interval whose two ends are drawn uniformly in ``[-F/2, 3F/2]`` and
    clipped to ``[0, F]``: it starts at frame 0 or ends at the last frame
    with a probability of about 7/16 each, spans the whole sequence or is
    empty with about 1/8 each.

    Args:
        rng (np.random.Generator): random stream (not drawn from when
            ``min_people == num_people``).
        num_people, min_people, num_frames (int): N, M, F.

    Returns:
        np.ndarray: int [N, 2], frames ``[start, end)`` of each person.
    """
    intervals = np.tile([0, num_frames], (num_people, 1))
    if min_people < num_people:
        half = num_frames // 2
        ends = rng.integers(-half, num_frames + half,
                            (num_people - min_people, 2), endpoint=True)
        intervals[min_people:] = np.sort(ends, axis=1).clip(0, num_frames)
    return intervals


def presence_mask(intervals, num_frames):
    """bool [F, N]: person n is present in frame f (``intervals`` [N, 2] of
    :func:`draw_presence`)."""
    frames = np.arange(num_frames)[:, None]
    return (intervals[:, 0] <= frames) & (frames < intervals[:, 1])


def check_arguments(num_people, num_views, num_frames, size, seed,
                    num_sequences, motion, ring_radius, camera_height,
                    walk_radius, fps, min_separation, jpeg_quality,
                    num_test_sequences=0, camera_height_jitter=100.0,
                    zoom=1.0, min_people=None, num_casts=1,
                    num_val_sequences=0):
    """Raise ``ValueError`` naming the first invalid argument."""
    for name, value in (('num_people', num_people), ('num_views', num_views),
                        ('num_frames', num_frames),
                        ('num_sequences', num_sequences),
                        ('num_casts', num_casts)):
        if int(value) != value or value < 1:
            raise ValueError(f'{name} must be an integer >= 1, got {value!r}')
    for name, value in (('num_test_sequences', num_test_sequences),
                        ('num_val_sequences', num_val_sequences)):
        if int(value) != value or value < 0:
            raise ValueError(f'{name} must be an integer >= 0, got {value!r}')
    if num_people > 254:
        raise ValueError(f'num_people must be <= 254, got {num_people}')
    if min_people is not None and not (isinstance(
            min_people, numbers.Integral) and 0 <= min_people <= num_people):
        raise ValueError(f'min_people must be None or an integer in [0, '
                         f'num_people ({num_people})], got {min_people!r}')
    if len(size) != 2 or any(int(s) != s or s < 1 for s in size):
        raise ValueError(f'size must be two positive integers (W, H), got '
                         f'{size!r}')
    if int(seed) != seed or seed < 0:
        raise ValueError(f'seed must be an integer >= 0, got {seed!r}')
    if motion not in MOTIONS:
        raise ValueError(f'motion must be one of {MOTIONS}, got {motion!r}')
    for name, value in (('ring_radius', ring_radius), ('camera_height',
                                                       camera_height),
                        ('walk_radius', walk_radius), ('fps', fps),
                        ('min_separation', min_separation), ('zoom', zoom)):
        if not value > 0:
            raise ValueError(f'{name} must be > 0, got {value!r}')
    if not 0 <= camera_height_jitter < camera_height:
        raise ValueError(
            f'camera_height_jitter must be in [0, camera_height '
            f'({camera_height})) so cameras stay above the floor, got '
            f'{camera_height_jitter!r}')
    if ring_radius - walk_radius < 1500:
        raise ValueError(
            f'ring_radius ({ring_radius}) must exceed walk_radius '
            f'({walk_radius}) by at least 1500 mm')
    if not 1 <= jpeg_quality <= 100:
        raise ValueError(f'jpeg_quality must be in [1, 100], got '
                         f'{jpeg_quality!r}')


def build_scene(seed=0,
                num_people=1,
                num_views=4,
                size=(128, 96),
                ring_radius=5000.0,
                camera_height=2200.0,
                walk_radius=1200.0,
                camera_height_jitter=100.0,
                zoom=1.0,
                num_casts=1):
    """The static part of a dataset, shared by all its sequences (camera
    arguments: :func:`~.camera.ring_cameras`).

    Args:
        num_casts (int): C, groups of N training people (see
            :func:`generate_synthetic_dataset`); the first cast is the same
            for every C.

    Returns:
        dict: ``cameras`` (name -> K [3, 3], R [3, 3], t [3], size [W, H]),
        ``room`` (:func:`~.room.sample_room`), ``people`` and
        ``test_people`` and ``val_people`` (:func:`~.people.sample_people`:
        the C x N training people, cast c being ``people[c * N:(c + 1) *
        N]``, N others never seen with them, and N more unlike both groups;
        the test people do not depend on the validation people),
        ``backgrounds`` (name -> uint8 RGB [H, W, 3]
        empty room).
    """
    cameras = ring_cameras(_rng(seed, _CAMERAS),
                           num_views,
                           tuple(size),
                           ring_radius,
                           camera_height,
                           walk_radius,
                           height_jitter=camera_height_jitter,
                           zoom=zoom)
    room = sample_room(_rng(seed, _ROOM), ring_radius)
    people = sample_people(_rng(seed, _PEOPLE), num_people * num_casts)
    test_people = sample_people(_rng(seed, _TEST_PEOPLE),
                                num_people,
                                unseen=people)
    return dict(cameras=cameras,
                room=room,
                people=people,
                test_people=test_people,
                val_people=sample_people(_rng(seed, _VAL_PEOPLE),
                                         num_people,
                                         unseen=people + test_people),
                backgrounds={
                    n: render_room(c, room)
                    for n, c in cameras.items()
                })


def generate_synthetic_dataset(out_dir,
                               num_people=1,
                               num_views=4,
                               num_frames=100,
                               size=(128, 96),
                               seed=0,
                               num_sequences=1,
                               num_test_sequences=0,
                               num_val_sequences=0,
                               min_people=None,
                               num_casts=1,
                               motion='walk',
                               ring_radius=5000.0,
                               camera_height=2200.0,
                               walk_radius=1200.0,
                               camera_height_jitter=100.0,
                               zoom=1.0,
                               fps=25.0,
                               min_separation=900.0,
                               jpeg_quality=95,
                               overwrite=False,
                               progress=True):
    """Render and write a synthetic multi-view dataset.

    Layout: ``calibration.json``, ``synthetic_meta.json`` and per sequence
    ``seq_000/<cam>/<frame:06d>.jpg``, ``seq_000/masks/<cam>/<frame>.png``
    and ``seq_000/poses3d.npy`` (float32 [F, N, 17, 3] world mm, H36M order).
    Sequences ``seq_000``... show the same N people (split them into
    training and validation sequences; with ``num_casts`` C > 1, sequence s
    shows cast ``s mod C`` of C groups of N people, so more identities are
    seen in training); ``test_000``... show N other people
    (new heights, clothing, skin and hair) with new motion, for a test split
    of unseen people; ``val_000``... N more people seen in neither, for
    choosing settings on unseen people without looking at the test split
    (adding them changes no other sequence). Same arguments give
    byte-identical files; the output appears at ``out_dir`` only once
    complete.

    With ``min_people`` M < N, each sequence shows M..N people per frame:
    people ``0..M-1`` are present throughout, every other person during one
    random interval of frames (:func:`draw_presence`; it may be empty or
    span the sequence). Absent people are not rendered (nor in the masks;
    mask id ``i + 1`` always marks person ``i``) and their joints are NaN.
    People appear and vanish in place at the ends of their interval (no
    walking in from outside): the motion is simulated for all N people as
    without ``min_people``, absent ones elsewhere, so the present people's
    poses do not depend on ``min_people``.

    Args:
        out_dir (str): output folder (absent or empty unless ``overwrite``).
        num_people, num_views, num_frames, num_sequences (int): N, V, F, K.
        num_test_sequences (int): sequences of the unseen people.
        num_val_sequences (int): sequences of the unseen validation people.
        min_people (int, optional): M in ``[0, N]``, the fewest people a
            frame shows; None (default) is N: everybody in every frame.
        num_casts (int): C >= 1, groups of N people the training
            sequences cycle through (1: the same N people throughout).
        size (tuple[int, int]): image (W, H) in pixels.
        seed (int): random seed (>= 0).
        motion (str): 'walk', 'box' (face the nearest person, punch) or
            'mixed' (random per person and sequence).
        ring_radius, camera_height (float): camera ring (mm).
        camera_height_jitter (float): each camera's height is drawn in
            ``camera_height +- camera_height_jitter`` (mm).
        zoom (float): focal-length factor; above 1 the people near a camera
            are cut at the image border (their feet too), which is where
            the "lower box bottom is nearer" depth cue fails.
        walk_radius (float): radius of the disk people move in (mm).
        fps (float): frame rate of the motion.
        min_separation (float): minimum distance between people's roots (mm).
        jpeg_quality (int): JPEG quality of the frames.
        overwrite (bool): replace an existing non-empty ``out_dir``.
        progress (bool): show a progress bar over frames.

    Returns:
        dict: the metadata written to ``synthetic_meta.json``: the
        arguments (``min_people`` resolved to an int), joint names, heights
        and per sequence its people (``'train'``, ``'val'`` or ``'test'``),
        ``cast`` (index of its group of training people, None for the val
        and test people), motion styles and ``present``: ``[start, end)``
        frames of each person.
    """
    check_arguments(num_people, num_views, num_frames, size, seed,
                    num_sequences, motion, ring_radius, camera_height,
                    walk_radius, fps, min_separation, jpeg_quality,
                    num_test_sequences, camera_height_jitter, zoom,
                    min_people, num_casts, num_val_sequences)
    if min_people is None:
        min_people = num_people
    args = dict(num_people=num_people,
                num_views=num_views,
                num_frames=num_frames,
                size=list(size),
                seed=seed,
                num_sequences=num_sequences,
                num_test_sequences=num_test_sequences,
                num_val_sequences=num_val_sequences,
                min_people=int(min_people),
                num_casts=num_casts,
                motion=motion,
                ring_radius=ring_radius,
                camera_height=camera_height,
                walk_radius=walk_radius,
                camera_height_jitter=camera_height_jitter,
                zoom=zoom,
                fps=fps,
                min_separation=min_separation,
                jpeg_quality=jpeg_quality)
    with atomic_output_dir(out_dir, overwrite) as tmp:
        scene = build_scene(seed, num_people, num_views, size, ring_radius,
                            camera_height, walk_radius, camera_height_jitter,
                            zoom, num_casts)
        cameras = scene['cameras']
        rays = {name: pixel_rays(cam) for name, cam in cameras.items()}
        write_json(osp.join(tmp, 'calibration.json'),
                   dict(units='mm', cameras=cameras))
        heights = {
            split: np.array([p['height'] for p in scene[key]])
            for split, key in _PEOPLE_OF_SPLIT.items()
        }
        meta = dict(generator='nsd_toolkit.synthetic',
                    version=__version__,
                    arguments=args,
                    joint_names=list(JOINT_NAMES),
                    heights_mm=heights['train'].round(1).tolist(),
                    test_heights_mm=heights['test'].round(1).tolist(),
                    val_heights_mm=heights['val'].round(1).tolist(),
                    sequences={})
        for index, (seq, split, key) in enumerate(
                _sequence_plan(num_sequences, num_test_sequences,
                               num_val_sequences)):
            cast = index % num_casts if split == 'train' else None
            cast_slice = slice(0 if cast is None else cast * num_people,
                               None if cast is None else
                               (cast + 1) * num_people)
            people = scene[_PEOPLE_OF_SPLIT[split]][cast_slice]
            seq_dir = osp.join(tmp, seq)
            for name in cameras:
                os.makedirs(osp.join(seq_dir, name))
                os.makedirs(osp.join(seq_dir, 'masks', name))
            joints, styles = simulate_sequence(_rng(seed, *key),
                                               heights[split][cast_slice],
                                               motion,
                                               num_frames, walk_radius, fps,
                                               min_separation)
            intervals = draw_presence(_rng(seed, _PRESENCE, *key), num_people,
                                      min_people, num_frames)
            present = presence_mask(intervals, num_frames)
            joints = joints.astype(np.float32)
            joints[~present] = np.nan
            np.save(osp.join(seq_dir, 'poses3d.npy'), joints)
            meta['sequences'][seq] = dict(people=split,
                                          cast=cast,
                                          styles=styles,
                                          present=intervals.tolist())
            for f in tqdm(range(num_frames),
                          desc=seq,
                          disable=not progress,
                          unit='frame'):
                ids = np.flatnonzero(present[f])
                shown = joints[f, ids].astype(np.float64)
                for name, cam in cameras.items():
                    image, mask = render_people(scene['backgrounds'][name],
                                                cam, rays[name], shown,
                                                [people[i] for i in ids],
                                                ids + 1)
                    write_frame(seq_dir, name, f, image, mask, jpeg_quality)
        write_json(osp.join(tmp, 'synthetic_meta.json'), meta)
    return meta
