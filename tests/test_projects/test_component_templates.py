"""The component templates project: a third-party component of every kind
builds into NSD (and P into the pose estimator) from a config and trains."""
import os.path as osp

import pytest

from nsd_test_utils import tiny_run_config, train_runner

PROJECT = osp.join(osp.dirname(__file__), '..', '..', 'projects',
                   'component_templates')
NSD_TEMPLATES = {
    'detector': 'PooledBoxDetector',
    'encoder': 'PooledEncoder',
    'decoder': 'LinearDecoder',
    'associator': 'DotProductAssociator',
    'prior': 'MinimumScalePrior',
}


@pytest.fixture
def templates_on_path(monkeypatch):
    # the package stays imported: its classes register once per process
    monkeypatch.syspath_prepend(PROJECT)


def test_every_kind_builds_into_nsd_and_trains(templates_on_path,
                                               synthetic_root_2p, tmp_path):
    cfg = tiny_run_config(
        osp.join(PROJECT, 'configs', 'nsd_synthetic_2p_templates.py'),
        synthetic_root_2p, tmp_path / 'work', final_stage=True)
    runner, changed = train_runner(cfg)
    model = runner.model
    for attribute, name in NSD_TEMPLATES.items():
        assert type(getattr(model, attribute)).__name__ == name
    for owner in (model.detector, model.encoder, model.perceptual_loss):
        assert type(owner.backbone).__name__ == 'PlainConvBackbone'
    for prefix in ('detector.backbone.', 'detector.head.', 'encoder.backbone.',
                   'encoder.head.', 'decoder.linear.'):
        assert any(k.startswith(prefix) for k in changed), prefix
    assert not any(k.startswith('perceptual_loss.') for k in changed)
    assert model.use_depth  # the final stage: occlusion model on
    rate = runner.message_hub.get_scalar('val/decomposition/detection_rate')
    assert 0.0 <= rate.current() <= 1.0


def test_pose_and_root_head_templates_train_on_the_pose_config(
        templates_on_path, synthetic_root_2p, tmp_path):
    cfg = tiny_run_config(
        osp.join(PROJECT, 'configs', 'nsd_synthetic_2p_pose_templates.py'),
        synthetic_root_2p, tmp_path / 'work')
    cfg.model.nsd_checkpoint = None
    cfg.custom_hooks = [dict(type='PoseStatisticsHook')]
    for split in ('train', 'val', 'test'):
        cfg[f'{split}_dataloader'].dataset.frame_interval = 5
    runner, changed = train_runner(cfg)
    assert type(runner.model.pose_head).__name__ == 'LinearPoseHead'
    assert type(runner.model.root_head).__name__ == 'LinearRootHead'
    for prefix in ('pose_head.linear.', 'root_head.linear.'):
        assert any(k.startswith(prefix) for k in changed), prefix
    mpjpe = runner.message_hub.get_scalar('val/pose/mpjpe_mm').current()
    assert 0.0 < mpjpe < 5000.0
    root_error = runner.message_hub.get_scalar('val/pose/root_error_px')
    assert 0.0 < root_error.current() < 1000.0
