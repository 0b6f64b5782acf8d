import numpy as np
import torch
from nsd_test_utils import ring_rig

from nsd_toolkit.utils import (axis_angle_to_matrix, box_center_depths, masks_to_bboxes,
                               project_points, relative_rotation,
                               scale_intrinsics, triangulate_rays,
                               world_to_camera)


def random_rotations(n, seed=0):
    q, r = torch.linalg.qr(torch.randn(n, 3, 3, generator=torch.Generator()
                                       .manual_seed(seed), dtype=torch.float64))
    q = q * torch.sign(torch.diagonal(r, dim1=-2, dim2=-1))[:, None]
    return q * torch.det(q)[:, None, None]  # det +1


def test_relative_rotation_composes_and_maps_directions():
    R_a, R_b, R_c = random_rotations(3)
    R_ab = relative_rotation(R_a, R_b)
    R_bc = relative_rotation(R_b, R_c)
    torch.testing.assert_close(R_bc @ R_ab, relative_rotation(R_a, R_c))
    direction = torch.tensor([0.3, -1.2, 2.0], dtype=torch.float64)
    torch.testing.assert_close(R_ab @ (R_a @ direction), R_b @ direction)


def test_relative_rotation_is_batched():
    R = random_rotations(8).view(2, 4, 3, 3)
    rel = relative_rotation(R[:, :1], R)  # [2, 4, 3, 3]
    assert rel.shape == (2, 4, 3, 3)
    torch.testing.assert_close(rel[:, 0], torch.eye(3, dtype=R.dtype).expand(2, 3, 3))


def test_axis_angle_to_matrix_quarter_turn_and_batches():
    # a quarter turn about z takes x to y (right-handed), in numpy and torch
    quarter = axis_angle_to_matrix(np.array([0., 0., 1.]), np.pi / 2)
    np.testing.assert_allclose(quarter @ [1., 0., 0.], [0., 1., 0.],
                               atol=1e-12)
    # batched torch: proper rotations that keep the axis and turn by the angle
    axis = torch.nn.functional.normalize(
        torch.tensor([[1., 2., 2.], [0., -1., 0.], [3., 0., 4.]],
                     dtype=torch.float64), dim=-1)
    angle = torch.tensor([0.3, -2.0, np.pi], dtype=torch.float64)
    turns = axis_angle_to_matrix(axis, angle)
    assert turns.shape == (3, 3, 3) and turns.dtype == torch.float64
    torch.testing.assert_close(turns @ turns.transpose(-1, -2),
                               torch.eye(3, dtype=torch.float64).expand(3, 3, 3))
    torch.testing.assert_close(torch.det(turns), torch.ones(3, dtype=torch.float64))
    torch.testing.assert_close((turns @ axis[..., None])[..., 0], axis)
    cos_angle = (turns.diagonal(dim1=-2, dim2=-1).sum(-1) - 1) / 2
    torch.testing.assert_close(cos_angle, torch.cos(angle))


def test_project_points():
    K = torch.tensor([[100., 0., 50.], [0., 80., 40.], [0., 0., 1.]])
    R, t = torch.eye(3), torch.tensor([0., 0., 10.])
    X = torch.tensor([[0., 0., 0.], [1., -2., 10.]])
    expected = torch.tensor([[50., 40.], [55., 32.]])
    torch.testing.assert_close(project_points(X, K, R, t), expected)
    np.testing.assert_allclose(
        project_points(X.numpy(), K.numpy(), R.numpy(), t.numpy()), expected)


def test_project_points_batched_cameras():
    R = random_rotations(3)
    K = torch.tensor([[50., 0., 20.], [0., 50., 15.], [0., 0., 1.]],
                     dtype=R.dtype).expand(3, 3, 3)
    t = torch.tensor([[0., 0., 5.]], dtype=R.dtype).expand(3, 3)
    X = torch.randn(4, 3, dtype=R.dtype)
    pixels = project_points(X, K, R, t)  # [3, 4, 2]
    for v in range(3):
        x_cam = world_to_camera(X, R[v], t[v])
        torch.testing.assert_close(pixels[v],
                                   x_cam[:, :2] / x_cam[:, 2:] * 50 +
                                   torch.tensor([20., 15.], dtype=R.dtype))


def test_scale_intrinsics_pixel_centres():
    K = np.array([[10., 0., 7.5], [0., 10., 3.5], [0., 0., 1.]])
    K2 = scale_intrinsics(K, 0.5, 2.)
    # the image centre stays the image centre: 16x8 -> 8x16
    np.testing.assert_allclose(K2[:2, 2], [3.5, 7.5])
    np.testing.assert_allclose(np.diag(K2)[:2], [5., 20.])
    Kt = scale_intrinsics(torch.tensor(K, dtype=torch.float32), 0.5, 2.)
    assert Kt.dtype == torch.float32
    np.testing.assert_allclose(Kt.numpy(), K2, rtol=1e-6)


