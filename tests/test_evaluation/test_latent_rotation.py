"""latent_rotation_errors: a latent that turns with the camera scores 0."""
import math

import torch

from nsd_toolkit.evaluation import latent_rotation_errors
from nsd_toolkit.utils import axis_angle_to_matrix


def ring_rotations(degrees):
    """World-to-camera rotations of cameras turned about world z."""
    angles = torch.deg2rad(torch.tensor(degrees, dtype=torch.float64))
    up = torch.tensor([0.0, 0.0, 1.0], dtype=torch.float64)
    return axis_angle_to_matrix(up.expand(len(degrees), 3), angles)


def test_a_latent_that_turns_with_the_camera_scores_zero():
    rotation = ring_rotations([0.0, 90.0, 200.0])[None]  # [B=1, V=3]
    world = torch.randn(5, 3, generator=torch.Generator().manual_seed(0),
                        dtype=torch.float64)  # the person's K=5 points
    # two slots per view; the person sits in slot 0, 1, 0 of views 0, 1, 2
    points = torch.randn(1, 3, 2, 5, 3, dtype=torch.float64)
    for view, slot in enumerate([0, 1, 0]):
        points[0, view, slot] = world @ rotation[0, view].T
    people = torch.tensor([[[0, -1], [-1, 0], [0, -1]]])
    errors = latent_rotation_errors(points, rotation, people)
    assert errors['turned'].shape == (6, )  # ordered pairs of 3 views
    torch.testing.assert_close(errors['turned'],
                               torch.zeros(6, dtype=torch.float64))
    assert (errors['unturned'] > 0.1).all()
    # the pair angles: 90, 200 -> 160 and 110 degrees, each both ways
    torch.testing.assert_close(
        errors['angle_deg'].sort().values,
        torch.tensor([90.0, 90.0, 110.0, 110.0, 160.0, 160.0],
                     dtype=torch.float64))
    # unturned: the RMS distance of the points rotated by the pair angle
    source, target = world @ rotation[0, 0].T, world @ rotation[0, 1].T
    expected = (source - target).square().sum(-1).mean().sqrt()
    assert any(math.isclose(e, expected, rel_tol=1e-9)
               for e in errors['unturned'].tolist())


def test_slots_of_different_people_or_nobody_are_not_paired():
    rotation = ring_rotations([0.0, 90.0])[None].expand(2, 2, 3, 3)
    points = torch.randn(2, 2, 2, 4, 3, dtype=torch.float64)
    # moment 0: people 0 and 1 in both views (swapped slots); moment 1:
    # person 0 in view 0 only, person 1 in view 1 only
    people = torch.tensor([[[0, 1], [1, 0]], [[0, -1], [-1, 1]]])
    errors = latent_rotation_errors(points, rotation, people)
    assert errors['turned'].shape == (4, )
    # view 0's slot 0 (person 0) turned into view 1, whose slot 1 is person 0
    turned = points[0, 0, 0] @ (rotation[0, 1] @ rotation[0, 0].T).T
    expected = (turned - points[0, 1, 1]).square().sum(-1).mean().sqrt()
    assert any(math.isclose(e, expected, rel_tol=1e-9)
               for e in errors['turned'].tolist())
