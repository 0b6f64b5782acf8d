import torch

from nsd_toolkit.models.utils import ConvFCHead


def test_conv_fc_head_shape():
    head = ConvFCHead(32, 7, channels=(16, 8), pool_size=2)
    assert head(torch.randn(3, 32, 9, 9)).shape == (3, 7)
