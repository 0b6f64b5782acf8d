"""Background-subtraction box proposals."""
import numpy as np
import pytest

from nsd_toolkit.datasets.transforms import BackgroundProposals, foreground_boxes


def scene(height=40, width=60):
    background = np.full((height, width, 3), 100, np.uint8)
    img = background.copy()
    img[5:25, 10:20] = (200, 100, 100)  # large blob: 20 x 10
    img[30:36, 40:46] = (100, 100, 10)  # small blob: 6 x 6
    img[2, 50] = 255  # one noisy pixel, removed by the opening
    return img, background


def test_boxes_of_the_largest_blobs_first():
    img, background = scene()
    boxes = foreground_boxes(img, background, threshold=30, min_area=0.0,
                             max_boxes=3)
    np.testing.assert_array_equal(boxes[0], [10, 5, 20, 25])
    np.testing.assert_array_equal(boxes[1], [40, 30, 46, 36])
    assert np.isnan(boxes[2]).all()


def test_small_blobs_and_weak_differences_are_ignored():
    img, background = scene()
    boxes = foreground_boxes(img, background, threshold=30, min_area=0.02,
                             max_boxes=2)  # 0.02 * 2400 = 48 > 36 pixels
    assert np.isfinite(boxes[0]).all() and np.isnan(boxes[1]).all()
    faint = foreground_boxes(img, background, threshold=120, min_area=0.0,
                             max_boxes=2)
    assert np.isnan(faint).all()


@pytest.mark.parametrize('channel', [0, 1, 2])
def test_a_difference_in_any_one_channel_is_foreground(channel):
    background = np.full((20, 30, 3), 100, np.uint8)
    img = background.copy()
    img[4:12, 6:16, channel] = 160  # the other two channels unchanged
    boxes = foreground_boxes(img, background, threshold=59, min_area=0.0,
                             max_boxes=1)
    np.testing.assert_array_equal(boxes[0], [6, 4, 16, 12])
    just_below = foreground_boxes(img, background, threshold=60,
                                  min_area=0.0, max_boxes=1)
    assert np.isnan(just_below).all()


def test_transform_adds_proposals_per_view():
    img, background = scene()
    results = dict(img=np.stack([img, background]),
                   background=np.stack([background, background]))
    out = BackgroundProposals(threshold=30, min_area=0.0,
                              max_proposals=2)(results)
    assert out['proposals'].shape == (2, 2, 4)
    assert np.isfinite(out['proposals'][0]).all()
    assert np.isnan(out['proposals'][1]).all()
    with pytest.raises(ValueError, match='threshold'):
        BackgroundProposals(threshold=300)


def test_cached_proposals_follow_the_pixels(monkeypatch):
    from nsd_toolkit.datasets.transforms import proposals
    img, background = scene()
    computed = []
    real = proposals.foreground_boxes
    monkeypatch.setattr(
        proposals, 'foreground_boxes',
        lambda *a: computed.append(1) or real(*a))
    transform = BackgroundProposals(threshold=30, min_area=0.0,
                                    max_proposals=2)
    results = dict(img=img[None].copy(), background=background[None])
    first = transform(dict(results))['proposals']
    again = transform(dict(results))['proposals']
    np.testing.assert_array_equal(first, again)
    assert len(computed) == 1
    # other pixels are another key: a blob moved by 5 px moves its box
    moved = np.roll(img, 5, axis=1)
    shifted = transform(dict(results, img=moved[None]))['proposals']
    assert len(computed) == 2
    np.testing.assert_array_equal(shifted[0, 0], first[0, 0] + [5, 0, 5, 0])
    uncached = BackgroundProposals(threshold=30, min_area=0.0,
                                   max_proposals=2, cache_size=0)
    uncached(dict(results))
    uncached(dict(results))
    assert len(computed) == 4
    with pytest.raises(ValueError, match='cache_size must be an integer'):
        BackgroundProposals(cache_size=-1)
