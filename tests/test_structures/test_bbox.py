"""Normalised crop boxes <-> pixel boxes; boxes inside better boxes."""
import pytest
import torch

from nsd_toolkit.structures import (boxes_to_pixels, contained_duplicates,
                                    pixels_to_boxes, pixels_to_window,
                                    window_to_pixels)


def test_boxes_to_pixels_uses_pixel_edges():
    center = torch.tensor([[0.0, 0.0], [-0.5, 0.5]])
    scale = torch.tensor([[1.0, 1.0], [0.25, 0.5]])
    boxes = boxes_to_pixels(center, scale, width=40, height=20)
    torch.testing.assert_close(
        boxes, torch.tensor([[0.0, 0.0, 40.0, 20.0], [5.0, 10.0, 15.0, 20.0]]))


def test_pixels_to_boxes_inverts_boxes_to_pixels():
    center, scale = pixels_to_boxes(
        torch.tensor([[0.0, 0.0, 40.0, 20.0], [5.0, 10.0, 15.0, 20.0]]),
        width=40, height=20)
    torch.testing.assert_close(center, torch.tensor([[0.0, 0.0], [-0.5, 0.5]]))
    torch.testing.assert_close(scale, torch.tensor([[1.0, 1.0], [0.25, 0.5]]))
    gen = torch.Generator().manual_seed(0)
    center, scale = torch.rand(5, 2, generator=gen) - 0.5, torch.rand(5, 2)
    back = pixels_to_boxes(boxes_to_pixels(center, scale, 64, 48), 64, 48)
    torch.testing.assert_close(back[0], center)
    torch.testing.assert_close(back[1], scale)


def test_points_in_windows_map_to_pixels_and_back():
    center = torch.tensor([[0.0, 0.0], [-0.5, 0.5]])
    scale = torch.tensor([[1.0, 1.0], [0.25, 0.5]])
    offsets = torch.tensor([[0.0, 0.0], [0.5, -0.25]])
    # window 1 spans x 5..15 and y 10..20 of a 40 x 20 image
    pixels = window_to_pixels(offsets, center, scale, width=40, height=20)
    torch.testing.assert_close(pixels,
                               torch.tensor([[20.0, 10.0], [15.0, 12.5]]))
    torch.testing.assert_close(
        pixels_to_window(pixels, center, scale, width=40, height=20), offsets)


def test_contained_duplicates_drop_boxes_inside_kept_better_ones():
    """Down the scores: B lies inside A (kept) -> duplicate; D lies half
    inside A and C half inside D: both kept at cover_thr 0.5 (strictly more
    is needed); empty boxes are neither."""
    nan = float('nan')
    boxes = torch.tensor([[[0, 0, 10, 10],   # A
                           [1, 1, 9, 9],     # B: inside A
                           [8, 8, 12, 12],   # C: 1/4 in A, 1/2 in D
                           [5, 0, 15, 10],   # D: half inside A
                           [nan] * 4]])      # empty
    scores = torch.tensor([[0.9, 0.8, 0.7, 0.6, 0.95]])
    duplicate = contained_duplicates(boxes, scores, cover_thr=0.5)
    assert duplicate.tolist() == [[False, True, False, False, False]]
    # lower the bar: D (half inside A) and C (a quarter inside A) go too
    duplicate = contained_duplicates(boxes, scores, cover_thr=0.2)
    assert duplicate.tolist() == [[False, True, True, True, False]]
    # the scores decide which of two identical boxes stays
    same = torch.tensor([[[0, 0, 4, 4], [0, 0, 4, 4]]], dtype=torch.float32)
    for scores, expected in (([0.9, 0.8], [False, True]),
                             ([0.3, 0.6], [True, False])):
        assert contained_duplicates(same, torch.tensor([scores]),
                                    0.9).tolist() == [expected]


@pytest.mark.parametrize('images', [1, 5])
def test_contained_duplicates_treat_each_image_alone(images):
    boxes = torch.tensor([[[0, 0, 4, 4], [0, 0, 2, 2]],
                          [[0, 0, 2, 2], [10, 10, 14, 14]]],
                         dtype=torch.float32).repeat(images, 1, 1)
    scores = torch.tensor([[0.9, 0.8], [0.8, 0.9]]).repeat(images, 1)
    duplicate = contained_duplicates(boxes, scores, 0.5)
    assert duplicate.tolist() == [[False, True], [False, False]] * images
