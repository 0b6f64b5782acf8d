"""Smooth plausible motion: root paths with separation, gait and arm angles.

Two styles per person: ``walk`` (steers towards random waypoints inside the
walk disk, legs and arms swing with the distance travelled) and ``box``
(shuffles around a home spot facing the nearest other person, guard and
punches).
"""
import numpy as np

from .skeleton import ANGLE_NAMES, BONES_HEIGHT, forward_kinematics

MOTIONS = ('walk', 'box', 'mixed')
STYLE_SPEED = dict(walk=(900.0, 1400.0), box=(150.0, 350.0))  # mm / s
TURN_RATE = np.deg2rad(110.0)  # rad / s
STRIDE = dict(walk=1400.0, box=600.0)  # mm per gait cycle at 1750 mm


def _wrap(angle):
    return (angle + np.pi) % (2 * np.pi) - np.pi


def _sample_disk(rng, radius):
    r, a = radius * np.sqrt(rng.uniform()), rng.uniform(0, 2 * np.pi)
    return np.array([r * np.cos(a), r * np.sin(a)])


def _initial_positions(rng, num_people, walk_radius, min_separation):
    pos = np.zeros((num_people, 2))
    for i in range(num_people):
        for _ in range(1000):
            pos[i] = _sample_disk(rng, walk_radius)
            if i == 0 or np.linalg.norm(pos[:i] - pos[i], axis=1).min() \
                    >= min_separation:
                break
        else:
            raise ValueError(
                f'cannot place {num_people} people {min_separation} mm apart '
                f'in a walk_radius of {walk_radius} mm; increase walk_radius')
    return pos


def _separate(pos, min_separation):
    """Push pairs closer than ``min_separation`` apart (in place).

    Returns:
        np.ndarray: bool [N], people that were pushed.
    """
    pushed = np.zeros(len(pos), bool)
    for i in range(len(pos)):
        for j in range(i + 1, len(pos)):
            delta = pos[j] - pos[i]
            dist = np.linalg.norm(delta)
            if dist < min_separation:
                push = 0.5 * (min_separation - dist) * delta / max(dist, 1e-6)
                pos[i] -= push
                pos[j] += push
                pushed[[i, j]] = True
    return pushed


def simulate_roots(rng, styles, num_frames, walk_radius, fps, min_separation):
    """Root trajectories of N people on the floor.

    Args:
        rng (np.random.Generator): random stream.
        styles (list[str]): 'walk' or 'box' per person.
        num_frames (int): F.
        walk_radius (float): people stay in this disk around the origin (mm).
        fps (float): frames per second.
        min_separation (float): minimum distance between roots (mm).

    Returns:
        tuple: root [F, N, 2] (mm), heading [F, N] (rad), travelled
        distance [F, N] (mm, cumulative).
    """
    n = len(styles)
    boxer = np.array([s == 'box' for s in styles])
    pos = _initial_positions(rng, n, walk_radius, min_separation)
    home = pos.copy()
    speed = np.array([rng.uniform(*STYLE_SPEED[s]) for s in styles]) / fps
    move = rng.uniform(-np.pi, np.pi, n)
    face = move.copy()
    lone_target = rng.uniform(-np.pi, np.pi)  # a lone boxer's facing
    max_turn = TURN_RATE / fps

    def new_waypoint(i):
        if boxer[i]:
            return home[i] + _sample_disk(rng, 350.0)
        return _sample_disk(rng, walk_radius)

    waypoint = np.stack([new_waypoint(i) for i in range(n)])
    root = np.zeros((num_frames, n, 2))
    heading = np.zeros((num_frames, n))
    travelled = np.zeros((num_frames, n))
    for f in range(num_frames):
        prev = pos.copy()
        to_wp = waypoint - pos
        want = np.arctan2(to_wp[:, 1], to_wp[:, 0])
        move += np.clip(_wrap(want - move), -max_turn, max_turn)
        pos += speed[:, None] * np.stack([np.cos(move), np.sin(move)], 1)
        pushed = _separate(pos, min_separation)
        radius = np.linalg.norm(pos, axis=1)
        outside = radius > walk_radius
        pos[outside] *= (walk_radius / radius[outside])[:, None]
        for i in np.flatnonzero(pushed | outside
                                | (np.linalg.norm(waypoint -
                                                  pos, axis=1) < 250.0)):
            waypoint[i] = new_waypoint(i)
        # boxers face the nearest other person (or a fixed direction)
        target = move.copy()
        for i in np.flatnonzero(boxer):
            others = np.delete(pos, i, axis=0) - pos[i]
            if len(others):
                o = others[np.linalg.norm(others, axis=1).argmin()]
                target[i] = np.arctan2(o[1], o[0])
            else:
                target[i] = lone_target
        face += np.clip(_wrap(target - face), -max_turn, max_turn)
        root[f], heading[f] = pos, face
        travelled[f] = (travelled[f - 1] if f else 0.0) + np.linalg.norm(
            pos - prev, axis=1)
    return root, heading, travelled