def test_masks_to_bboxes_empty_and_batched():
    masks = torch.zeros(3, 2, 5, 6, dtype=torch.long)
    masks[1, 1, 4, 5] = 1
    boxes = masks_to_bboxes(masks, 1)
    assert boxes.shape == (3, 2, 1, 4)
    assert boxes[1, 1, 0].tolist() == [5, 4, 6, 5]
    assert torch.isnan(boxes[0]).all()


def test_project_points_with_distortion_matches_opencv():
    import cv2
    rng = np.random.default_rng(0)
    # no skew: cv2.projectPoints ignores K[0, 1]
    K = np.array([[900., 0., 640.], [0., 880., 360.], [0., 0., 1.]])
    R = random_rotations(2, seed=3).numpy()  # [2, 3, 3]
    t = np.array([[0., 0., 4000.], [100., -50., 3500.]])
    dist = np.array([[-0.25, 0.08, 1e-3, -2e-3, -0.01],
                     [0.1, -0.02, -1e-3, 5e-4, 0.003]])
    X = rng.normal(scale=800., size=(20, 3))
    pixels = project_points(X, K, R, t, dist)  # [2, 20, 2]
    for v in range(2):
        expected = cv2.projectPoints(X, cv2.Rodrigues(R[v])[0], t[v], K,
                                     dist[v])[0][:, 0]
        np.testing.assert_allclose(pixels[v], expected, rtol=1e-9, atol=1e-6)
    torch_pixels = project_points(*(torch.from_numpy(a)
                                    for a in (X, K, R, t, dist)))
    np.testing.assert_allclose(torch_pixels.numpy(), pixels, rtol=1e-9)
    # zero coefficients are the pinhole projection
    np.testing.assert_allclose(project_points(X, K, R, t, np.zeros(5)),
                               project_points(X, K, R, t), rtol=1e-12)


def test_triangulate_rays_recovers_point_and_skips_invalid():
    point = np.array([300.0, -200.0, 900.0])
    origins = np.array([[4000.0, 0, 2000], [0, 4000, 1500], [-3000, -3000,
                                                             100]])
    rays = point - origins
    np.testing.assert_allclose(triangulate_rays(origins, 3 * rays), point,
                               atol=1e-6)
    # a NaN ray is left out; one ray alone or parallel rays give NaN
    origins[1] = np.nan
    np.testing.assert_allclose(triangulate_rays(origins, rays), point,
                               atol=1e-6)
    batch = np.stack([origins, origins])
    rays_b = np.stack([rays, np.stack([rays[0]] * 3)])
    result = triangulate_rays(batch, rays_b)
    np.testing.assert_allclose(result[0], point, atol=1e-6)
    assert np.isnan(result[1]).all()  # parallel
    assert np.isnan(triangulate_rays(origins[:2], rays[:2])).all()


def test_box_center_depths_from_centred_boxes():
    K, R, t = ring_rig(4, 100.0, (63.5, 47.5))
    people = np.array([[0.0, 0, 1000], [500, -300, 1100]])  # [P, 3]
    x_cam = people[None] @ R.swapaxes(-1, -2) + t[:, None]  # [V, P, 3]
    uv = (x_cam @ K.swapaxes(-1, -2))[..., :2] / x_cam[..., 2:]
    # boxes of any size centred on the projections (pixel-edge coordinates)
    half = np.array([8.0, 20.0])
    boxes = np.concatenate([uv + 0.5 - half, uv + 0.5 + half], -1)
    np.testing.assert_allclose(box_center_depths(boxes, K, R, t),
                               x_cam[..., 2], rtol=1e-9)
    # person 1 seen in one view only: no depth anywhere
    boxes[1:, 1] = np.nan
    depths = box_center_depths(boxes, K, R, t)
    np.testing.assert_allclose(depths[:, 0], x_cam[:, 0, 2], rtol=1e-9)
    assert np.isnan(depths[:, 1]).all()


def test_box_center_depths_batched_over_samples():
    K, R, t = ring_rig(3, 100.0, (63.5, 47.5))
    gen = np.random.default_rng(0)
    boxes = np.sort(gen.uniform(0, 96, (2, 3, 2, 4)).reshape(2, 3, 2, 2, 2),
                    axis=-2).reshape(2, 3, 2, 4)  # x1 <= x2, y1 <= y2
    batched = box_center_depths(boxes, K[None], R[None], t[None])
    for b in range(2):
        np.testing.assert_allclose(batched[b],
                                   box_center_depths(boxes[b], K, R, t))
