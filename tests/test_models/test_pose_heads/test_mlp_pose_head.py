"""MLPPoseHead: shapes, root-relative output, output scale, bad arguments."""
import pytest
import torch

from nsd_toolkit.models.pose_heads import MLPPoseHead


def test_poses_are_root_relative_and_scaled():
    torch.manual_seed(0)
    head = MLPPoseHead(in_channels=12, num_joints=5, hidden_channels=(16, 8),
                       output_scale=1.0, root_index=2).eval()
    latent = torch.randn(6, 12)
    pose = head(latent)
    assert pose.shape == (6, 5, 3)
    assert torch.equal(pose[:, 2], torch.zeros(6, 3))
    assert pose.abs().sum() > 0
    head.output_scale = 1000.0
    torch.testing.assert_close(head(latent), pose * 1000.0)


def test_gradients_reach_every_layer():
    head = MLPPoseHead(in_channels=6, num_joints=3, hidden_channels=(8, 8))
    head(torch.randn(4, 6)).square().sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0
               for p in head.parameters())


def test_rejects_wrong_latent_length():
    head = MLPPoseHead(in_channels=6, num_joints=3, hidden_channels=(8, ))
    with pytest.raises(ValueError, match=r'\[M, 6\]'):
        head(torch.randn(4, 7))


@pytest.mark.parametrize('kwargs', [
    dict(root_index=3), dict(output_scale=0.0), dict(dropout=1.0)])
def test_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError, match='MLPPoseHead'):
        MLPPoseHead(in_channels=6, num_joints=3, **kwargs)
