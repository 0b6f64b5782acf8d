import cv2
import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from multiview_fixtures import HEIGHT, SQUARE, WIDTH, square_corner

from nsd_toolkit.datasets import DatasetFormatError, MultiViewDataset
from nsd_toolkit.datasets.transforms import (LoadMultiViewImages,
                                             PackMultiViewInputs,
                                             ResizeMultiView, SampleViews)
from nsd_toolkit.structures import MultiViewDataSample
from nsd_toolkit.utils import project_points


def view_item(num_views=4):
    """A data info with per-view entries that encode their view index."""
    return dict(
        seq='s', frame=0, sample_idx=7,
        cameras=[f'cam{v}' for v in range(num_views)],
        img_paths=[f'img{v}' for v in range(num_views)],
        background_paths=[f'bg{v}' for v in range(num_views)],
        mask_paths=None,
        K=np.arange(num_views)[:, None, None] * np.ones((1, 3, 3)),
        R=np.arange(num_views)[:, None, None] * np.ones((1, 3, 3)),
        t=np.arange(num_views)[:, None] * np.ones((1, 3)),
        dist=np.zeros((num_views, 5)),
        image_size=np.tile([[WIDTH, HEIGHT]], (num_views, 1)))


def chosen_views(results):
    views = [int(c[3:]) for c in results['cameras']]
    assert [int(p[3:]) for p in results['img_paths']] == views
    assert [int(p[2:]) for p in results['background_paths']] == views
    assert results['K'][:, 0, 0].tolist() == views
    assert results['t'][:, 0].tolist() == views
    assert results['image_size'].shape == (len(views), 2)
    return views


def test_sample_views_random():
    np.random.seed(0)
    picks = {tuple(chosen_views(SampleViews(2)(view_item()))) for _ in range(50)}
    assert all(len(set(p)) == 2 for p in picks)
    assert len(picks) > 6  # ordered pairs vary (12 possible)


def test_sample_views_fixed_and_all():
    fixed = SampleViews(2, mode='fixed')
    first = chosen_views(fixed(view_item()))
    assert all(chosen_views(fixed(view_item())) == first for _ in range(5))
    other_items = set()
    for idx in range(20):
        item = dict(view_item(), sample_idx=idx)
        other_items.add(tuple(chosen_views(fixed(item))))
    assert len(other_items) > 1
    assert chosen_views(SampleViews(mode='all')(view_item())) == [0, 1, 2, 3]
    with pytest.raises(ValueError, match='needs 5 views'):
        SampleViews(5)(view_item())
    with pytest.raises(ValueError, match='mode'):
        SampleViews(mode='every')


def dataset(root, pipeline):
    init_default_scope('nsd_toolkit')
    return MultiViewDataset(data_root=str(root), pipeline=pipeline)


def test_pipeline_packs_contract(multiview_root, cache_dir):
    pipeline = [
        dict(type='SampleViews', num_views=2, mode='fixed'),
        dict(type='LoadMultiViewImages'),
        dict(type='ResizeMultiView', size=(16, 12)),
        dict(type='PackMultiViewInputs'),
    ]
    packed = dataset(multiview_root, pipeline)[2]  # even square corner
    inputs, sample = packed['inputs'], packed['data_samples']
    assert set(inputs) == {'img', 'background', 'K', 'R', 't'}
    assert inputs['img'].shape == inputs['background'].shape == (2, 3, 12, 16)
    assert inputs['img'].dtype == inputs['background'].dtype == torch.uint8
    assert inputs['K'].shape == inputs['R'].shape == (2, 3, 3)
    assert inputs['t'].shape == (2, 3)
    assert {inputs[k].dtype for k in 'KRt'} == {torch.float32}
    assert isinstance(sample, MultiViewDataSample)
    assert sample.seq == 'seq0' and sample.frame == 2 and sample.num_people == 1
    assert len(sample.cameras) == 2
    assert sample.img_shape == (12, 16) and sample.ori_shape == (HEIGHT, WIDTH)
    assert sample.gt_masks.dtype == torch.long
    assert sample.gt_masks.shape == (2, 12, 16)
    assert sample.gt_bboxes.shape == (2, 1, 4)
    x, y = square_corner(2)
    expected = torch.tensor([x, y, x + SQUARE, y + SQUARE]) / 2
    assert torch.equal(sample.gt_bboxes[0, 0], expected)
    assert sample.gt_joints_3d.shape == (1, 17, 3)


