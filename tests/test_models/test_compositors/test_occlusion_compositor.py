import math

import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode

from nsd_toolkit.models.compositors import OcclusionCompositor
from nsd_toolkit.registry import MODELS


def run(masks, depths, layers=None, background=None, **kwargs):
    b, n, _, h, w = masks.shape
    gen = torch.Generator().manual_seed(0)
    layers = torch.randn(b, n, 3, h, w, generator=gen) \
        if layers is None else layers
    background = torch.randn(b, 3, h, w, generator=gen) \
        if background is None else background
    comp = OcclusionCompositor(**kwargs)
    return comp(layers, masks, depths, background), layers, background


def reference(layers, masks, depths, background, depth_scale=1.0):
    """The occlusion model written out person by person, pixel by pixel."""
    b, n, _, h, w = masks.shape
    image = torch.empty_like(background)
    vis = torch.empty_like(masks)
    for bi in range(b):
        for y in range(h):
            for x in range(w):
                c = [float(masks[bi, j, 0, y, x]) for j in range(n)]
                d = [float(depths[bi, j]) for j in range(n)]
                t = [math.exp(-sum(
                    c[i] * (math.erf((d[j] - d[i]) / depth_scale) + 1)
                    for i in range(n))) for j in range(n)]
                t_bg = math.exp(-2 * sum(c))
                r = [c[j] * t[j] for j in range(n)]
                norm = (1 - t_bg) / sum(r)
                pixel = t_bg * background[bi, :, y, x]
                for j in range(n):
                    vis[bi, j, 0, y, x] = r[j] * norm
                    pixel = pixel + r[j] * norm * layers[bi, j, :, y, x]
                image[bi, :, y, x] = pixel
    return image, vis


def test_builds_from_config():
    comp = MODELS.build(dict(type='OcclusionCompositor', depth_scale=0.5))
    assert isinstance(comp, OcclusionCompositor)
    assert comp.depth_scale == 0.5


@pytest.mark.parametrize('depth_scale', [1.0, 0.3])
def test_matches_per_pixel_reference(depth_scale):
    gen = torch.Generator().manual_seed(1)
    masks = torch.rand(2, 3, 1, 3, 4, generator=gen, dtype=torch.float64)
    depths = torch.randn(2, 3, generator=gen, dtype=torch.float64)
    out, layers, background = run(masks, depths, depth_scale=depth_scale)
    image, vis = reference(layers, masks, depths, background, depth_scale)
    assert torch.allclose(out['visibility'], vis, atol=1e-10)
    assert torch.allclose(out['image'], image.to(out['image']), atol=1e-6)


def test_visibilities_sum_to_one():
    gen = torch.Generator().manual_seed(2)
    masks = torch.rand(2, 4, 1, 8, 8, generator=gen)
    out, _, _ = run(masks, torch.randn(2, 4, generator=gen))
    assert out['visibility'].shape == (2, 4, 1, 8, 8)
    assert out['background_visibility'].shape == (2, 1, 8, 8)
    assert out['image'].shape == (2, 3, 8, 8)
    assert out['depth'].shape == (2, 1, 8, 8)
    total = out['visibility'].sum(1) + out['background_visibility']
    assert torch.allclose(total, torch.ones_like(total), atol=1e-6)
    assert out['visibility'].min() >= 0


