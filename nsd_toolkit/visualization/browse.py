"""Pictures of dataset samples (``tools/misc/browse_dataset.py``)."""
import os
import os.path as osp
import re

import cv2
import numpy as np
from tqdm import tqdm

from nsd_toolkit.utils import project_points, scale_intrinsics
from .panels import draw_skeletons, grid, label, save_rgb


def sample_picture(results, max_width=480):
    """One row per view: the frame with the projected 3D joints (lens
    distortion honoured) and the view's median background.

    Args:
        results (dict): a data info after ``LoadMultiViewImages``: ``img``,
            ``background`` uint8 [V, H, W, 3], ``K``, ``R`` [V, 3, 3], ``t``
            [V, 3], ``dist`` [V, 5], ``cameras``, ``seq``, ``frame`` and
            ``joints_3d`` [N, 17, 3] (or None).
        max_width (int): views wider than this are shrunk to it.

    Returns:
        np.ndarray: uint8 RGB picture.
    """
    height, width = results['img'].shape[1:3]
    scale = min(1.0, max_width / width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    K = scale_intrinsics(np.asarray(results['K'], dtype=np.float64),
                         size[0] / width, size[1] / height)
    joints = results.get('joints_3d')
    uv = None
    if joints is not None:
        joints = np.asarray(joints, dtype=np.float64)
        uv = project_points(joints.reshape(-1, 3), K, results['R'],
                            results['t'], results['dist'])
        uv = uv.reshape(len(K), *joints.shape[:2], 2)  # [V, N, J, 2]

    def shrink(img):
        return cv2.resize(img, size, interpolation=cv2.INTER_AREA)

    rows = []
    for v, cam in enumerate(results['cameras']):
        img = shrink(results['img'][v])
        if uv is not None:
            img = draw_skeletons(img, uv[v])
        rows.append([
            label(img, f"{cam} {results['seq']} #{results['frame']}", 1),
            label(shrink(results['background'][v]), 'median background', 1)
        ])
    return grid(rows)


def browse_dataset(dataset, out_dir, num_samples=8, max_width=480,
                   progress=True):
    """Write :func:`sample_picture` PNGs of samples spread over ``dataset``.

    Frames are read with ``LoadMultiViewImages`` (all views, full size)
    whatever the dataset's pipeline. Files are named
    ``<index>_<seq>_<frame>.png`` and written atomically.

    Returns:
        list[str]: the written paths.
    """
    from nsd_toolkit.datasets.transforms import LoadMultiViewImages
    load = LoadMultiViewImages()
    os.makedirs(out_dir, exist_ok=True)
    count = min(num_samples, len(dataset))
    indices = np.unique(np.linspace(0, len(dataset) - 1, count).round()
                        .astype(int)) if count else []
    paths = []
    for index in tqdm(indices, desc='browsing', unit='sample',
                      disable=not progress):
        results = load(dataset.get_data_info(int(index)))
        seq = re.sub(r'[^\w.-]', '_', str(results['seq']))
        path = osp.join(out_dir,
                        f"{index:06d}_{seq}_{results['frame']:06d}.png")
        save_rgb(path, sample_picture(results, max_width))
        paths.append(path)
    return paths
