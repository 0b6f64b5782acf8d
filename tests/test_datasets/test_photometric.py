import numpy as np
import pytest

from nsd_toolkit.datasets.transforms import (RandomHueRotation,
                                             hue_rotation_matrix)


def test_a_third_turn_maps_red_to_green_and_keeps_grey():
    matrix = hue_rotation_matrix(120.0)
    np.testing.assert_allclose(matrix @ [255, 0, 0], [0, 255, 0], atol=1e-3)
    np.testing.assert_allclose(matrix @ [0, 255, 0], [0, 0, 255], atol=1e-3)
    np.testing.assert_allclose(matrix @ [70, 70, 70], [70, 70, 70], atol=1e-3)
    np.testing.assert_allclose(hue_rotation_matrix(-120.0) @ matrix,
                               np.eye(3), atol=1e-6)


def item(rng, views=2):
    img = rng.integers(0, 256, (views, 6, 5, 3), dtype=np.uint8)
    return dict(img=img, background=img.copy())


def test_views_and_backgrounds_turn_by_one_angle():
    np.random.seed(0)
    rng = np.random.default_rng(0)
    results = item(rng, views=3)
    original = results['img'].copy()
    out = RandomHueRotation(max_degrees=180.0)(results)
    assert out['img'].dtype == np.uint8
    assert out['img'].shape == original.shape
    assert not np.array_equal(out['img'], original)
    # the same angle for every view and for the backgrounds
    np.testing.assert_array_equal(out['img'], out['background'])
    # one rotation: the sum of the channels is kept (up to rounding, clipping)
    inside = (out['img'] > 0).all(-1) & (out['img'] < 255).all(-1)
    sums = (out['img'].astype(int).sum(-1) - original.astype(int).sum(-1))
    assert np.abs(sums[inside]).max() <= 2


def test_inputs_are_not_written_to():
    np.random.seed(1)
    background = np.full((1, 4, 4, 3), (200, 30, 30), np.uint8)
    background.setflags(write=False)  # as a cached background would be
    results = dict(img=[background[0].copy()], background=background)
    out = RandomHueRotation(max_degrees=90.0)(results)
    assert isinstance(out['img'], list)
    assert (background == (200, 30, 30)).all()
    assert not np.array_equal(out['background'], background)


def test_prob_zero_leaves_the_item_as_it_is():
    results = item(np.random.default_rng(2))
    original = results['img'].copy()
    out = RandomHueRotation(prob=0.0)(results)
    np.testing.assert_array_equal(out['img'], original)


@pytest.mark.parametrize('kwargs, name', [(dict(max_degrees=0), 'max_degrees'),
                                          (dict(max_degrees=200),
                                           'max_degrees'),
                                          (dict(prob=1.5), 'prob')])
def test_bad_arguments_are_named(kwargs, name):
    with pytest.raises(ValueError, match=name):
        RandomHueRotation(**kwargs)
