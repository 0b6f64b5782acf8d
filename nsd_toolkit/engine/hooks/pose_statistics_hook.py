"""Hook giving a normalising pose head the statistics of the labelled poses."""
import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from tqdm import tqdm

from nsd_toolkit.registry import HOOKS


@HOOKS.register_module()
class PoseStatisticsHook(Hook):
    """Before training, set the pose head's per-joint mean and std from the
    training split's labels (``MLPPoseHead(normalize=True)``).

    Every labelled person of every view of the training dataset counts, root-
    relative in the view's camera frame (as P predicts). The statistics are
    buffers of the head, so checkpoints, ``--resume`` and testing keep them;
    the hook does nothing for heads without ``normalize``.
    """

    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        head = model.pose_head
        if not getattr(head, 'normalize', False):
            return
        dataset = runner.train_dataloader.dataset
        poses = []
        for index in tqdm(range(len(dataset)), desc='pose statistics'):
            sample = dataset[index]['data_samples']
            if 'gt_joints_cam' not in sample:
                continue
            joints = sample.gt_joints_cam.flatten(0, 1)
            root = head.root_index
            poses.append(joints - joints[:, root:root + 1])
        if not poses:
            raise ValueError('PoseStatisticsHook: the training split has no '
                             '3D labels (gt_joints_cam)')
        head.set_pose_statistics(
            torch.cat(poses).to(head.pose_mean.device, torch.float32))
        runner.logger.info(
            f'PoseStatisticsHook: pose mean and std of {sum(map(len, poses))} '
            'labelled people set')
