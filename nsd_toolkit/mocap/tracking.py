"""Person identities across moments.

Each moment's fused people (:func:`~nsd_toolkit.mocap.fusion.fuse_moment`)
are matched to the live tracks by the Hungarian algorithm on

    cost = |predicted root - root| / max_distance
           + appearance_weight * cosine distance of the appearances,

pairs farther than ``max_distance`` (mm) being forbidden. A track's root is
predicted at constant velocity, which keeps identities through crossings.
Unmatched people start new tracks; a track unmatched for more than
``max_missed`` consecutive moments ends. Joints are optionally smoothed by
exponential smoothing ``s = a x + (1 - a) s_prev`` (``smoothing=a``;
``None``: raw joints), which lags fast motion by about ``(1 - a) / a``
moments. Finished tracks can instead be smoothed without lag
(:func:`smooth_track`: a Gaussian over past and future moments), and the
way each person faces voted over time (:func:`track_facing`).
"""
import dataclasses
from dataclasses import dataclass, field
from typing import List, NamedTuple, Optional

import numpy as np

from nsd_toolkit.evaluation.functional import (H36M_FACING_JOINTS,
                                               facing_directions)
from nsd_toolkit.structures.matching import match_instances

from .rays import unit_vectors


#: default exponential smoothing factor of :class:`Tracker`: none. On the
#: two-person validation sequence every factor tried added lag error to the
#: world joints (0.7: 56.0 mm, 0.5: 74.9, 0.3: 129.0, none: 49.1)
SMOOTHING = None


@dataclass(eq=False)
class Track:
    """One person's record: F moments (compare fields, not tracks)."""
    track_id: int
    frames: np.ndarray  #: int64 [F] moment indices, increasing
    joints: np.ndarray  #: [F, 17, 3] world (mm), NaN: unknown joint
    confidence: np.ndarray  #: [F, 17] in [0, 1]
    views: List[List[int]]  #: per moment, the views that saw the person


class TrackedPerson(NamedTuple):
    """A person of one moment, as :meth:`Tracker.update` returns them."""
    track_id: int
    joints: np.ndarray  #: [17, 3] world (mm), smoothed if enabled
    confidence: np.ndarray  #: [17]
    views: List[int]


@dataclass(eq=False)
class _LiveTrack:
    """State of a track being extended."""
    track_id: int
    root: np.ndarray
    velocity: np.ndarray
    appearance: Optional[np.ndarray]
    last_frame: int
    missed: int = 0
    people: List[TrackedPerson] = field(default_factory=list)
    frames: List[int] = field(default_factory=list)

    def to_track(self):
        return Track(self.track_id, np.asarray(self.frames, np.int64),
                     np.stack([p.joints for p in self.people]),
                     np.stack([p.confidence for p in self.people]),
                     [list(p.views) for p in self.people])


def _cosine_distance(a, b):
    """[T, P] cosine distances of rows of a [T, A] and b [P, A]."""
    return 1.0 - unit_vectors(a) @ unit_vectors(b).T


