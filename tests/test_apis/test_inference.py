"""init_model and inference_images: checkpoints, stages, single images."""
import os.path as osp
import re

import numpy as np
import pytest
import torch
from mmengine import Config
from nsd_test_utils import tiny_nsd_cfg

from nsd_toolkit.apis import inference_images, init_model
from nsd_toolkit.utils.checkpoint import CheckpointReadError

CONFIG = osp.join(osp.dirname(__file__), '..', '..', 'configs',
                  'nsd_synthetic_1p.py')


def tiny_config(num_people=2):
    cfg = Config.fromfile(CONFIG)
    cfg.model = tiny_nsd_cfg(num_people)
    return cfg


def save(model, path, stages):
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(nsd_stages=stages)), path)


def test_checkpoint_weights_and_stage_are_restored(tmp_path):
    cfg = tiny_config()
    cfg.model.stages = dict(
        flat=dict(begin=3, settings=dict(mask_window_power=0.25)),
        depth=dict(begin=6, settings=dict(use_depth=True)))
    trained = init_model(cfg)
    with torch.no_grad():
        for param in trained.parameters():
            param.add_(1.0)
    trained.apply_stage('flat')
    path = str(tmp_path / 'iter_5.pth')
    save(trained, path, trained.stage_record())
    model = init_model(cfg, path)
    assert not model.training
    assert model.mask_window_power == 0.25 and not model.use_depth
    assert [r['name'] for r in model.applied_stages] == ['flat']
    for key, value in trained.state_dict().items():
        torch.testing.assert_close(model.state_dict()[key], value)


def test_stages_of_older_checkpoints(tmp_path):
    """Toolkit 0.2 stored dict(begin, model): its settings are applied;
    0.1 stored indices into a hook's list: refused, naming the file."""
    cfg = tiny_config()
    path = str(tmp_path / 'v02.pth')
    save(init_model(cfg), path,
         [dict(begin=3, model=dict(mask_window_power=0.25, use_depth=True))])
    model = init_model(cfg, path)
    assert model.mask_window_power == 0.25 and model.use_depth
    path = str(tmp_path / 'v01.pth')
    save(init_model(cfg), path, [0])
    with pytest.raises(ValueError, match='v01.pth.*stage indices'):
        init_model(cfg, path)


def test_a_checkpoint_of_another_model_is_named(tmp_path):
    path = str(tmp_path / 'other.pth')
    save(init_model(tiny_config(num_people=1)), path, [])
    with pytest.raises(RuntimeError, match='other.pth does not fit'):
        init_model(tiny_config(num_people=2), path)


def test_images_are_decomposed_one_by_one():
    model = init_model(tiny_config())
    gen = np.random.default_rng(0)
    images = [gen.integers(0, 255, (24, 32, 3), dtype=np.uint8)
              for _ in range(3)]
    background = np.full((24, 32, 3), 128, np.uint8)
    samples = inference_images(model, images, background, batch_size=2)
    assert len(samples) == 3
    assert samples[2].pred_bboxes.shape == (1, 2, 4)
    assert samples[2].pred_masks.shape == (1, 2, 24, 32)
    # batching does not change the result
    alone = inference_images(model, images[2:], background)[0]
    torch.testing.assert_close(alone.pred_masks, samples[2].pred_masks)
    with pytest.raises(ValueError, match='image 1'):
        inference_images(model, [images[0], images[1][:, :16]], background)


def test_pose_models_give_root_relative_poses_per_slot():
    cfg = tiny_config()
    cfg.model = dict(type='NSDPoseEstimator', nsd=tiny_nsd_cfg(2),
                     pose_head=dict(type='MLPPoseHead', hidden_channels=(8, )))
    model = init_model(cfg)
    image = np.zeros((24, 32, 3), np.uint8)
    sample = inference_images(model, [image], image)[0]
    assert sample.pred_joints_3d.shape == (1, 2, 17, 3)
    assert torch.equal(sample.pred_joints_3d[0, :, 0], torch.zeros(2, 3))
    assert 'pred_masks' not in sample


def test_single_images_get_b_depths_under_a_triangulating_config():
    """The multi-person configs triangulate depths across views; a single
    image has one view, so it gets B's depths (with use_depth on)."""
    cfg = tiny_config()
    cfg.model.update(use_depth=True, predict_depth='triangulated',
                     associator=dict(type='AppearanceAssociator'))
    model = init_model(cfg)
    image = np.random.default_rng(1).integers(0, 255, (24, 32, 3), np.uint8)
    sample = inference_images(model, [image],
                              np.full((24, 32, 3), 128, np.uint8))[0]
    assert sample.pred_depths.shape == (1, 2)
    assert torch.isfinite(sample.pred_depths).all()


def _truncated(model, path):
    save(model, path, [])
    data = open(path, 'rb').read()
    with open(path, 'wb') as f:
        f.write(data[:len(data) // 2])  # as a kill while saving leaves it
    return path


def test_a_damaged_checkpoint_is_named(tmp_path):
    cfg = tiny_config()
    path = _truncated(init_model(cfg), str(tmp_path / 'iter_9.pth'))
    with pytest.raises(CheckpointReadError, match=re.escape(path)):
        init_model(cfg, path)
    with pytest.raises(CheckpointReadError, match='is a folder'):
        init_model(cfg, str(tmp_path))
    weights = str(tmp_path / 'weights.pth')
    torch.save(dict(state_dict=[1, 2]), weights)
    with pytest.raises(CheckpointReadError, match='weights.pth: its state_dict'):
        init_model(cfg, weights)


def test_a_pose_models_damaged_nsd_checkpoint_is_named(tmp_path):
    path = _truncated(init_model(tiny_config()), str(tmp_path / 'nsd.pth'))
    cfg = tiny_config()
    cfg.model = dict(type='NSDPoseEstimator', nsd=tiny_nsd_cfg(2),
                     nsd_checkpoint=path,
                     pose_head=dict(type='MLPPoseHead', hidden_channels=(8, )))
    model = init_model(cfg)
    with pytest.raises(CheckpointReadError, match=re.escape(path)):
        model.init_weights()


def test_cfg_options_with_an_unknown_top_level_key_are_refused():
    with pytest.raises(KeyError, match="did you mean 'randomness'"):
        init_model(CONFIG, cfg_options={'randomnes.seed': 1})
    model = init_model(CONFIG, cfg_options={'randomness.seed': 3,
                                            'model.detector.num_people': 2})
    assert model.cfg.randomness.seed == 3
    assert model.detector.num_people == 2