def test_load_names_unreadable_image(multiview_root, cache_dir):
    data = dataset(multiview_root, [dict(type='LoadMultiViewImages')])
    bad = multiview_root / 'seq0' / 'cam1' / '000002.png'
    bad.write_bytes(b'not an image')
    with pytest.raises(DatasetFormatError, match=f'{bad}: .*unreadable'):
        data[2]


def test_load_checks_calibration_size(multiview_root, cache_dir):
    data = dataset(multiview_root, [dict(type='LoadMultiViewImages')])
    info = data.get_data_info(0)
    info['image_size'][1] = (WIDTH, HEIGHT + 1)
    with pytest.raises(DatasetFormatError, match='cam1/000000.png: size'):
        LoadMultiViewImages()(info)


@pytest.mark.parametrize('size', [(32, 24), (96, 36)])
def test_resize_keeps_projections_consistent(size):
    """A bright block at a projected point stays at the re-projected point."""
    K = np.array([[[40., 0., 31.5], [0., 40., 23.5], [0., 0., 1.]]])
    R, t = np.eye(3)[None], np.zeros((1, 3))
    img = np.zeros((1, 48, 64, 3), np.uint8)
    img[0, 12:16, 20:24] = 255  # centre (21.5, 13.5) in pixel-centre units
    point = np.array([[(21.5 - 31.5) / 40, (13.5 - 23.5) / 40, 1.]])
    results = ResizeMultiView(size)(dict(img=img, background=img.copy(), K=K))

    weights = results['img'][0, ..., 0].astype(float)
    ys, xs = np.mgrid[:size[1], :size[0]]
    centroid = [(weights * xs).sum() / weights.sum(),
                (weights * ys).sum() / weights.sum()]
    projected = project_points(point, results['K'][0], R[0], t[0])[0]
    np.testing.assert_allclose(centroid, projected, atol=0.1)
    assert results['img_shape'] == (size[1], size[0])


def test_views_of_different_sizes_load_as_lists_and_resize_per_view():
    """Human3.6M mixes 1000x1000 and 1000x1002 cameras: each view keeps its K."""
    K = np.array([[[40., 0., 31.5], [0., 40., 23.5], [0., 0., 1.]],
                  [[40., 0., 31.5], [0., 40., 25.5], [0., 0., 1.]]])
    R, t = np.eye(3), np.zeros(3)
    point = np.array([[(21.5 - 31.5) / 40, (13.5 - 23.5) / 40, 1.]])
    views = []
    for k in K:
        height = int(round(2 * k[1, 2] + 1))  # 48 and 52 rows
        view = np.zeros((height, 64, 3), np.uint8)
        u, v = np.round(project_points(point, k, R, t)[0] - 1.5).astype(int)
        view[v:v + 4, u:u + 4] = 255
        views.append(view)
    results = ResizeMultiView((32, 24))(
        dict(img=views, background=[v.copy() for v in views], K=K))
    assert results['img'].shape == (2, 24, 32, 3)
    with pytest.raises(ValueError, match='ResizeMultiView'):
        PackMultiViewInputs()(dict(img=views, img_shape=[(48, 64), (52, 64)]))
    ys, xs = np.mgrid[:24, :32]
    for view, k in zip(results['img'], results['K']):
        weights = view[..., 0].astype(float)
        centroid = [(weights * xs).sum() / weights.sum(),
                    (weights * ys).sum() / weights.sum()]
        np.testing.assert_allclose(
            centroid, project_points(point, k, R, t)[0], atol=0.15)


def test_resize_masks_nearest():
    masks = np.zeros((2, 24, 32), np.uint8)
    masks[0, 4:12, 8:16] = 2
    img = np.zeros((2, 24, 32, 3), np.uint8)
    results = ResizeMultiView((16, 12))(
        dict(img=img, background=img, gt_masks=masks, K=np.eye(3)[None]))
    assert set(np.unique(results['gt_masks'])) == {0, 2}
    assert (results['gt_masks'][0] == 2).sum() == 16


