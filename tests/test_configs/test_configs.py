"""Every experiment config builds, and trains one iteration on tiny synthetic data."""
import argparse
import glob
import json
import os.path as osp
import shutil

import cv2
import pytest
from mmengine import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from nsd_test_utils import strip_pretrained, tiny_run_config, train_runner

from nsd_toolkit.registry import MODELS
from nsd_toolkit.utils.cli import add_common_arguments, apply_common_args

CONFIG_DIR = osp.join(osp.dirname(__file__), '..', '..', 'configs')
CONFIGS = sorted(
    glob.glob(osp.join(CONFIG_DIR, '*.py')) +
    glob.glob(osp.join(CONFIG_DIR, 'ablations', '*.py')))
POSE_CONFIGS = sorted(glob.glob(osp.join(CONFIG_DIR, 'pose', '*.py')))
PAPER_CONFIGS = [
    osp.join(CONFIG_DIR, name)
    for name in ('nsd_boxing_2p.py', 'nsd_h36m_1p.py', 'nsd_panoptic_3p.py',
                 'pose/nsd_h36m_1p_pose.py')
]


def test_configs_found():
    names = [osp.basename(p) for p in CONFIGS]
    assert {'nsd_synthetic_1p.py', 'nsd_synthetic_2p.py',
            'nsd_synthetic_2p_no_depth.py'} <= set(names)
    assert {'nsd_synthetic_1p_pose.py', 'nsd_h36m_1p_pose.py'} <= {
        osp.basename(p) for p in POSE_CONFIGS}


@pytest.mark.parametrize('path', CONFIGS + POSE_CONFIGS)
def test_training_reads_labels_only_for_models_that_learn_from_them(path):
    # self-supervised NSD never reads a label in training (decoding the masks
    # would only cost time); the pose head learns from the 3D joints
    cfg = Config.fromfile(path)
    learns_from_labels = cfg.model.type == 'NSDPoseEstimator'
    assert cfg.train_dataloader.dataset.with_labels is learns_from_labels
    for split in ('val', 'test'):
        assert cfg[f'{split}_dataloader'].dataset.get('with_labels', True)


@pytest.fixture(scope='module')
def boxing_root_2p(synthetic_root_2p, tmp_path_factory):
    """The tiny 2-person dataset exported to the research code's boxing layout."""
    from nsd_toolkit.datasets.converters import export_boxing
    root = tmp_path_factory.mktemp('boxing') / 'data'
    export_boxing(synthetic_root_2p, str(root), progress=False)
    return str(root)


# formats without a tiny generated copy: their readers are tested on the real
# fixtures (tests/test_datasets); here the model and pipeline train on synthetic data
READER_ONLY_KEYS = ('ann_file', 'camera_file', 'img_dir', 'subjects', 'cameras',
                    'min_confidence', 'split')


def tiny_data_root(cfg, roots):
    """The tiny dataset in the config's format, with as many people as slots."""
    dataset_type = cfg.train_dataloader.dataset.type
    if (dataset_type, 1) not in roots and (dataset_type, 2) not in roots:
        for split in ('train', 'val', 'test'):
            dataset = cfg[f'{split}_dataloader'].dataset
            for key in READER_ONLY_KEYS:
                dataset.pop(key, None)
            dataset.type = dataset_type = 'MultiViewDataset'
    nsd = cfg.model.get('nsd', cfg.model)  # pose estimators wrap an NSD
    num_people = min(nsd.detector.get('num_people', 1), 2)
    if (dataset_type, num_people) not in roots:
        num_people = 2
    return roots[(dataset_type, num_people)]


@pytest.mark.parametrize('path', CONFIGS + POSE_CONFIGS, ids=osp.basename)
def test_config_builds_with_exposed_data_root(path):
    cfg = Config.fromfile(path)
    for split in ('train', 'val', 'test'):
        assert 'data_root' in cfg[f'{split}_dataloader']['dataset']
    assert cfg.train_cfg.type == 'IterBasedTrainLoop'
    assert cfg.default_scope == 'nsd_toolkit'
    init_default_scope('nsd_toolkit')
    strip_pretrained(cfg.model)
    model = MODELS.build(cfg.model)
    assert sum(p.numel() for p in model.parameters()) > 0


@pytest.mark.parametrize('final_stage', [False, True],
                         ids=['first_stage', 'final_stage'])