def test_front_person_dominates():
    # Person 0 (depth 0) covers the left column, person 1 (depth 10) all.
    masks = torch.zeros(1, 2, 1, 1, 2)
    masks[0, 0, 0, 0, 0] = 1
    masks[0, 1] = 1
    depths = torch.tensor([[0., 10.]])
    out, layers, background = run(masks, depths)
    vis, bg = out['visibility'][0, :, 0, 0], out['background_visibility'][0, 0, 0]
    # Both opaque, erf(+-10) = +-1: T_front = e^-1, T_back = e^-3, T_bg = e^-4.
    front = (1 - math.exp(-4)) / (1 + math.exp(-2))
    back = front * math.exp(-2)
    assert vis[0, 0] == pytest.approx(front, abs=1e-6)
    assert vis[1, 0] == pytest.approx(back, abs=1e-6)
    assert bg[0] == pytest.approx(math.exp(-4), abs=1e-6)
    expected = front * layers[0, 0, :, 0, 0] + back * layers[0, 1, :, 0, 0] + \
        math.exp(-4) * background[0, :, 0, 0]
    assert torch.allclose(out['image'][0, :, 0, 0], expected, atol=1e-5)
    # Right column: the front person's zero mask hides nothing.
    assert vis[0, 1] == 0
    assert vis[1, 1] == pytest.approx(1 - math.exp(-2), abs=1e-6)
    # Swapping the depths swaps the roles.
    swapped, _, _ = run(masks, depths.flip(1))
    assert swapped['visibility'][0, 1, 0, 0, 0] == pytest.approx(front, abs=1e-6)
    # The depth map: visibility-weighted depths, background at max + 1.
    assert out['depth'][0, 0, 0, 0] == pytest.approx(
        back * 10 + math.exp(-4) * 11, abs=1e-5)


def test_depth_map_background_and_front():
    masks = torch.zeros(1, 2, 1, 1, 2)
    masks[0, :, 0, 0, 0] = 1
    depths = torch.tensor([[3., 40.]])
    out, _, _ = run(masks, depths, depth_scale=0.1)
    assert out['depth'][0, 0, 0, 1] == 41  # no one there: max depth + 1
    # Opaque front person: its depth plus the leak of the ones behind it.
    front = (1 - math.exp(-4)) / (1 + math.exp(-2))
    expected = 3 * front + 40 * front * math.exp(-2) + 41 * math.exp(-4)
    assert out['depth'][0, 0, 0, 0] == pytest.approx(expected, rel=1e-5)
    assert out['depth'][0, 0, 0, 0] < 40


def test_permutation_equivariance():
    gen = torch.Generator().manual_seed(3)
    masks = torch.rand(2, 4, 1, 5, 6, generator=gen)
    depths = torch.randn(2, 4, generator=gen)
    layers = torch.randn(2, 4, 3, 5, 6, generator=gen)
    background = torch.randn(2, 3, 5, 6, generator=gen)
    perm = torch.tensor([2, 0, 3, 1])
    out, _, _ = run(masks, depths, layers, background)
    permuted, _, _ = run(masks[:, perm], depths[:, perm], layers[:, perm],
                         background)
    assert torch.allclose(permuted['visibility'], out['visibility'][:, perm],
                          atol=1e-6)
    for key in ('image', 'background_visibility', 'depth'):
        assert torch.allclose(permuted[key], out[key], atol=1e-5), key


def test_single_person_visibility_grows_with_mask():
    m = torch.linspace(0, 1, 11).view(1, 1, 1, 1, 11)
    out, layers, background = run(m, torch.zeros(1, 1))
    vis = out['visibility'].flatten()
    assert torch.allclose(vis, 1 - torch.exp(-2 * m.flatten()), atol=1e-6)
    assert (vis.diff() > 0).all()
    assert vis[0] == 0
    assert torch.equal(out['image'][..., 0], background[..., 0])


def test_depth_scale_rescales_depths():
    gen = torch.Generator().manual_seed(4)
    masks = torch.rand(1, 3, 1, 4, 4, generator=gen)
    depths = torch.randn(1, 3, generator=gen)
    scaled, _, _ = run(masks, depths, depth_scale=2.5)
    plain, _, _ = run(masks, depths / 2.5)
    assert torch.allclose(scaled['visibility'], plain['visibility'], atol=1e-6)
    # A smaller scale orders a small gap more sharply.
    ones = torch.ones(1, 2, 1, 1, 1)
    gap = torch.tensor([[0., 0.2]])
    sharp, _, _ = run(ones, gap, depth_scale=0.05)
    soft, _, _ = run(ones, gap, depth_scale=5.0)
    assert sharp['visibility'][0, 0] > soft['visibility'][0, 0] + 0.1


