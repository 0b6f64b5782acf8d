"""Drawing helpers of the panels."""
import numpy as np

from nsd_toolkit.visualization import PALETTE, colorize_depth, draw_boxes


def test_draw_boxes_in_slot_colours_with_texts():
    img = np.zeros((40, 60, 3), np.uint8)
    boxes = np.array([[5, 5, 25, 35], [30, 10, 55, 30], [np.nan] * 4])
    plain = draw_boxes(img, boxes)
    assert (img == 0).all()  # drawn on a copy
    assert (plain[5, 10] == PALETTE[0]).all() and (plain[10, 40] == PALETTE[1]).all()
    assert (plain[20, 15] == 0).all()  # inside of the box untouched
    labelled = draw_boxes(img, boxes, ['d=0.10', 'd=0.90', 'd=nan'])
    inside = (slice(6, 14), slice(6, 24))
    assert (labelled[inside] != plain[inside]).any()


def test_colorize_depth_near_is_brighter():
    depth = np.tile(np.linspace(1.0, 5.0, 32, dtype=np.float32), (8, 1))
    image = colorize_depth(depth)
    assert image.shape == (8, 32, 3) and image.dtype == np.uint8
    brightness = image.astype(int).sum(-1)[0]
    assert brightness[0] > brightness[-1]
    flat = colorize_depth(np.full((4, 4), 2.0))
    assert (flat == flat[0, 0]).all()