class Tracker:
    """Keeps person ids across moments (module docstring).

    Args:
        max_distance: gate on the root distance (mm) between a track's
            predicted root and a person.
        appearance_weight: weight of the appearance cosine distance (people
            without ``appearance`` are matched on distance only).
        max_missed: moments a track may stay unmatched before it ends.
        smoothing: exponential smoothing factor in (0, 1] of the joints, or
            None for raw joints.
        appearance_momentum: weight of the old appearance when a track's
            appearance is updated.
    """

    def __init__(self, max_distance=500.0, appearance_weight=1.0,
                 max_missed=5, smoothing=SMOOTHING, appearance_momentum=0.9):
        if smoothing is not None and not 0 < smoothing <= 1:
            raise ValueError(f'smoothing must be in (0, 1] or None, got '
                             f'{smoothing}')
        self.max_distance = max_distance
        self.appearance_weight = appearance_weight
        self.max_missed = max_missed
        self.smoothing = smoothing
        self.appearance_momentum = appearance_momentum
        self.live: List[_LiveTrack] = []
        self.finished: List[Track] = []
        self._next_id = 0

    def _costs(self, frame, people):
        """[T, P] matching costs, +inf where gated."""
        predicted = np.stack([
            track.root + track.velocity * (frame - track.last_frame)
            for track in self.live])
        roots = np.stack([p['root'] for p in people])
        cost = np.linalg.norm(predicted[:, None] - roots[None], axis=-1)
        cost = cost / self.max_distance
        gated = cost > 1
        with_appearance = [t.appearance is not None for t in self.live]
        if all(with_appearance) and all('appearance' in p for p in people):
            cost = cost + self.appearance_weight * _cosine_distance(
                np.stack([t.appearance for t in self.live]),
                np.stack([p['appearance'] for p in people]))
        return np.where(gated, np.inf, cost)

    def _smooth(self, track, joints):
        if self.smoothing is None or not track.people:
            return joints
        previous = track.people[-1].joints
        smoothed = self.smoothing * joints + (1 - self.smoothing) * previous
        return np.where(np.isfinite(previous), smoothed, joints)

    def _extend(self, track, frame, person):
        root = np.asarray(person['root'], np.float64)
        if track.frames:
            track.velocity = (root - track.root) / (frame - track.last_frame)
        appearance = person.get('appearance')
        if appearance is not None:
            track.appearance = appearance if track.appearance is None else (
                self.appearance_momentum * track.appearance +
                (1 - self.appearance_momentum) * np.asarray(appearance))
        track.root, track.last_frame, track.missed = root, frame, 0
        joints = self._smooth(track, np.asarray(person['joints'], np.float64))
        tracked = TrackedPerson(track.track_id, joints,
                                np.asarray(person['confidence'], np.float64),
                                list(person['views']))
        track.people.append(tracked)
        track.frames.append(frame)
        return tracked

    def _start(self, frame):
        track = _LiveTrack(self._next_id, np.zeros(3), np.zeros(3), None,
                           frame)
        self._next_id += 1
        self.live.append(track)
        return track

    def update(self, frame, people):
        """Assign the people of moment ``frame`` to tracks.

        Args:
            frame: moment index, larger than the previous call's.
            people: list of dicts with root [3] (mm), joints [17, 3],
                confidence [17], views and optionally appearance [A]
                (:func:`~nsd_toolkit.mocap.fusion.fuse_moment`).

        Returns:
            list[TrackedPerson]: one per person, in the order of ``people``.
        """
        matched = {}
        if self.live and people:
            cost = self._costs(frame, people)
            for t, p in match_instances(cost, maximize=False):
                if np.isfinite(cost[t, p]):
                    matched[p] = self.live[t]
        for track in self.live:
            track.missed += track not in matched.values()
        out = [self._extend(matched.get(p) or self._start(frame), frame,
                            person)
               for p, person in enumerate(people)]
        self._end([t for t in self.live if t.missed > self.max_missed])
        return out

    def _end(self, tracks):
        self.finished.extend(track.to_track() for track in tracks)
        self.live = [t for t in self.live if t not in tracks]

    def finish(self):
        """End every live track; returns all tracks sorted by id."""
        self._end(list(self.live))
        return sorted(self.finished, key=lambda track: track.track_id)


def _timeline(track, values, sigma):
    """``values`` [F, ...] of a track's moments on a dense timeline from its
    first to its last moment (NaN where it missed), and the rows [F] of its
    moments."""
    if not sigma > 0:
        raise ValueError(f'sigma must be > 0, got {sigma}')
    offsets = track.frames - track.frames[0]
    dense = np.full((int(offsets[-1]) + 1, ) + values.shape[1:], np.nan)
    dense[offsets] = values
    return dense, offsets


