"""Drawing helpers of the panels."""
import os

import cv2
import numpy as np

from nsd_toolkit.visualization import (PALETTE, colorize_depth, draw_boxes,
                                       slot_texts)
from nsd_toolkit.visualization.panels import save_rgb


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


def test_draw_skeletons_draws_bones_in_slot_colours():
    from nsd_toolkit.visualization import H36M_BONES, draw_skeletons
    assert len(H36M_BONES) == 16 and {j for b in H36M_BONES for j in b} == \
        set(range(17))
    img = np.zeros((60, 80, 3), np.uint8)
    joints = np.full((2, 17, 2), np.nan)
    joints[0, 0], joints[0, 1] = (10, 10), (10, 50)  # pelvis - r_hip
    joints[1, 8], joints[1, 11] = (40, 30), (70, 30)  # thorax - l_shoulder
    joints[1, 14] = (1e9, 30)  # far away: no crash, its bone is skipped
    out = draw_skeletons(img, joints)
    assert (img == 0).all()
    assert (out[30, 10] == PALETTE[0]).all()  # middle of person 0's bone
    assert (out[30, 55] == PALETTE[1]).all()
    assert (out[5:55, 20:35] == 0).all() and (out[40:, 40:] == 0).all()


def test_slot_texts_join_depth_and_presence():
    assert slot_texts() is None
    assert slot_texts(depths=[0.5, 1.25]) == ['d=0.50', 'd=1.25']
    assert slot_texts(scores=np.array([0.031])) == ['p=0.03']
    assert slot_texts([0.5, -1.0], [0.97, 0.02]) == ['d=0.50 p=0.97',
                                                     'd=-1.00 p=0.02']
    assert slot_texts([4162.14, 99.5]) == ['d=4162', 'd=99.50']  # mm


def test_writes_of_one_picture_do_not_share_a_temporary_file(
        tmp_path, monkeypatch):
    """Two test runs sharing a work dir write the same panel: neither may
    rename the other's temporary file away (a fixed temporary name did)."""
    sources = []
    replace = os.replace

    def recording_replace(source, target):
        sources.append(source)
        replace(source, target)

    monkeypatch.setattr(os, 'replace', recording_replace)
    target = str(tmp_path / 'batch_1.png')
    image = np.arange(4 * 5 * 3, dtype=np.uint8).reshape(4, 5, 3)
    save_rgb(target, image)
    save_rgb(target, image)
    assert len(set(sources)) == 2 and target not in sources
    assert np.array_equal(cv2.imread(target)[..., ::-1], image)
    assert os.listdir(tmp_path) == ['batch_1.png']