@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_trains_one_iteration(path, final_stage, synthetic_root,
                                     synthetic_root_2p, boxing_root_2p,
                                     tmp_path):
    cfg = tiny_run_config(path, None, tmp_path / 'work', final_stage)
    data_root = tiny_data_root(
        cfg, {
            ('MultiViewDataset', 1): synthetic_root,
            ('MultiViewDataset', 2): synthetic_root_2p,
            ('BoxingDataset', 2): boxing_root_2p
        })
    for split in ('train', 'val', 'test'):
        cfg[f'{split}_dataloader'].dataset.data_root = data_root
    if final_stage and not cfg.model.get('stages'):
        pytest.skip('single-stage config')
    runner, changed = train_runner(cfg)
    assert any(k.startswith('detector.') for k in changed)
    assert any(k.startswith('decoder.') for k in changed)
    assert osp.isfile(tmp_path / 'work' / 'iter_1.pth')
    panels = tmp_path / 'work' / 'panels'
    assert osp.isfile(panels / 'train' / 'iter_0000001.png')
    assert osp.isfile(panels / 'val' / 'iter_0000001_batch_0.png')
    metrics = runner.message_hub.get_scalar('val/decomposition/detection_rate')
    assert 0.0 <= metrics.current() <= 1.0
    # validation metrics are logged against the iteration, for plot_metrics.py
    scalars = glob.glob(str(tmp_path / 'work' / '*' / 'vis_data' / 'scalars.json'))
    with open(scalars[0]) as f:
        records = [json.loads(line) for line in f]
    steps = [r['step'] for r in records if 'decomposition/mask_iou' in r]
    assert steps == [1]
    if final_stage:
        applied = [record['name'] for record in runner.model.applied_stages]
        assert applied == list(cfg.model.stages)
    if runner.model.detector.num_people > 1:
        assert runner.message_hub.get_scalar(
            'val/decomposition/depth_order_accuracy') is not None


@pytest.fixture(scope='module')
def unlabelled_roots(synthetic_root, synthetic_root_2p, tmp_path_factory):
    """The tiny datasets without poses3d.npy and masks: frames and
    calibration only, as a new capture."""
    roots = {}
    for num_people, root in ((1, synthetic_root), (2, synthetic_root_2p)):
        copy = tmp_path_factory.mktemp(f'unlabelled_{num_people}p') / 'data'
        shutil.copytree(root, copy,
                        ignore=shutil.ignore_patterns('poses3d.npy', 'masks'))
        roots[('MultiViewDataset', num_people)] = str(copy)
    return roots


# one per dataset base config (the others change the model, not validation)
UNLABELLED_CONFIGS = [
    osp.join(CONFIG_DIR, name)
    for name in ('nsd_synthetic_1p.py', 'nsd_synthetic_2p.py',
                 'nsd_h36m_1p.py', 'nsd_panoptic_3p.py')
]


@pytest.mark.parametrize('path', UNLABELLED_CONFIGS, ids=osp.basename)
def test_config_trains_and_validates_on_unlabelled_frames(
        path, unlabelled_roots, tmp_path):
    cfg = tiny_run_config(path, None, tmp_path / 'work')
    data_root = tiny_data_root(cfg, unlabelled_roots)
    for split in ('train', 'val', 'test'):
        cfg[f'{split}_dataloader'].dataset.data_root = data_root
    runner = Runner.from_cfg(cfg)
    runner.train()
    hub = runner.message_hub
    assert hub.get_scalar('val/novel_view/psnr').current() > 0
    assert 0 < hub.get_scalar('val/decomposition/box_area').current() < 1
    assert hub.get_scalar('val/novel_view/ssim_margin') is not None
    assert 'val/decomposition/detection_rate' not in hub.log_scalars
    assert osp.isfile(tmp_path / 'work' / 'iter_1.pth')


def test_unlabelled_video_capture_trains_and_validates(
        unlabelled_roots, tmp_path):
    """Every camera a lossless video (ROOT/<seq>/<cam>.mp4), no labels."""
    from nsd_toolkit.datasets.video import write_video
    root = tmp_path / 'capture'
    shutil.copytree(unlabelled_roots[('MultiViewDataset', 1)], root)
    for camera in sorted(root.glob('seq_*/cam_*')):
        frames = [cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
                  for path in sorted(camera.glob('*.jpg'))]
        write_video(str(camera) + '.mp4', frames)
        shutil.rmtree(camera)
    cfg = tiny_run_config(osp.join(CONFIG_DIR, 'nsd_synthetic_1p.py'),
                          str(root), tmp_path / 'work')
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.message_hub.get_scalar(
        'val/novel_view/psnr_margin') is not None
    assert osp.isfile(tmp_path / 'work' / 'iter_1.pth')


