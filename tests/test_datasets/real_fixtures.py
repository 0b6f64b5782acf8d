"""Source trees of the real-capture excerpts in tmp folders, for tests.

The excerpts hold annotations but (except 4 Human3.6M frames) no images: the
trees link the annotation files and add tiny dummy images in each source's
documented layout, so the readers can index them.
"""
import json
import pickle

import cv2
import numpy as np

H36M_CAMERAS = ('54138969', '55011271', '58860488', '60457274')
PANOPTIC_CAMERAS = ('00_03', '00_06', '00_12', '00_13', '00_23')
CAMPUS_SHELF_IMAGE = dict(campus='campus4-c{cam}-{frame:05d}.png',
                          shelf='img_{frame:06d}.png')


def dummy_image(path, seed):
    """Write an 8 x 6 image with random content (distinct bytes per seed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    img = np.random.default_rng(seed).integers(0, 255, (6, 8, 3), np.uint8)
    assert cv2.imwrite(str(path), img)


def panoptic_tree(real, root, seq, frames, cameras=PANOPTIC_CAMERAS):
    """``root/<seq>`` linking the excerpt's calibration and poses, with
    ``hdImgs/<cam>/<cam>_<frame:08d>.jpg`` for every camera and frame."""
    src = real / 'panoptic_body3d' / seq
    seq_dir = root / seq
    seq_dir.mkdir(parents=True)
    for name in (f'calibration_{seq}.json', 'hdPose3d_stage1_coco19'):
        (seq_dir / name).symlink_to(src / name)
    for c, cam in enumerate(cameras):
        for frame in frames:
            dummy_image(seq_dir / 'hdImgs' / cam / f'{cam}_{frame:08d}.jpg',
                        c * 100000 + frame)
    return seq_dir


def campus_shelf_tree(real, root, name, frames):
    """``root`` linking calibration_<name>.json and actorsGT.mat, with an
    image of every calibrated camera per frame."""
    root.mkdir(parents=True)
    for file in (f'calibration_{name}.json', 'actorsGT.mat'):
        (root / file).symlink_to(real / name / file)
    cameras = json.loads((root / f'calibration_{name}.json').read_text())
    for c, cam in enumerate(cameras):
        for frame in frames:
            dummy_image(
                root / f'Camera{cam}' /
                CAMPUS_SHELF_IMAGE[name].format(cam=cam, frame=frame),
                c * 100000 + frame)
    return root


def h36m_world_pose(real):
    """World pose (m) [17, 3] of the excerpt's first sample (S1, camera
    54138969), from X_cam = R^T (X_world - T)."""
    ann = np.load(real / 'h36m' / 'test_h36m_body3d.npz')
    assert ann['imgname'][0].startswith('S1/')
    cam = h36m_cameras(real)[('S1', '54138969')]
    return ann['S'][0, :, :3] @ cam['R'].T + cam['T'].reshape(3)


def h36m_cameras(real):
    with open(real / 'h36m' / 'cameras.pkl', 'rb') as f:
        return pickle.load(f)


def h36m_tree(real, root, views):
    """mmpose-style Human3.6M root with synchronised views.

    ``views`` lists ``(subject, seq, frame, cam, with_image)``; the pose of
    each is :func:`h36m_world_pose` shifted by ``frame`` mm along x, written
    in the camera's frame (metres) as ``S``. Returns the world poses (mm)
    ``(subject, seq, frame) -> [17, 3]``.
    """
    params = h36m_cameras(real)
    base = h36m_world_pose(real)
    (root / 'annotation_body3d').mkdir(parents=True)
    (root / 'annotation_body3d' / 'cameras.pkl').symlink_to(
        real / 'h36m' / 'cameras.pkl')
    names, poses, world = [], [], {}
    for i, (subject, seq, frame, cam, with_image) in enumerate(views):
        pose = base + [frame / 1000., 0., 0.]
        world[(subject, seq, frame)] = 1000. * pose
        p = params[(subject, cam)]
        joints_cam = (pose - p['T'].reshape(3)) @ p['R']
        name = f'{subject}/{seq}.{cam}/{seq}.{cam}_{frame:06d}.jpg'
        names.append(name)
        poses.append(np.concatenate([joints_cam, np.ones((17, 1))], 1))
        if with_image:
            dummy_image(root / 'images' / name, i)
    np.savez(root / 'annotation_body3d' / 'ann.npz', imgname=np.array(names),
             S=np.array(poses))
    return world


def full_size_images(folder, size):
    """Overwrite every image below ``folder`` with a grey one of ``size``
    (W, H), the calibrated size the readers check."""
    for path in sorted(folder.rglob('*.jpg')) + sorted(folder.rglob('*.png')):
        assert cv2.imwrite(str(path),
                           np.full((size[1], size[0], 3), 90, np.uint8))


def assert_validates_without_labels(dataset_type, root, **kwargs):
    """The reader on unlabelled frames gives samples without labels, and
    DecompositionMetric reports the slot statistics instead of failing."""
    import torch
    from mmengine.registry import init_default_scope

    from nsd_toolkit.evaluation import DecompositionMetric
    init_default_scope('nsd_toolkit')
    dataset = dataset_type(
        str(root),
        pipeline=[
            dict(type='SampleViews', mode='all'),
            dict(type='LoadMultiViewImages'),
            dict(type='ResizeMultiView', size=(64, 36)),
            dict(type='PackMultiViewInputs')
        ],
        **kwargs)
    sample = dataset[0]['data_samples']
    assert 'gt_joints_cam' not in sample and 'gt_masks' not in sample
    views = len(sample.cameras)
    sample.pred_bboxes = torch.tensor([[[0.0, 0.0, 32.0, 18.0]]]).repeat(
        views, 1, 1)
    sample.pred_masks = torch.zeros(views, 1, 36, 64)
    metric = DecompositionMetric()
    metric.process({}, [sample])
    assert metric.evaluate(1) == {'decomposition/box_area': 0.25,
                                  'decomposition/mask_area': 0.0}