@pytest.mark.parametrize('masks', ['zeros', 'ones', 'rand'])
@pytest.mark.parametrize('gap', [1e3, -1e3])
def test_extremes_are_finite(masks, gap):
    n = 8
    shape = (2, n, 1, 6, 6)
    masks = dict(zeros=torch.zeros, ones=torch.ones, rand=torch.rand)[masks](
        shape).requires_grad_()
    depths = (torch.arange(n, dtype=torch.float32) * gap).repeat(2, 1)
    depths.requires_grad_()
    out, _, background = run(masks, depths)
    for key, value in out.items():
        assert torch.isfinite(value).all(), key
    total = out['visibility'].sum(1) + out['background_visibility']
    assert torch.allclose(total, torch.ones_like(total), atol=1e-6)
    sum(value.sum() for value in out.values()).backward()
    assert torch.isfinite(masks.grad).all()
    assert torch.isfinite(depths.grad).all()
    if not masks.detach().any():
        assert torch.equal(out['image'], background)
        assert torch.equal(out['visibility'], torch.zeros(shape))


def test_gradients_finite_nonzero_and_correct():
    gen = torch.Generator().manual_seed(5)
    masks = (0.1 + 0.8 * torch.rand(1, 3, 1, 4, 4, generator=gen,
                                    dtype=torch.float64)).requires_grad_()
    depths = torch.randn(1, 3, generator=gen,
                         dtype=torch.float64).requires_grad_()
    layers = torch.randn(1, 3, 3, 4, 4, generator=gen, dtype=torch.float64)
    background = torch.randn(1, 3, 4, 4, generator=gen, dtype=torch.float64)
    comp = OcclusionCompositor()
    out = comp(layers, masks, depths, background)
    (out['image'] * torch.randn(out['image'].shape, generator=gen,
                                dtype=torch.float64)).sum().backward()
    for grad in (masks.grad, depths.grad):
        assert torch.isfinite(grad).all()
        assert (grad.abs() > 0).all()
    assert torch.autograd.gradcheck(
        lambda m, d: comp(layers, m, d, background)['image'], (masks, depths))


class LargestStorage(TorchDispatchMode):
    """Track the largest storage any aten op returns (forward and backward)."""

    def __init__(self):
        super().__init__()
        self.nbytes = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        results = out if isinstance(out, (tuple, list)) else (out, )
        for value in results:
            if isinstance(value, torch.Tensor):
                self.nbytes = max(self.nbytes,
                                  value.untyped_storage().nbytes())
        return out


def test_memory_linear_in_people():
    # N = 8 > C = 3: a [B, N, N, H, W] tensor would outgrow the layers.
    b, n, c, h, w = 1, 8, 3, 32, 32
    masks = torch.rand(b, n, 1, h, w).requires_grad_()
    depths = torch.randn(b, n).requires_grad_()
    layers = torch.randn(b, n, c, h, w).requires_grad_()
    background = torch.randn(b, c, h, w)
    with LargestStorage() as tracker:
        out = OcclusionCompositor()(layers, masks, depths, background)
        sum(value.sum() for value in out.values()).backward()
    assert tracker.nbytes <= layers.numel() * layers.element_size()


def test_needs_depths():
    with pytest.raises(ValueError, match='needs depths'):
        run(torch.rand(1, 2, 1, 4, 4), None)


@pytest.mark.parametrize('name, shape', [
    ('masks', (1, 2, 3, 4, 4)),
    ('depths', (1, 3)),
    ('background', (1, 3, 4, 5)),
    ('layers', (2, 3, 4, 4)),
])
def test_shape_mismatch_names_argument(name, shape):
    args = dict(layers=torch.rand(1, 2, 3, 4, 4), masks=torch.rand(1, 2, 1, 4, 4),
                depths=torch.rand(1, 2), background=torch.rand(1, 3, 4, 4))
    args[name] = torch.rand(shape)
    with pytest.raises(ValueError, match=name) as info:
        OcclusionCompositor()(**args)
    assert str(tuple(shape)) in str(info.value)


@pytest.mark.parametrize('value', [0, -1.0, float('nan'), float('inf'), '1',
                                   True])
def test_rejects_bad_depth_scale(value):
    with pytest.raises(ValueError, match='depth_scale'):
        OcclusionCompositor(depth_scale=value)
