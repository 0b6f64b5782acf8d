"""Normalised crop boxes <-> pixel boxes."""
import torch

from nsd_toolkit.structures import (boxes_to_pixels, pixels_to_boxes,
                                    pixels_to_window, window_to_pixels)


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