def test_pack_bboxes_nan_for_invisible_people():
    masks = np.zeros((2, 10, 12), np.uint8)
    masks[0, 2:6, 3:8] = 1
    masks[1, 0:10, 0:12] = 2
    results = dict(
        img=np.zeros((2, 10, 12, 3), np.uint8),
        background=np.zeros((2, 10, 12, 3), np.uint8),
        gt_masks=masks, K=np.zeros((2, 3, 3)), R=np.zeros((2, 3, 3)),
        t=np.zeros((2, 3)), seq='s', frame=1, cameras=['a', 'b'],
        img_shape=(10, 12), ori_shape=(10, 12), num_people=2, joints_3d=None)
    sample = PackMultiViewInputs()(results)['data_samples']
    boxes = sample.gt_bboxes
    assert boxes.shape == (2, 2, 4)
    assert boxes[0, 0].tolist() == [3, 2, 8, 6]
    assert boxes[1, 1].tolist() == [0, 0, 12, 10]
    assert torch.isnan(boxes[0, 1]).all() and torch.isnan(boxes[1, 0]).all()
    assert 'gt_joints_3d' not in sample


def test_pack_gt_depths_are_camera_z_of_finite_joints():
    """A person straight in front of a camera gets its distance as depth."""
    gen = np.random.default_rng(0)
    rotation = np.linalg.qr(gen.normal(size=(3, 3)))[0]
    rotation *= np.linalg.det(rotation)  # a proper rotation
    centre = np.array([500.0, -200.0, 1000.0])
    R = np.stack([np.eye(3), rotation])
    t = np.stack([np.zeros(3), -rotation @ centre])
    joints = np.full((3, 17, 3), np.nan, np.float32)
    # person 0: all joints 4000 mm along camera 1's axis, spread sideways
    sideways = gen.normal(size=(17, 1)) * rotation[0] * 300
    joints[0] = centre + 4000.0 * rotation[2] + sideways
    # person 1: 2 known joints on camera 0's axis; a joint missing one value
    joints[1, :2] = [[0.0, 0.0, 2000.0], [0.0, 0.0, 3000.0]]
    joints[1, 2] = [0.0, np.nan, 9000.0]
    # person 2: no known joint
    results = dict(
        img=np.zeros((2, 4, 4, 3), np.uint8),
        background=np.zeros((2, 4, 4, 3), np.uint8),
        K=np.tile(np.eye(3), (2, 1, 1)), R=R, t=t, seq='s', frame=0,
        cameras=['a', 'b'], img_shape=(4, 4), ori_shape=(4, 4), num_people=3,
        joints_3d=joints)
    depths = PackMultiViewInputs()(results)['data_samples'].gt_depths
    assert depths.shape == (2, 3) and depths.dtype == torch.float32
    assert depths[1, 0].item() == pytest.approx(4000.0, rel=1e-5)
    assert depths[0, 1].item() == pytest.approx(2500.0)
    assert torch.isnan(depths[:, 2]).all()
    assert torch.isfinite(depths[:, :2]).all()


def test_pack_joints_in_camera_frames_and_pixels():
    """gt_joints_cam is R X + t per view; gt_keypoints_2d its distorted pixels."""
    gen = np.random.default_rng(1)
    rotation = np.linalg.qr(gen.normal(size=(3, 3)))[0]
    rotation *= np.linalg.det(rotation)
    R = np.stack([np.eye(3), rotation])
    t = np.stack([[0.0, 0.0, 0.0], -rotation @ [0.0, 0.0, 5000.0]])
    K = np.array([[[800.0, 0, 320], [0, 800, 240], [0, 0, 1]]] * 2)
    dist = np.array([[0.0] * 5, [-0.2, 0.05, 0.001, -0.002, 0.0]])
    joints = (gen.normal(size=(2, 17, 3)) * 300 +
              [0, 0, 5000]).astype(np.float32)
    joints[1, 4] = np.nan
    results = dict(
        img=np.zeros((2, 4, 4, 3), np.uint8),
        background=np.zeros((2, 4, 4, 3), np.uint8),
        K=K, R=R, t=t, dist=dist, seq='s', frame=0, cameras=['a', 'b'],
        img_shape=(4, 4), ori_shape=(4, 4), num_people=2, joints_3d=joints)
    sample = PackMultiViewInputs()(results)['data_samples']
    assert sample.gt_joints_cam.shape == (2, 2, 17, 3)
    np.testing.assert_allclose(sample.gt_joints_cam[1, 0],
                               joints[0] @ rotation.T + t[1], rtol=1e-5)
    assert torch.isnan(sample.gt_joints_cam[:, 1, 4]).all()
    assert sample.gt_keypoints_2d.shape == (2, 2, 17, 2)
    for v in range(2):
        expected, _ = cv2.projectPoints(
            joints[0].astype(np.float64), cv2.Rodrigues(R[v])[0], t[v], K[v],
            dist[v])
        np.testing.assert_allclose(sample.gt_keypoints_2d[v, 0],
                                   expected[:, 0], atol=1e-2)
    depths = sample.gt_joints_cam[..., 2].nanmean(-1)
    np.testing.assert_allclose(sample.gt_depths, depths, rtol=1e-6)