def _gaussian_taps(length, sigma):
    """Taps ``(shift, weight, target, source)`` of a Gaussian (standard
    deviation ``sigma``, truncated at 3 sigma) on a timeline of ``length``
    moments: the moments ``source`` are ``shift`` after those of
    ``target`` (slices)."""
    radius = min(int(np.ceil(3 * sigma)), length - 1)
    for shift in range(-radius, radius + 1):  # kernel taps, not moments
        yield (shift, np.exp(-0.5 * (shift / sigma)**2),
               slice(max(0, -shift), length - max(0, shift)),
               slice(max(0, shift), length - max(0, -shift)))


def track_facing(track, sigma, facing_joints=H36M_FACING_JOINTS):
    """The way a person faces around each moment of a track: a vote over
    time that outweighs moments whose fused body turned front to back.

    Args:
        track: a :class:`Track`.
        sigma: standard deviation in moments (> 0) of the Gaussian weights
            of the neighbouring moments' facing directions (truncated at 3
            sigma; moments the track missed and bodies without a facing
            carry no weight).
        facing_joints: the (left hip, right hip, thorax) joints
            (:func:`~nsd_toolkit.evaluation.functional.facing_directions`).

    Returns:
        np.ndarray: [F, 3] unit vectors, the normalised weighted sum of the
        unit facing directions; zero where none is known.
    """
    dense, offsets = _timeline(
        track, facing_directions(track.joints, facing_joints), sigma)
    values = np.nan_to_num(dense)
    votes = np.zeros_like(values)
    for _, weight, target, source in _gaussian_taps(len(dense), sigma):
        votes[target] += weight * values[source]
    return unit_vectors(votes[offsets])


def smooth_track(track, sigma):
    """A finished track with its joints smoothed over time without lag.

    Each joint at each moment becomes the value at that moment of the
    straight line fitted, by least squares with Gaussian weights (standard
    deviation ``sigma`` moments, truncated at 3 sigma), to the track's known
    values of that joint at the moments around it, past and future alike.
    Steady motion is kept exactly, also at the track's ends and beside
    moments it missed; noise is averaged out. A joint known at only one
    moment of its window keeps its value; moments the track missed and NaN
    joints carry no weight. Memory and time are linear in the track's
    length.

    Args:
        track: a :class:`Track`.
        sigma: standard deviation in moments (> 0).

    Returns:
        Track: the same moments, confidences and views, smoothed joints.
    """
    dense, offsets = _timeline(track, track.joints, sigma)
    known = np.isfinite(dense)
    values = np.where(known, dense, 0.0)
    # weighted sums over the window of w, w d, w d^2, w x and w d x, where d
    # is the source moment minus the target moment
    sums = np.zeros((5, ) + dense.shape)
    for shift, weight, target, source in _gaussian_taps(len(dense), sigma):
        w = weight * known[source]
        wx = w * values[source]
        sums[:, target] += np.stack([w, w * shift, w * shift**2, wx,
                                     wx * shift])
    s0, s1, s2, t0, t1 = sums
    det = s0 * s2 - s1**2
    line = det > 1e-9 * np.maximum(s0 * s2, 1e-12)
    fitted = np.where(line, (s2 * t0 - s1 * t1) / np.where(line, det, 1.0),
                      t0 / np.maximum(s0, 1e-12))
    smoothed = np.where(known, fitted, np.nan)
    return dataclasses.replace(track, joints=smoothed[offsets])


def tracks_to_arrays(tracks, num_frames=None):
    """Tracks as dense arrays.

    Args:
        tracks: list of :class:`Track`.
        num_frames: F, default the last frame of any track + 1.

    Returns:
        tuple: ids int64 [T], joints [T, F, 17, 3] (mm) and confidence
        [T, F, 17], NaN where a track is absent.
    """
    if num_frames is None:
        num_frames = max((int(t.frames.max()) + 1 for t in tracks), default=0)
    joints = np.full((len(tracks), num_frames, 17, 3), np.nan)
    confidence = np.full((len(tracks), num_frames, 17), np.nan)
    for row, track in enumerate(tracks):
        joints[row, track.frames] = track.joints
        confidence[row, track.frames] = track.confidence
    return (np.array([t.track_id for t in tracks], np.int64), joints,
            confidence)