def limb_angles(rng, styles, travelled, scale, fps):
    """Joint angles of :data:`~.skeleton.ANGLE_NAMES` per frame and person.

    Args:
        rng (np.random.Generator): random stream.
        styles (list[str]): 'walk' or 'box' per person.
        travelled (np.ndarray): [F, N] cumulative distance (mm).
        scale (np.ndarray): [N] height / 1750.
        fps (float): frames per second.

    Returns:
        dict[str, np.ndarray]: angle name -> [F, N] radians.
    """
    num_frames, n = travelled.shape
    time = np.arange(num_frames)[:, None] / fps
    boxer = np.array([s == 'box' for s in styles])
    stride = np.where(boxer, STRIDE['box'], STRIDE['walk']) * scale
    phase = 2 * np.pi * travelled / stride + rng.uniform(0, 2 * np.pi, n)
    swing = np.sin(phase)
    lift = np.cos(phase)
    walk = dict(r_hip=0.38 * swing,
                l_hip=-0.38 * swing,
                r_knee=0.12 + 0.7 * np.maximum(lift, 0)**2,
                l_knee=0.12 + 0.7 * np.maximum(-lift, 0)**2,
                r_shoulder=-0.35 * swing,
                l_shoulder=0.35 * swing)
    walk['r_elbow'] = 0.25 + 0.8 * np.maximum(walk['r_shoulder'], 0)
    walk['l_elbow'] = 0.25 + 0.8 * np.maximum(walk['l_shoulder'], 0)

    bounce = 0.08 * np.sin(2 * np.pi * rng.uniform(1.5, 2.5, n) * time)
    punch_freq = rng.uniform(0.4, 1.0, (2, n))
    punch_phase = rng.uniform(0, 2 * np.pi, (2, n))
    punch = np.maximum(
        np.sin(2 * np.pi * punch_freq[:, None] * time + punch_phase[:, None]),
        0)**6  # [2, F, N]
    box = dict(r_hip=0.2 + 0.15 * swing,
               l_hip=-0.2 - 0.15 * swing,
               r_knee=0.3 + bounce + 0.3 * np.maximum(lift, 0),
               l_knee=0.3 + bounce + 0.3 * np.maximum(-lift, 0),
               r_shoulder=1.15 + 0.4 * punch[0],
               l_shoulder=1.15 + 0.4 * punch[1],
               r_elbow=1.8 - 1.65 * punch[0],
               l_elbow=1.8 - 1.65 * punch[1])
    return {k: np.where(boxer, box[k], walk[k]) for k in ANGLE_NAMES}


def choose_styles(rng, motion, num_people):
    """Per-person style list for ``motion`` in :data:`MOTIONS`."""
    if motion == 'mixed':
        return [('walk', 'box')[int(rng.integers(2))]
                for _ in range(num_people)]
    return [motion] * num_people


def simulate_sequence(rng, heights, motion, num_frames, walk_radius, fps,
                      min_separation):
    """3D poses of one sequence.

    Args:
        rng (np.random.Generator): random stream of this sequence.
        heights (np.ndarray): [N] person heights (mm).
        motion (str): one of :data:`MOTIONS`.
        num_frames (int): F.
        walk_radius, min_separation (float): mm.
        fps (float): frames per second.

    Returns:
        tuple: joints float64 [F, N, 17, 3] world (mm), styles list[str].
    """
    styles = choose_styles(rng, motion, len(heights))
    scale = np.asarray(heights, float) / BONES_HEIGHT
    root, heading, travelled = simulate_roots(rng, styles, num_frames,
                                              walk_radius, fps, min_separation)
    angles = limb_angles(rng, styles, travelled, scale, fps)
    return forward_kinematics(root, heading, angles, scale), styles
