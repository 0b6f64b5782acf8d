"""foreground_mask: any channel beyond the threshold, over leading axes."""
import numpy as np

from nsd_toolkit.utils.foreground import foreground_mask


def test_any_channel_beyond_the_threshold_per_view():
    background = np.full((2, 2, 2, 3), 100, np.uint8)  # two views
    image = background.copy()
    image[0, 0, 0, 1] = 126  # view 0: green differs by 26
    image[0, 0, 1, 2] = 75  # blue by 25: not beyond
    image[1, 1, 1, 0] = 0  # view 1: red by 100
    np.testing.assert_array_equal(
        foreground_mask(image, background, 25),
        [[[True, False], [False, False]], [[False, False], [False, True]]])
