"""A tiny two-person capture, a tiny pose model and perfect predictions for
the motion-capture tests (inference, tools/mocap.py, benchmark_mocap.py)."""
import os.path as osp

import torch
from mmengine import Config
from nsd_test_utils import tiny_nsd_cfg

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
POSE_CONFIG = osp.join(REPO, 'configs', 'pose', 'nsd_synthetic_2p_pose.py')
NUM_FRAMES, NUM_VIEWS = 6, 4


def make_capture(root):
    """2 people, 4 views, 6 frames at 64x48 in ``root/seq_000``."""
    from nsd_toolkit.synthetic import generate_synthetic_dataset
    generate_synthetic_dataset(str(root), num_people=2, num_views=NUM_VIEWS,
                               num_frames=NUM_FRAMES, size=(64, 48), seed=3,
                               progress=False)
    return str(root)


def tiny_pose_config(data_root):
    """The two-person pose config with a tiny untrained model on
    ``data_root``."""
    cfg = Config.fromfile(POSE_CONFIG)
    cfg.model = dict(type='NSDPoseEstimator', nsd=tiny_nsd_cfg(2),
                     pose_head=dict(type='MLPPoseHead',
                                    hidden_channels=(8, )))
    cfg.test_dataloader.update(batch_size=2, num_workers=0,
                               persistent_workers=False)
    cfg.test_dataloader.dataset.data_root = data_root
    return cfg


def write_tiny_pose_model(folder, data_root):
    """``(config file, checkpoint)`` of :func:`tiny_pose_config`."""
    from nsd_toolkit.apis import init_model
    cfg = tiny_pose_config(data_root)
    config = osp.join(str(folder), 'tiny_pose.py')
    cfg.dump(config)
    checkpoint = osp.join(str(folder), 'tiny_pose.pth')
    torch.save(dict(state_dict=init_model(cfg).state_dict(), meta={}),
               checkpoint)
    return config, checkpoint


def perfect_predict(inputs, data_samples):
    """Predictions from the ground truth: per view one slot per person with
    its root-relative camera-frame pose, a box centred on its root's pixel
    and around its joints, and a one-hot appearance of its identity."""
    for sample in data_samples:
        joints = sample.gt_joints_cam.double()  # [V, G, 17, 3]
        pixels = sample.gt_keypoints_2d.double()  # [V, G, 17, 2]
        root = pixels[:, :, :1]
        half = (pixels - root).abs().amax(2) + 1.0  # [V, G, 2]
        centre = root[:, :, 0] + 0.5  # pixel-edge coordinates
        views, people = joints.shape[:2]
        sample.pred_bboxes = torch.cat([centre - half, centre + half], -1)
        sample.pred_joints_3d = joints - joints[:, :, :1]
        sample.pred_depths = joints[:, :, 0, 2]
        sample.pred_appearance = torch.eye(8)[:people].expand(views, -1, -1)
    return data_samples
