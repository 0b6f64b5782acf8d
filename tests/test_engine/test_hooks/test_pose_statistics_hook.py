"""PoseStatisticsHook gives a normalising head the labelled poses' statistics."""
from types import SimpleNamespace

import pytest
import torch
from mmengine.logging import MMLogger

from nsd_toolkit.engine.hooks import PoseStatisticsHook
from nsd_toolkit.models.pose_heads import MLPPoseHead
from nsd_toolkit.structures import MultiViewDataSample


def item(joints):
    sample = MultiViewDataSample()
    sample.gt_joints_cam = torch.tensor(joints)  # [V, G, J, 3]
    return dict(data_samples=sample)


def runner_with(head, items):
    return SimpleNamespace(
        model=SimpleNamespace(pose_head=head),
        train_dataloader=SimpleNamespace(dataset=items),
        logger=MMLogger.get_instance('pose_statistics_test'))


def test_statistics_of_every_labelled_person_root_relative():
    head = MLPPoseHead(in_channels=6, num_joints=2, normalize=True)
    items = [
        item([[[[1000., 0., 4000.], [1100., 0., 4000.]]]]),  # 1 view, 1 person
        item([[[[0., 0., 3000.], [300., 0., 3000.]]],
              [[[5., 5., 5.], [5., 5., 5.]]]]),  # 2 views
    ]
    PoseStatisticsHook().before_train(runner_with(head, items))
    # joint 1 relative x: 100, 300, 0 -> mean 133.3, std 124.7
    assert head.pose_mean[1, 0].item() == pytest.approx(400 / 3)
    assert head.pose_std[1, 0].item() == pytest.approx(
        (((100 - 400 / 3)**2 + (300 - 400 / 3)**2 + (400 / 3)**2) / 3)**0.5)
    assert head.pose_std[0, 0].item() == 1.0  # root: clamped at 1 mm


def test_heads_without_normalisation_are_left_alone():
    head = MLPPoseHead(in_channels=6, num_joints=2)
    PoseStatisticsHook().before_train(runner_with(head, []))
    assert not hasattr(head, 'pose_mean')


def test_unlabelled_training_data_is_refused():
    head = MLPPoseHead(in_channels=6, num_joints=2, normalize=True)
    unlabelled = [dict(data_samples=MultiViewDataSample())]
    with pytest.raises(ValueError, match='no 3D labels'):
        PoseStatisticsHook().before_train(runner_with(head, unlabelled))
