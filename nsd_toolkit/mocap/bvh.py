"""BVH motion files of the 17 Human3.6M joints: writing and reading back.

Why BVH: it is the motion format animation packages (Blender, MotionBuilder,
Maya, Unreal, Unity through them) import most widely, needs no library and
stores a skeleton with per-frame joint rotations, which is what retargeting
to a character wants. C3D, the biomechanics standard, stores marker
positions rather than a skeleton; ``tracks.json`` keeps those positions.

Skeleton: the Human3.6M tree (pelvis root; leaves r_ankle, l_ankle,
head_top, l_wrist and r_wrist written as ``End Site``), offsets of the
track's median bone lengths along the bone directions of its first frame,
so the rest pose is that frame's pose (no T-pose: retarget in the animation
package). Units mm, axes those of the calibration's world frame (z up in the
toolkit's studios: pick "Z up" when importing). The root has channels
``Xposition Yposition Zposition Zrotation Xrotation Yrotation`` (its world
position, OFFSET 0), every other joint ``Zrotation Xrotation Yrotation``
(local rotation ``Rz @ Rx @ Ry``, degrees).

Rotations from joint positions: a joint with several children (pelvis,
thorax) gets the rotation best aligning its children's rest directions with
the observed ones (Kabsch), twist included; a joint with one child gets the
smallest rotation, in its parent's frame, turning the rest bone onto the
observed one (swing only: the bone's twist is inherited from the parent and
does not move any joint). Joint positions come back exactly when the bone
lengths stay constant and the pelvis and thorax triangles are rigid;
otherwise bones keep their median lengths.
"""
import io
from typing import List, NamedTuple

import numpy as np

from nsd_toolkit.datasets.joint_sets import H36M_JOINTS
from .skeleton import H36M_PARENTS, bone_vectors, median_bone_lengths

_ROTATION_CHANNELS = ('Zrotation', 'Xrotation', 'Yrotation')
_ROOT_CHANNELS = ('Xposition', 'Yposition', 'Zposition') + _ROTATION_CHANNELS


class BVH(NamedTuple):
    """A parsed BVH file; nodes in file order, end sites named
    ``<parent>_end``."""
    names: List[str]
    parents: np.ndarray  #: int64 [N], -1 for the root
    offsets: np.ndarray  #: [N, 3]
    channels: List[List[str]]  #: per node, e.g. ['Zrotation', ...]
    frame_time: float  #: seconds
    motion: np.ndarray  #: [F, C] channel values (positions, degrees)


def _children(parents):
    return [np.flatnonzero(parents == j) for j in range(len(parents))]


def _unit(vectors):
    return vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)


def _skew(v):
    zero = np.zeros_like(v[..., 0])
    return np.stack([
        np.stack([zero, -v[..., 2], v[..., 1]], -1),
        np.stack([v[..., 2], zero, -v[..., 0]], -1),
        np.stack([-v[..., 1], v[..., 0], zero], -1)], -2)


def align_rotation(a, b):
    """Smallest rotations [..., 3, 3] turning unit vector a [3] onto unit
    vectors b [..., 3] (a half turn about an axis normal to ``a`` when b is
    opposite)."""
    cross, cos = np.cross(a, b), b @ a
    skew = _skew(cross)
    scale = 1.0 / np.maximum(1.0 + cos, 1e-12)
    rotation = np.eye(3) + skew + skew @ skew * scale[..., None, None]
    normal = _unit(np.cross(a, np.eye(3)[np.argmin(np.abs(a))]))
    half_turn = 2 * np.outer(normal, normal) - np.eye(3)
    return np.where((cos < -1 + 1e-9)[..., None, None], half_turn, rotation)


def kabsch_rotation(rest, observed):
    """Rotations [F, 3, 3] best mapping rest directions [C, 3] onto observed
    directions [F, C, 3] (least squares, det +1)."""
    u, _, vt = np.linalg.svd(rest.T @ observed)  # [F, 3, 3]
    fix = np.ones(u.shape[:-1])
    fix[..., -1] = np.sign(np.linalg.det(vt.swapaxes(-1, -2) @
                                         u.swapaxes(-1, -2)))
    return vt.swapaxes(-1, -2) @ (fix[..., None] * u.swapaxes(-1, -2))


