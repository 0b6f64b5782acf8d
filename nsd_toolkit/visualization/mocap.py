"""Pictures of motion captures: the tracked world skeletons drawn over every
view and in an oblique 3D view, and their animation (``tools/mocap.py``)."""
import io

import cv2
import numpy as np
from PIL import Image
from tqdm import tqdm

from nsd_toolkit.utils import project_points, scale_intrinsics
from nsd_toolkit.utils.checkpoint import save_atomic
from .panels import PALETTE, draw_skeletons, grid, label

#: The floor rectangle of the 3D view as a skeleton of its 4 corners.
FLOOR_EDGES = ((0, 1), (1, 2), (2, 3), (3, 0))
FLOOR_COLOR = (160, 160, 160)


def track_colors(track_ids):
    """One RGB colour [3] per track id (the slot palette, cycled)."""
    return PALETTE[np.asarray(track_ids, np.int64) % len(PALETTE)]


class ObliqueView:
    """Orthographic picture of world points seen from the azimuth and
    elevation (degrees) of a viewer, fitted to the box ``low``-``high``
    [3] (mm; z up) in a ``width`` x ``height`` picture."""

    def __init__(self, low, high, width, height, azimuth=30.0,
                 elevation=30.0, margin=0.1):
        a, e = np.radians(azimuth), np.radians(elevation)
        right = np.array([-np.sin(a), np.cos(a), 0.0])
        up = np.array([-np.cos(a) * np.sin(e), -np.sin(a) * np.sin(e),
                       np.cos(e)])
        self.axes = np.stack([right, -up])  # pixel x, y per mm
        corners = np.stack(np.meshgrid(*zip(low, high)), -1).reshape(-1, 3)
        extent = corners @ self.axes.T
        span = np.maximum(extent.max(0) - extent.min(0), 1.0)
        self.scale = (1 - 2 * margin) * min(width / span[0],
                                            height / span[1])
        size = np.array([width, height])
        self.offset = size / 2 - self.scale * (extent.max(0) +
                                               extent.min(0)) / 2
        self.floor = np.array([[low[0], low[1], low[2]],
                               [high[0], low[1], low[2]],
                               [high[0], high[1], low[2]],
                               [low[0], high[1], low[2]]])
        self.size = (height, width)

    def project(self, points):
        """Pixels [..., 2] of world points [..., 3] (mm)."""
        return np.asarray(points) @ self.axes.T * self.scale + self.offset

    def picture(self, joints, colors):
        """White picture with the floor and skeletons [P, 17, 3] (mm)."""
        img = np.full((*self.size, 3), 255, np.uint8)
        img = draw_skeletons(img, self.project(self.floor)[None],
                             FLOOR_EDGES, colors=[FLOOR_COLOR])
        return draw_skeletons(img, self.project(joints), colors=colors)


def fit_oblique_view(moments, width, height, pad=500.0):
    """:class:`ObliqueView` of the joints of every moment's people, the
    floor (their lowest height) widened by ``pad`` mm."""
    joints = [person.joints for moment in moments for person in moment.people]
    joints = np.concatenate(joints) if joints else np.zeros((0, 3))
    joints = joints[np.isfinite(joints).all(-1)]
    if not len(joints):
        joints = np.zeros((1, 3))
    low, high = joints.min(0), joints.max(0)
    return ObliqueView(low - [pad, pad, 0], high + [pad, pad, 0], width,
                       height)


def capture_picture(results, people, oblique, max_width=320):
    """One moment: every view with the projected skeletons (lens distortion
    honoured), then the oblique view, rows of at most 3 tiles.

    Args:
        results: a data info after ``LoadMultiViewImages``: ``img`` uint8
            [V, H, W, 3], ``K``, ``R``, ``t``, ``dist``, ``cameras``,
            ``frame``.
        people: :class:`~nsd_toolkit.mocap.TrackedPerson` list.
        oblique: :class:`ObliqueView` of the tile size.
        max_width: views wider than this are shrunk to it.
    """
    height, width = results['img'].shape[1:3]
    scale = min(1.0, max_width / width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    K = scale_intrinsics(np.asarray(results['K'], np.float64),
                         size[0] / width, size[1] / height)
    joints = np.array([person.joints for person in people]).reshape(-1, 17,
                                                                    3)
    colors = track_colors([person.track_id for person in people])
    pixels = project_points(joints.reshape(-1, 3), K, results['R'],
                            results['t'], results['dist']).reshape(
                                len(K), *joints.shape[:2], 2)
    tiles = [label(draw_skeletons(cv2.resize(img, size,
                                             interpolation=cv2.INTER_AREA),
                                  uv, colors=colors),
                   f"{cam} #{results['frame']}", 1)
             for img, uv, cam in zip(results['img'], pixels,
                                     results['cameras'])]
    tiles.append(label(oblique.picture(joints, colors), '3D', 1))
    return grid([tiles[i:i + 3] for i in range(0, len(tiles), 3)])


def capture_pictures(dataset, moments, max_width=320, progress=False):
    """:func:`capture_picture` of every moment of a capture, in order.

    Args:
        dataset: the capture's dataset (its frames are read again with
            ``LoadMultiViewImages``, whatever its pipeline).
        moments: :class:`~nsd_toolkit.apis.CaptureMoment` per moment.

    Yields:
        uint8 RGB pictures, all of one size.
    """
    from nsd_toolkit.datasets.transforms import LoadMultiViewImages
    load = LoadMultiViewImages()
    first = dataset.get_data_info(0)['image_size'][0]
    scale = min(1.0, max_width / first[0])
    oblique = fit_oblique_view(moments, max(1, round(first[0] * scale)),
                               max(1, round(first[1] * scale)))
    for moment in tqdm(moments, desc='drawing', unit='moment',
                       disable=not progress):
        yield capture_picture(load(dataset.get_data_info(moment.index)),
                              moment.people, oblique, max_width)


def save_animation(path, pictures, fps):
    """Write RGB pictures (an iterable) as an animated GIF (``.gif``) or an
    MPEG-4 part 2 video (``.mp4``), atomically."""
    if not path.endswith('.gif'):
        from nsd_toolkit.datasets.video import write_video
        write_video(path, pictures, fps, fourcc='mp4v')
        return
    pictures = iter(pictures)
    first = next(pictures, None)
    if first is None:
        raise ValueError(f'{path}: no pictures to write')
    buffer = io.BytesIO()
    Image.fromarray(first).save(
        buffer, format='GIF', save_all=True, loop=0,
        append_images=map(Image.fromarray, pictures),
        duration=round(1000 / fps))
    save_atomic(path, buffer.getvalue())