def test_decode_scale_matches_a_full_decode_and_resize(multiview_root,
                                                       cache_dir):
    """PNG frames at half size: pixels, masks, intrinsics and the packed
    labels equal those of a full decode followed by ResizeMultiView."""
    tail = [dict(type='PackMultiViewInputs')]
    sample_views = dict(type='SampleViews', num_views=2, mode='fixed')
    resized = dataset(multiview_root, [
        sample_views, dict(type='LoadMultiViewImages'),
        dict(type='ResizeMultiView', size=(WIDTH // 2, HEIGHT // 2)), *tail
    ])[2]
    reduced = dataset(multiview_root, [
        sample_views, dict(type='LoadMultiViewImages', decode_scale=2), *tail
    ])[2]
    for key in ('img', 'background', 'K'):
        torch.testing.assert_close(reduced['inputs'][key],
                                   resized['inputs'][key])
    a, b = reduced['data_samples'], resized['data_samples']
    for key in ('gt_masks', 'gt_bboxes', 'gt_keypoints_2d'):
        torch.testing.assert_close(a.get(key), b.get(key))
    assert a.img_shape == (HEIGHT // 2, WIDTH // 2)
    assert a.ori_shape == (HEIGHT, WIDTH)


def test_decode_scale_decodes_jpegs_small_and_checks_sizes(tmp_path):
    from nsd_toolkit.datasets.transforms.loading import read_image
    picture = cv2.GaussianBlur(
        np.random.default_rng(0).integers(0, 255, (48, 64, 3), np.uint8),
        (7, 7), 2)
    path = str(tmp_path / 'frame.jpg')
    assert cv2.imwrite(path, picture, [cv2.IMWRITE_JPEG_QUALITY, 95])
    small = read_image(path, 4, (64, 48))
    assert small.shape == (12, 16, 3)
    shrunk = cv2.resize(read_image(path), (16, 12),
                        interpolation=cv2.INTER_AREA)
    assert np.abs(small.astype(int) - shrunk).mean() < 3
    # a frame of another size than the calibration's stays unscaled and named
    info = dict(img_paths=[path], background_paths=[path], mask_paths=None,
                K=np.eye(3)[None], image_size=np.array([[64, 50]]))
    with pytest.raises(DatasetFormatError, match='frame.jpg: size'):
        LoadMultiViewImages(decode_scale=2)(info)
    with pytest.raises(ValueError, match='decode_scale must be one of'):
        LoadMultiViewImages(decode_scale=3)


def test_frame_cache_gives_the_same_items_and_decodes_each_file_once(
        multiview_root, cache_dir, monkeypatch):
    from nsd_toolkit.datasets.transforms import loading
    pipeline = [dict(type='SampleViews', mode='all'),
                dict(type='PackMultiViewInputs')]
    plain = dataset(multiview_root, [
        pipeline[0], dict(type='LoadMultiViewImages'), pipeline[1]])
    cached = dataset(multiview_root, [
        pipeline[0], dict(type='LoadMultiViewImages', cache_mb=1),
        pipeline[1]])
    decoded = []
    for name in ('read_image', 'read_mask'):
        real = getattr(loading, name)
        monkeypatch.setattr(
            loading, name,
            lambda path, *a, real=real, **k: decoded.append(path) or real(
                path, *a, **k))
    for _ in range(2):
        for index in (0, 2):
            a, b = plain[index], cached[index]
            for key in ('img', 'background'):
                assert torch.equal(a['inputs'][key], b['inputs'][key])
            assert torch.equal(a['data_samples'].gt_masks,
                               b['data_samples'].gt_masks)
    files = [path for index in (0, 2) for key in ('img_paths', 'mask_paths')
             for path in plain.get_data_info(index)[key]]
    # plain: every read decodes (twice); cached: the first read of each file
    assert sorted(p for p in decoded if p in files) == sorted(files * 3)
    with pytest.raises(ValueError, match='cache_mb must be >= 0'):
        LoadMultiViewImages(cache_mb=-1)
    with pytest.raises(ValueError, match='cache_mb must be >= 0'):
        LoadMultiViewImages(cache_mb='512')
