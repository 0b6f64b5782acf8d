"""Ground-truth consistency of the synthetic scenes: cameras, joints, masks."""
import numpy as np
import pytest

from nsd_toolkit.synthetic import (build_scene, intersect_capsules, look_at,
                                   project_points)


def test_look_at_points_optical_axis_at_target():
    eye, target = np.array([4000.0, -1000, 2200]), np.array([0.0, 0, 900])
    R = look_at(eye, target)
    np.testing.assert_allclose(R @ R.T, np.eye(3), atol=1e-12)
    assert np.isclose(np.linalg.det(R), 1.0)
    x_cam = R @ (target - eye)
    np.testing.assert_allclose(x_cam[:2], 0, atol=1e-9)
    assert x_cam[2] > 0
    above = R @ (target + [0, 0, 500] - eye)
    assert above[1] < 0  # image y points down


def test_intersect_capsules_depths():
    """Depth along z-normalised rays: sphere front, tube side, end cap, miss."""
    dirs = np.array([[0.0, 0, 1], [0.2, 0, 1], [0.52, 0, 1], [0.6, 0, 1]])
    # a sphere at depth 1000 and a capsule along x at depth 2000
    start = np.array([[0.0, 0, 1000], [-1000, 0, 2000]])
    end = np.array([[0.0, 0, 1000], [1000, 0, 2000]])
    depth, index = intersect_capsules(dirs, start, end, np.array([100.0,
                                                                  50.0]))
    assert np.isclose(depth[0], 900) and index[0] == 0
    assert np.isclose(depth[1], 1950) and index[1] == 1
    assert 1950 < depth[2] < 2000 and index[2] == 1
    assert np.isinf(depth[3])


def _mask_box(mask, pid):
    ys, xs = np.nonzero(mask == pid)
    return (xs.min(), ys.min(), xs.max(), ys.max()) if len(xs) else None


def test_single_person_joints_in_mask_and_framed(default_one):
    """Every joint projects inside the person's mask box (and onto the
    mask); the person is fully in view at 40-80 % of the image height."""
    poses = default_one.poses().astype(float)
    fractions = []
    for name, cam in default_one.cameras.items():
        uv, depth = project_points(poses[:, 0], cam)
        assert (depth > 2000).all()
        for f in range(len(poses)):
            mask = default_one.mask(name, f)
            x0, y0, x1, y1 = _mask_box(mask, 1)
            assert x0 > 0 and y0 > 0 and x1 < 127 and y1 < 95
            fractions.append((y1 - y0 + 1) / 96)
            u, v = uv[f].T
            assert ((u > x0 - 2) & (u < x1 + 2) & (v > y0 - 2) &
                    (v < y1 + 2)).all()
            px = np.round(uv[f]).astype(int)
            assert (mask[px[:, 1], px[:, 0]] == 1).all()
    assert 0.4 <= np.median(fractions) <= 0.8
    assert min(fractions) > 0.3 and max(fractions) < 0.9


@pytest.mark.parametrize('num_people,motion', [(1, 'box'), (2, 'walk'),
                                               (3, 'mixed'), (4, 'box')])
def test_multi_person_consistency(tmp_path, make_dataset, num_people, motion):
    """Joints fall in their person's mask box unless a nearer person covers
    them; people keep apart and are all seen."""
    data = make_dataset(str(tmp_path / 'out'),
                        num_people=num_people,
                        num_frames=6,
                        motion=motion,
                        seed=num_people)
    poses = data.poses().astype(float)
    assert poses.shape == (6, num_people, 17, 3)
    roots = poses[:, :, 0, :2]
    for i in range(num_people):
        for j in range(i + 1, num_people):
            assert (np.linalg.norm(roots[:, i] - roots[:, j], axis=-1)
                    > 899).all()
    seen = np.zeros(num_people, bool)
    occlusions = 0
    for name, cam in data.cameras.items():
        uv, depth = project_points(poses, cam)
        for f in range(len(poses)):
            mask = data.mask(name, f)
            assert mask.max() <= num_people
            for i in range(num_people):
                px = np.round(uv[f, i]).astype(int)
                owner = mask[px[:, 1], px[:, 0]]
                assert (owner > 0).all()  # own body or an occluder
                for k, other in enumerate(owner):
                    if other != i + 1:  # the occluder is nearer
                        occlusions += 1
                        assert depth[f, other - 1].min() < depth[f, i, k]
                box = _mask_box(mask, i + 1)
                if box is None:
                    continue
                seen[i] = True
                x0, y0, x1, y1 = box
                u, v = uv[f, i].T
                inside = (u > x0 - 2) & (u < x1 + 2) & (v > y0 - 2) & (v < y1 +
                                                                       2)
                assert (inside | (owner != i + 1)).all()
    assert seen.all()
    assert num_people < 3 or occlusions > 0


def test_masks_agree_with_frames_and_room(default_one):
    """Person pixels differ from the empty room, others match it, and the
    per-camera median over frames recovers the empty room."""
    scene = build_scene(seed=1)
    for name in default_one.cameras:
        room = scene['backgrounds'][name].astype(int)
        frames = np.stack([default_one.image(name, f) for f in range(40)])
        masks = np.stack([default_one.mask(name, f) for f in range(40)])
        diff = np.abs(frames.astype(int) - room).mean(-1)
        assert diff[masks > 0].mean() > 25
        assert diff[masks == 0].mean() < 6
        median = np.median(frames, axis=0)
        assert np.abs(median - room).mean() < 6


def test_camera_variation_zoom_and_heights():
    """``zoom`` scales the focal length alone; ``camera_height_jitter``
    spreads the camera heights and leaves the defaults' cameras as they
    were."""
    base = build_scene(seed=3, num_views=6)['cameras']
    same = build_scene(seed=3, num_views=6, camera_height_jitter=100.0,
                       zoom=1.0)['cameras']
    zoomed = build_scene(seed=3, num_views=6, zoom=2.0)['cameras']
    spread = build_scene(seed=3, num_views=6,
                         camera_height_jitter=1500.0)['cameras']
    heights = {
        name: np.array([-cams[n]['R'].T @ cams[n]['t'] for n in cams])[:, 2]
        for name, cams in (('base', base), ('spread', spread))
    }
    for name in base:
        np.testing.assert_array_equal(base[name]['K'], same[name]['K'])
        np.testing.assert_array_equal(base[name]['R'], zoomed[name]['R'])
        np.testing.assert_allclose(zoomed[name]['K'][:2, :2],
                                   2 * base[name]['K'][:2, :2])
        np.testing.assert_array_equal(zoomed[name]['K'][:2, 2],
                                      base[name]['K'][:2, 2])
    assert np.ptp(heights['base']) <= 200
    assert np.ptp(heights['spread']) > 1000
    assert (heights['spread'] > 2200 - 1500).all()


def test_zoom_cuts_people_at_the_border(tmp_path, make_dataset):
    """With zoom the nearest person of some views reaches the image's lower
    border: their boxes' bottoms no longer tell depth."""
    data = make_dataset(str(tmp_path / 'zoom'), num_people=2, num_frames=10,
                        zoom=1.8)
    cut = 0
    for name in data.cameras:
        for f in range(10):
            mask = data.mask(name, f)
            cut += bool((mask[-1] > 0).any())
    assert cut > 0
