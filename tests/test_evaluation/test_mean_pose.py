"""mean_pose_metrics: the trivial answer of 3D pose."""
import numpy as np
import pytest

from nsd_toolkit.evaluation import mean_pose_metrics


def _pose(scale):
    """[17, 3] root-relative pose: joint j at (scale * j, 0, 0) mm."""
    pose = np.zeros((17, 3))
    pose[:, 0] = scale * np.arange(17)
    return pose


def test_mean_pose_metrics_by_hand():
    labelled = np.stack([_pose(10.0), _pose(30.0)])  # mean: _pose(20)
    exact = mean_pose_metrics(labelled, _pose(20.0)[None])
    assert exact['mpjpe_mm'] == pytest.approx(0.0)
    off = np.stack([_pose(20.0), _pose(20.0)])
    off[1, 1:, 1] = 16.0  # the second person's non-root joints 16 mm off
    metrics = mean_pose_metrics(labelled, off)
    # MPJPE over all 17 joints (root error 0), N-MPJPE over the 16 others
    assert metrics['mpjpe_mm'] == pytest.approx(16.0 * 16 / 17 / 2)
    assert metrics['matched_fraction'] == 1.0
