"""Cross-view slot matching by appearance (soft in training, Hungarian at eval)."""
import pytest
import torch
from mmengine.registry import init_default_scope
from nsd_test_utils import tiny_nsd_cfg

from nsd_toolkit.models.associators import AppearanceAssociator
from nsd_toolkit.registry import MODELS


def permuted_pair(batch=3, num=5, dim=20, seed=0):
    """Source appearances and a target made of the same slots, permuted.

    Returns app_src, app_tgt [B, N, D] and perm [B, N] with
    ``app_tgt[b, j] = app_src[b, perm[b, j]]``.
    """
    gen = torch.Generator().manual_seed(seed)
    app_src = torch.randn(batch, num, dim, generator=gen)
    perm = torch.stack([torch.randperm(num, generator=gen) for _ in range(batch)])
    app_tgt = torch.gather(app_src, 1, perm[..., None].expand(-1, -1, dim))
    return app_src, app_tgt, perm


def test_eval_returns_the_permutation_matrix():
    app_src, app_tgt, perm = permuted_pair()
    assoc = AppearanceAssociator(num_channels=16).eval()
    assignment = assoc(app_src, app_tgt)
    expected = torch.zeros(3, 5, 5)
    expected.scatter_(2, perm[..., None], 1.0)
    assert torch.equal(assignment, expected)
    # A[b, j, i] selects source slot i for target slot j (BaseAssociator)
    torch.testing.assert_close(
        torch.einsum('bji,bia->bja', assignment, app_src), app_tgt)


def test_train_is_a_soft_row_stochastic_matching():
    app_src, app_tgt, perm = permuted_pair()
    assignment = AppearanceAssociator().train()(app_src, app_tgt)
    assert assignment.shape == (3, 5, 5)
    assert torch.all(assignment > 0) and torch.all(assignment < 1)
    torch.testing.assert_close(assignment.sum(-1), torch.ones(3, 5))
    assert torch.equal(assignment.argmax(-1), perm)


def test_eval_is_a_permutation_where_argmax_is_not():
    """Two target slots prefer source slot 0: Hungarian still uses each once."""
    app_src = torch.tensor([[[1.0, 0.0], [0.0, 1.0]]])
    app_tgt = torch.tensor([[[1.0, 0.1], [1.0, 0.9]]])
    assoc = AppearanceAssociator(num_channels=2).eval()
    assert torch.equal(assoc.similarity(app_src, app_tgt).argmax(-1),
                       torch.tensor([[0, 0]]))
    assert torch.equal(assoc(app_src, app_tgt), torch.eye(2)[None])
    soft = AppearanceAssociator(num_channels=2, hard_at_eval=False).eval()
    assert torch.equal(soft(app_src, app_tgt).argmax(-1), torch.tensor([[0, 0]]))


@pytest.mark.parametrize('training', [True, False])
def test_only_the_first_k_channels_matter(training):
    app_src, app_tgt, _ = permuted_pair(dim=24)
    assoc = AppearanceAssociator(num_channels=16).train(training)
    gen = torch.Generator().manual_seed(1)
    src2, tgt2 = app_src.clone(), app_tgt.clone()
    src2[..., 16:] = torch.randn(src2[..., 16:].shape, generator=gen)
    tgt2[..., 16:] = torch.randn(tgt2[..., 16:].shape, generator=gen)
    torch.testing.assert_close(assoc(app_src, app_tgt), assoc(src2, tgt2))
    src2[..., 15] += 1.0  # a compared channel changes the similarity
    assert not torch.allclose(assoc.similarity(app_src, app_tgt),
                              assoc.similarity(src2, tgt2))


def test_beta_sharpens_the_softmax():
    app_src, app_tgt, _ = permuted_pair()
    soft = AppearanceAssociator(beta=2.0).train()(app_src, app_tgt)
    sharp = AppearanceAssociator(beta=50.0).train()(app_src, app_tgt)
    assert torch.all(sharp.amax(-1) > soft.amax(-1))


def test_gradients_flow_in_training():
    app_src, app_tgt, _ = permuted_pair()
    app_src.requires_grad_(True)
    app_tgt.requires_grad_(True)
    weights = torch.randn(3, 5, 5, generator=torch.Generator().manual_seed(2))
    (AppearanceAssociator().train()(app_src, app_tgt) * weights).sum().backward()
    for grad in (app_src.grad, app_tgt.grad):
        assert grad[..., :16].abs().sum() > 0
        assert torch.all(grad[..., 16:] == 0)


@pytest.mark.parametrize('training', [True, False])
def test_single_slot_gives_identity(training):
    assoc = AppearanceAssociator(num_channels=4).train(training)
    out = assoc(torch.randn(2, 1, 8), torch.randn(2, 1, 8))
    assert torch.equal(out, torch.ones(2, 1, 1))


def test_zero_appearance_stays_finite():
    assoc = AppearanceAssociator(num_channels=4).train()
    out = assoc(torch.zeros(1, 3, 8), torch.randn(1, 3, 8))
    assert torch.all(torch.isfinite(out))
    torch.testing.assert_close(out.sum(-1), torch.ones(1, 3))


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match='num_channels=16 exceeds .* D=8'):
        AppearanceAssociator()(torch.randn(1, 2, 8), torch.randn(1, 2, 8))
    with pytest.raises(ValueError, match='num_channels must be >= 1'):
        AppearanceAssociator(num_channels=0)
    with pytest.raises(ValueError, match='beta must be > 0'):
        AppearanceAssociator(beta=0)
    with pytest.raises(ValueError, match=r'\[B, N, D\]'):
        AppearanceAssociator(num_channels=2)(torch.randn(1, 2, 8),
                                             torch.randn(1, 3, 8))


def test_builds_from_config():
    init_default_scope('nsd_toolkit')
    assoc = MODELS.build(dict(type='AppearanceAssociator', num_channels=8,
                              beta=2.0, hard_at_eval=False))
    assert isinstance(assoc, AppearanceAssociator)
    assert (assoc.num_channels, assoc.beta, assoc.hard_at_eval) == (8, 2.0, False)


def test_two_person_nsd_trains_and_runs_at_eval():
    """One loss step of a tiny 2-person NSD that matches slots by appearance."""
    init_default_scope('nsd_toolkit')
    model = MODELS.build(tiny_nsd_cfg(
        2, perceptual_loss=None,
        associator=dict(type='AppearanceAssociator', num_channels=4)))
    gen = torch.Generator().manual_seed(0)
    inputs = dict(
        img=torch.randn(2, 2, 3, 24, 32, generator=gen),
        background=torch.randn(2, 2, 3, 24, 32, generator=gen),
        R=torch.linalg.qr(torch.randn(2, 2, 3, 3, generator=gen))[0])
    model.train()
    losses = model(inputs, mode='loss')
    total = sum(losses.values())
    assert all(torch.isfinite(v) for v in losses.values())
    total.backward()
    grads = [p.grad for p in model.encoder.parameters() if p.grad is not None]
    assert grads and all(torch.all(torch.isfinite(g)) for g in grads)
    model.eval()  # hard (Hungarian) matching inside the forward pass
    with torch.no_grad():
        out = model(inputs, mode='tensor')
    assert out['image'].shape == (4, 3, 24, 32)
    assert torch.all(torch.isfinite(out['image']))
