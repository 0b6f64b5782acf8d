"""Evaluation: metric functions and registered metrics."""
from .functional import (box_iou, keypoint_mpjpe, mask_iou, mask_to_box,
                         match_instances, match_slots_to_people,
                         person_centers)
from .latent_rotation import latent_rotation_errors
from .linear_probe import RidgeProbe, choose_ridge_probe
from .mean_pose import mean_pose_metrics, people_poses
from .metrics import (POSE_ERROR_NAMES, DecompositionMetric, NovelViewMetric,
                      PoseMetric)
from .pose_predictions import load_pose_predictions, score_pose_predictions

__all__ = [
    'box_iou', 'mask_to_box', 'mask_iou', 'match_instances', 'keypoint_mpjpe',
    'match_slots_to_people', 'person_centers', 'DecompositionMetric',
    'NovelViewMetric', 'PoseMetric', 'load_pose_predictions',
    'score_pose_predictions', 'mean_pose_metrics', 'people_poses',
    'RidgeProbe', 'choose_ridge_probe', 'POSE_ERROR_NAMES',
    'latent_rotation_errors'
]