@pytest.mark.parametrize('path', POSE_CONFIGS, ids=osp.basename)
def test_pose_config_trains_what_it_leaves_unfrozen_and_reports_mpjpe(
        path, synthetic_root, synthetic_root_2p, tmp_path):
    cfg = tiny_run_config(path, None, tmp_path / 'work')
    cfg.custom_hooks = Config.fromfile(path).custom_hooks  # the config's own
    cfg.model.nsd_checkpoint = None
    normalize = cfg.model.pose_head.get('normalize', False)
    data_root = tiny_data_root(cfg, {
        ('MultiViewDataset', 1): synthetic_root,
        ('MultiViewDataset', 2): synthetic_root_2p
    })
    for split in ('train', 'val', 'test'):
        cfg[f'{split}_dataloader'].dataset.data_root = data_root
        cfg[f'{split}_dataloader'].dataset.frame_interval = 5
    runner, changed = train_runner(cfg)
    assert any(k.startswith('pose_head.') for k in changed)
    frozen = runner.model.frozen_components
    assert not any(
        k.startswith(tuple(f'nsd.{name}.' for name in frozen))
        for k in changed)
    if 'encoder' not in frozen:  # the baselines train E with the labels
        assert any(k.startswith('nsd.encoder.') for k in changed)
    if normalize:  # the labelled poses' statistics reached the head
        assert runner.model.pose_head.pose_std.max() > 10.0
    mpjpe = runner.message_hub.get_scalar('val/pose/mpjpe_mm').current()
    assert 0.0 < mpjpe < 5000.0
    assert osp.isfile(tmp_path / 'work' / 'iter_1.pth')
    assert osp.isfile(tmp_path / 'work' / 'panels' / 'val' /
                      'iter_0000001_batch_0.png')


def cli_config(path, *cfg_options):
    """The config as tools/train.py sees it after ``--cfg-options``."""
    parser = argparse.ArgumentParser()
    parser.add_argument('config')
    parser.add_argument('--work-dir')
    add_common_arguments(parser, ['none'])
    args = parser.parse_args(
        [path] + (['--cfg-options', *cfg_options] if cfg_options else []))
    return apply_common_args(Config.fromfile(path), args, parser)


@pytest.mark.parametrize('path', PAPER_CONFIGS, ids=osp.basename)
def test_imagenet_switch_gives_the_papers_init_and_frozen_encoder(path):
    nsd = cli_config(path).model
    nsd = nsd.get('nsd', nsd)
    assert nsd.encoder.backbone.get('init_cfg') is None  # off: no fetch
    assert nsd.encoder.backbone.get('frozen_stages', -1) == -1
    cfg = cli_config(path, 'imagenet_pretrained=True')
    nsd = cfg.model.get('nsd', cfg.model)
    init = {
        name: nsd[name].backbone.init_cfg.checkpoint
        for name in ('detector', 'encoder', 'perceptual_loss')
    }
    assert init == dict(detector='torchvision://resnet18',
                        encoder='torchvision://resnet50',
                        perceptual_loss='torchvision://resnet18')
    assert nsd.encoder.backbone.type == 'ResNetTrunk'  # the rest kept
    init_default_scope('nsd_toolkit')
    model = MODELS.build(cfg.model)  # building loads no weights
    trunk = getattr(model, 'nsd', model).encoder.backbone
    assert trunk.frozen_stages == 2  # conv1 .. layer2, as the authors' code
    if 'pose' in path:  # NSD frozen whole; P learns at the paper's 1e-4
        assert cfg.optim_wrapper.optimizer.lr == 1e-4
    else:
        trainable = {
            name.split('.')[0]
            for name, p in trunk.named_parameters() if p.requires_grad
        }
        assert trainable == {'layer3'}


def test_pose_config_checkpoints_hold_the_averaged_weights(
        synthetic_root_2p, tmp_path):
    """The two-person pose config's EMAHook: validation and checkpoints get
    the moving average, which the toolkit's safe loader reads back."""
    import torch

    from nsd_toolkit.apis import init_model
    path = osp.join(CONFIG_DIR, 'pose', 'nsd_synthetic_2p_pose.py')
    cfg = tiny_run_config(path, synthetic_root_2p, tmp_path / 'work')
    cfg.custom_hooks = [
        hook for hook in Config.fromfile(path).custom_hooks
        if hook.type in ('PoseStatisticsHook', 'EMAHook')
    ]
    assert [hook.type for hook in cfg.custom_hooks][-1] == 'EMAHook'
    cfg.model.nsd_checkpoint = None
    cfg.train_cfg.update(max_iters=3, val_interval=3)
    cfg.default_hooks.checkpoint.interval = 3
    for split in ('train', 'val', 'test'):
        cfg[f'{split}_dataloader'].dataset.frame_interval = 5
    runner, _ = train_runner(cfg)
    ema = next(hook for hook in runner.hooks
               if type(hook).__name__ == 'EMAHook').ema_model.module
    model = init_model(cfg, str(tmp_path / 'work' / 'iter_3.pth'))
    for head in ('pose_head', 'root_head'):
        averaged = dict(getattr(ema, head).named_parameters())
        raw = dict(getattr(runner.model, head).named_parameters())
        for name, value in getattr(model, head).named_parameters():
            assert torch.equal(value, averaged[name]), f'{head}.{name}'
        assert not all(
            torch.equal(averaged[name], raw[name]) for name in raw), head
