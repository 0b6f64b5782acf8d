"""The trivial answer of 3D pose: the mean pose of the labelled people."""
import numpy as np
from tqdm import tqdm

from .functional import person_centers
from .metrics import PoseMetric


def people_poses(dataset, desc: str = 'poses') -> np.ndarray:
    """Root-relative poses of the people present in every sample and view.

    Args:
        dataset: items with ``data_samples`` carrying ``gt_joints_cam``
            [V, N, J, 3] (camera frame, mm) and ``gt_keypoints_2d``.
        desc: progress-bar label.

    Returns:
        np.ndarray [K, J, 3]: one pose per present (view, person), as
        :class:`PoseMetric` counts people (NaN joints kept).
    """
    poses = []
    for index in tqdm(range(len(dataset)), desc=desc, unit='sample'):
        sample = dataset[index]['data_samples']
        height, width = sample.img_shape[:2]
        joints = sample.gt_joints_cam.numpy().astype(np.float64)
        present = np.isfinite(
            person_centers(sample.gt_keypoints_2d.numpy(), joints, width,
                           height)).all(-1)
        poses.append((joints - joints[..., :1, :])[present])
    return np.concatenate(poses)


def mean_pose_metrics(labelled_poses: np.ndarray,
                      test_poses: np.ndarray) -> dict:
    """:class:`PoseMetric`'s numbers of predicting the mean of
    ``labelled_poses`` [K, J, 3] for every person of ``test_poses``
    [L, J, 3] (mm)."""
    pred = np.broadcast_to(np.nanmean(labelled_poses, axis=0),
                           test_poses.shape)
    return PoseMetric().compute_metrics(
        [dict(pred=pred, gt=test_poses, people=len(test_poses))])
