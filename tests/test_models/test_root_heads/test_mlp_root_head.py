"""MLPRootHead: shapes, its loss on known offsets only, bad arguments."""
import pytest
import torch

from nsd_toolkit.models.root_heads import MLPRootHead


def test_predicts_one_offset_per_latent_and_learns_it():
    torch.manual_seed(0)
    head = MLPRootHead(in_channels=6, hidden_channels=(16, ), dropout=0.0)
    latent = torch.randn(8, 6)
    target = torch.rand(8, 2) - 0.5
    assert head(latent).shape == (8, 2)
    optimizer = torch.optim.Adam(head.parameters(), lr=1e-2)
    first = head.loss(head(latent), target).item()
    for _ in range(200):
        optimizer.zero_grad()
        head.loss(head(latent), target).backward()
        optimizer.step()
    assert head.loss(head(latent), target).item() < 0.01 * first


def test_loss_is_in_hundredths_of_the_window_and_skips_unknown_slots():
    head = MLPRootHead(in_channels=4, hidden_channels=(8, ))
    pred = torch.tensor([[0.1, 0.0], [0.5, 0.5]])
    target = torch.tensor([[0.0, 0.0], [float('nan'), float('nan')]])
    # one known slot, 0.1 window = 10 hundredths off in x, 0 in y
    assert head.loss(pred, target).item() == pytest.approx(100.0 / 2)


def test_rejects_wrong_latent_length_and_bad_dropout():
    head = MLPRootHead(in_channels=6, hidden_channels=(8, ))
    with pytest.raises(ValueError, match=r'MLPRootHead expects \[M, 6\]'):
        head(torch.randn(4, 7))
    with pytest.raises(ValueError, match='MLPRootHead: dropout'):
        MLPRootHead(in_channels=6, dropout=1.0)
