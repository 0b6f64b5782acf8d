import numpy as np
from mocap_fixtures import HEIGHT, PRINCIPAL, WIDTH, ring_cameras

from nsd_toolkit.mocap import box_centers, fit_rays, pixel_rays, ray_residuals
from nsd_toolkit.utils.geometry import project_points


def test_box_centre_of_the_full_frame_is_the_image_centre():
    centre = box_centers(np.array([[0.0, 0.0, WIDTH, HEIGHT]]))
    np.testing.assert_allclose(centre, [PRINCIPAL])


def test_pixel_rays_pass_through_the_projected_point():
    K, R, t = ring_cameras()
    point = np.array([300.0, -200.0, 900.0])
    origins, directions = pixel_rays(project_points(point[None], K, R, t)[:, 0],
                                     K, R, t)
    np.testing.assert_allclose(origins, -(R.swapaxes(1, 2) @ t[..., None])[..., 0])
    np.testing.assert_allclose(np.linalg.norm(directions, axis=-1), 1.0)
    distance, in_front = ray_residuals(point, origins, directions)
    np.testing.assert_allclose(distance, 0.0, atol=1e-9)
    assert in_front.all()
    behind = 2 * origins[0] - point  # mirrored through camera 0
    assert not ray_residuals(behind, origins[:1], directions[:1])[1][0]


def test_fit_rays_by_hand():
    origins = np.array([[-1000.0, 0.0, 0.0], [0.0, -1000.0, 100.0]])
    directions = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    point, worst = fit_rays(origins, directions)
    np.testing.assert_allclose(point, [0.0, 0.0, 50.0], atol=1e-9)
    np.testing.assert_allclose(worst, 50.0)
    _, worst = fit_rays(origins, directions * [[-1.0], [1.0]])
    assert worst == np.inf  # the point is behind the first camera
    directions[1] = np.nan
    assert fit_rays(origins, directions)[1] == np.inf  # one ray only