def rest_offsets(joints, parents=H36M_PARENTS):
    """Bone offsets [J, 3]: median lengths over frames along the bones of
    the first frame (root: zeros). ``joints`` [F, J, 3] finite (mm)."""
    lengths = median_bone_lengths(joints, parents)
    return np.concatenate([np.zeros((1, 3)),
                           _unit(bone_vectors(joints[0], parents)) *
                           lengths[:, None]])


def local_rotations(joints, offsets, parents=H36M_PARENTS):
    """Local joint rotations [F, J, 3, 3] reproducing ``joints`` [F, J, 3]
    from the rest ``offsets`` [J, 3] (module docstring); leaves get the
    identity. ``parents`` [J] must list parents before children."""
    frames, count = joints.shape[:2]
    local = np.broadcast_to(np.eye(3), (frames, count, 3, 3)).copy()
    world = local.copy()
    for joint, kids in enumerate(_children(parents)):
        if len(kids) == 0:
            continue
        parent_world = world[:, parents[joint]] if parents[joint] >= 0 \
            else np.broadcast_to(np.eye(3), (frames, 3, 3))
        observed = _unit(joints[:, kids] - joints[:, joint, None])
        rest = _unit(offsets[kids])
        if len(kids) == 1:
            in_parent = (observed[:, 0, None] @ parent_world)[:, 0]
            local[:, joint] = align_rotation(rest[0], in_parent)
        else:
            local[:, joint] = parent_world.swapaxes(-1, -2) @ \
                kabsch_rotation(rest, observed)
        world[:, joint] = parent_world @ local[:, joint]
    return local


def euler_zxy(rotations):
    """Angles [..., 3] (z, x, y) in degrees with ``R = Rz @ Rx @ Ry``; at
    x = +-90 degrees (gimbal lock) y is 0."""
    r = rotations
    x = np.arcsin(np.clip(r[..., 2, 1], -1.0, 1.0))
    locked = np.hypot(r[..., 2, 0], r[..., 2, 2]) < 1e-9
    y = np.where(locked, 0.0, np.arctan2(-r[..., 2, 0], r[..., 2, 2]))
    z = np.where(locked, np.arctan2(r[..., 1, 0], r[..., 0, 0]),
                 np.arctan2(-r[..., 0, 1], r[..., 1, 1]))
    return np.degrees(np.stack([z, x, y], -1))


def axis_rotation(axis, degrees):
    """Rotations [..., 3, 3] by ``degrees`` [...] about axis 'X', 'Y' or
    'Z'."""
    angle = np.radians(degrees)
    c, s = np.cos(angle), np.sin(angle)
    i, j = {'X': (1, 2), 'Y': (2, 0), 'Z': (0, 1)}[axis]
    out = np.broadcast_to(np.eye(3), angle.shape + (3, 3)).copy()
    out[..., i, i], out[..., j, j] = c, c
    out[..., i, j], out[..., j, i] = -s, s
    return out


def _hierarchy(lines, order, joint, offsets, children, depth):
    """Append the HIERARCHY lines of ``joint``'s subtree to ``lines`` and
    its joints with channels, in file order, to ``order``."""
    pad = '  ' * depth
    kids = children[joint]
    if len(kids) == 0:
        lines += [f'{pad}End Site', f'{pad}{{',
                  f'{pad}  OFFSET {_numbers(offsets[joint])}', f'{pad}}}']
        return
    order.append(joint)
    channels = _ROOT_CHANNELS if depth == 0 else _ROTATION_CHANNELS
    lines += [f"{pad}{'ROOT' if depth == 0 else 'JOINT'} "
              f'{H36M_JOINTS[joint]}', f'{pad}{{',
              f'{pad}  OFFSET {_numbers(offsets[joint])}',
              f"{pad}  CHANNELS {len(channels)} {' '.join(channels)}"]
    for kid in kids:
        _hierarchy(lines, order, kid, offsets, children, depth + 1)
    lines.append(f'{pad}}}')


def _numbers(values):
    return ' '.join(f'{v:.6f}' for v in values)


