"""Body size from the frames: foreground masks and the size ratios of
slots, by hand."""
import numpy as np
import pytest

from nsd_toolkit.mocap import foreground_masks, size_ratios


def test_foreground_is_any_channel_beyond_the_threshold():
    background = np.full((3, 2, 2), 100, np.uint8)
    image = background.copy()
    image[1, 0, 0] = 126  # green differs by 26
    image[2, 0, 1] = 75  # blue by 25: not beyond
    image[0, 1, 1] = 0  # red by 100
    np.testing.assert_array_equal(foreground_masks(image, background, 25),
                                  [[True, False], [False, True]])


def _silhouette(rows, cols, shape=(40, 30)):
    mask = np.zeros(shape)
    mask[rows, cols] = 0.8
    return mask


@pytest.mark.parametrize('growth, expected', [(2, 22 / 20), (1, 21 / 20),
                                              (0, 1.0)])
def test_size_ratio_by_hand(growth, expected):
    """A silhouette of rows 10-29 in a foreground of rows 8-29: the
    foreground counts up to ``growth`` rows above it."""
    silhouettes = _silhouette(slice(10, 30), slice(10, 16))[None, None]
    foreground = np.zeros((1, 40, 30), bool)
    foreground[0, 8:30, 10:16] = True
    ratio = size_ratios(silhouettes, foreground, growth=growth)
    assert ratio.shape == (1, 1)
    np.testing.assert_allclose(ratio, [[expected]])


def test_size_ratio_ignores_foreground_away_from_the_slot():
    """Another person's foreground beside the slot, and faint silhouette
    values, leave the ratio at the slot's own extent; an empty silhouette
    or foreground gives NaN."""
    silhouettes = np.stack([_silhouette(slice(10, 30), slice(10, 16)),
                            np.zeros((40, 30)),
                            _silhouette(slice(5, 15), slice(0, 4))])[None]
    silhouettes[0, 0, 2:10, 10:16] = 0.01  # below the silhouette threshold
    foreground = np.zeros((1, 40, 30), bool)
    foreground[0, 10:30, 10:16] = True
    foreground[0, 0:40, 22:30] = True  # someone else, 6 px away
    ratios = size_ratios(silhouettes, foreground)
    np.testing.assert_allclose(ratios, [[1.0, np.nan, np.nan]])
