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


def test_normalised_head_predicts_mean_plus_std_times_its_output():
    head = MLPPoseHead(in_channels=6, num_joints=3, hidden_channels=(4, ),
                       dropout=0.0, normalize=True)
    poses = torch.tensor([[[0., 0., 0.], [100., 0., 0.], [0., 300., 0.]],
                          [[0., 0., 0.], [300., 0., 0.], [0., 100., 0.]]])
    head.set_pose_statistics(poses)
    torch.testing.assert_close(head.pose_mean[1], torch.tensor([200., 0, 0]))
    torch.testing.assert_close(head.pose_std[1], torch.tensor([100., 1, 1]))
    last = head.layers[-1]
    torch.nn.init.zeros_(last.weight)
    torch.nn.init.zeros_(last.bias)
    head.eval()
    out = head(torch.randn(5, 6))
    torch.testing.assert_close(out, head.pose_mean.expand(5, -1, -1))
    with torch.no_grad():
        last.bias.view(3, 3)[1, 0] = 0.5  # half a std on joint 1's x
    assert head(torch.randn(1, 6))[0, 1, 0].item() == pytest.approx(250.0)
    assert 'pose_mean' in head.state_dict()
    with pytest.raises(ValueError, match=r'poses must be \[K, 3, 3\]'):
        head.set_pose_statistics(torch.zeros(2, 4, 3))
    with pytest.raises(RuntimeError, match='needs normalize=True'):
        MLPPoseHead(in_channels=6, num_joints=3).set_pose_statistics(poses)