def write_bvh(path, joints, fps):
    """Write a BVH file of one person's Human3.6M joints.

    Args:
        path: output file.
        joints: [F, 17, 3] world joints (mm), all finite.
        fps: frames per second.
    """
    joints = np.asarray(joints, np.float64)
    if not np.isfinite(joints).all():
        raise ValueError(f'{path}: BVH joints must be finite (fill gaps '
                         'first)')
    offsets = rest_offsets(joints)
    lines, order = ['HIERARCHY'], []
    _hierarchy(lines, order, 0, offsets, _children(H36M_PARENTS), 0)
    angles = euler_zxy(local_rotations(joints, offsets)[:, order])
    motion = np.concatenate([joints[:, 0], angles.reshape(len(joints), -1)],
                            -1)
    buffer = io.StringIO()
    np.savetxt(buffer, motion, fmt='%.6f')
    lines += ['MOTION', f'Frames: {len(joints)}',
              f'Frame Time: {1.0 / fps:.8f}']
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n' + buffer.getvalue())


class _Tokens:
    """Whitespace tokens of a BVH file with errors naming the file."""

    def __init__(self, path, text):
        self.path, self.items, self.index = path, text.split(), 0

    def next(self, expected=None):
        if self.index >= len(self.items):
            raise ValueError(f'{self.path}: BVH ends early')
        token = self.items[self.index]
        self.index += 1
        if expected is not None and token != expected:
            raise ValueError(f'{self.path}: expected {expected!r} in the BVH '
                             f'file, got {token!r}')
        return token

    def floats(self, count):
        values = [self.next() for _ in range(count)]
        try:
            return np.array(values, np.float64)
        except ValueError:
            raise ValueError(f'{self.path}: non-numeric BVH values '
                             f'{values}') from None


def _parse_node(tokens, name, parent, nodes):
    index = len(nodes)
    tokens.next('{')
    tokens.next('OFFSET')
    node = dict(name=name, parent=parent, offset=tokens.floats(3),
                channels=[])
    nodes.append(node)
    while True:
        token = tokens.next()
        if token == '}':
            return
        if token == 'CHANNELS':
            count = int(tokens.next())
            node['channels'] = [tokens.next() for _ in range(count)]
        elif token == 'JOINT':
            _parse_node(tokens, tokens.next(), index, nodes)
        elif token == 'End':
            tokens.next('Site')
            _parse_node(tokens, f'{name}_end', index, nodes)
        else:
            raise ValueError(f'{tokens.path}: unexpected BVH token '
                             f'{token!r} in joint {name!r}')


def read_bvh(path):
    """Parse a BVH file (hierarchy and motion) into a :class:`BVH`."""
    with open(path) as f:
        tokens = _Tokens(path, f.read())
    tokens.next('HIERARCHY')
    tokens.next('ROOT')
    nodes = []
    _parse_node(tokens, tokens.next(), -1, nodes)
    tokens.next('MOTION')
    tokens.next('Frames:')
    frames = int(tokens.next())
    tokens.next('Frame')
    tokens.next('Time:')
    frame_time = float(tokens.next())
    channels = [node['channels'] for node in nodes]
    width = sum(map(len, channels))
    motion = tokens.floats(frames * width).reshape(frames, width)
    return BVH([n['name'] for n in nodes],
               np.array([n['parent'] for n in nodes], np.int64),
               np.stack([n['offset'] for n in nodes]), channels, frame_time,
               motion)


def bvh_positions(bvh):
    """Forward kinematics: world positions [F, N, 3] of every node."""
    frames = len(bvh.motion)
    positions = np.zeros((frames, len(bvh.names), 3))
    world = np.zeros((frames, len(bvh.names), 3, 3))
    column = 0
    for node, (parent, channels) in enumerate(zip(bvh.parents,
                                                  bvh.channels)):
        rotation = np.broadcast_to(np.eye(3), (frames, 3, 3))
        translation = bvh.offsets[node] + np.zeros((frames, 3))
        for name in channels:
            values = bvh.motion[:, column]
            column += 1
            if name.endswith('rotation'):
                rotation = rotation @ axis_rotation(name[0], values)
            else:
                translation[:, 'XYZ'.index(name[0])] += values
        if parent < 0:
            positions[:, node], world[:, node] = translation, rotation
        else:
            positions[:, node] = positions[:, parent] + (
                world[:, parent] @ translation[..., None])[..., 0]
            world[:, node] = world[:, parent] @ rotation
    return positions


def bvh_to_h36m(bvh):
    """Positions [F, 17, 3] of the Human3.6M joints of a BVH written by
    :func:`write_bvh` (leaves are the end sites of their parents)."""
    index = [bvh.names.index(name if name in bvh.names else
                             f'{H36M_JOINTS[H36M_PARENTS[j]]}_end')
             for j, name in enumerate(H36M_JOINTS)]
    return bvh_positions(bvh)[:, index]
