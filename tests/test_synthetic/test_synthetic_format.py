"""On-disk format of the synthetic generator."""
import os
import os.path as osp

import cv2
import numpy as np

from nsd_toolkit.synthetic import (JOINT_NAMES, build_scene, pixel_rays,
                                   render_people)


def test_calibration_schema(small):
    cal = small.calibration
    assert cal['units'] == 'mm'
    assert sorted(cal['cameras']) == ['cam_00', 'cam_01', 'cam_02']
    for cam in small.cameras.values():
        assert set(cam) == {'K', 'R', 't', 'size'}
        assert cam['K'].shape == (3, 3) and cam['R'].shape == (3, 3)
        assert cam['t'].shape == (3, )
        assert cam['size'].tolist() == [64, 48]
        np.testing.assert_allclose(cam['R'] @ cam['R'].T, np.eye(3), atol=1e-9)
        assert np.linalg.det(cam['R']) > 0.999
        assert cam['K'][0, 0] > 0 and cam['K'][2].tolist() == [0, 0, 1]
        # cameras sit outside the capture area, above the floor, tilted down
        centre = -cam['R'].T @ cam['t']
        assert np.hypot(*centre[:2]) > 3000 and centre[2] > 1000
        assert cam['R'][2, 2] < 0


def test_files_per_camera_and_sequence(small):
    assert sorted(os.listdir(small.root)) == [
        'calibration.json', 'seq_000', 'seq_001', 'synthetic_meta.json'
    ]
    expected = [f'{f:06d}' for f in range(4)]
    for seq in ('seq_000', 'seq_001'):
        for cam in small.cameras:
            frames = sorted(os.listdir(osp.join(small.root, seq, cam)))
            masks = sorted(os.listdir(osp.join(small.root, seq, 'masks', cam)))
            assert frames == [e + '.jpg' for e in expected]
            assert masks == [e + '.png' for e in expected]
            assert small.image(cam, 3, seq).shape == (48, 64, 3)
            mask = small.mask(cam, 3, seq)
            assert mask.dtype == np.uint8 and mask.shape == (48, 64)
            assert set(np.unique(mask)) <= {0, 1, 2}


def test_poses_and_meta(small):
    poses = small.poses()
    assert poses.dtype == np.float32 and poses.shape == (4, 2, 17, 3)
    assert np.isfinite(poses).all()
    heights = poses[..., 10, 2] - poses[..., 3, 2].clip(max=100)
    assert (heights > 1300).all() and (heights < 2000).all()
    # sequences share people but not motion
    assert not np.allclose(poses, small.poses('seq_001'))
    meta = small.meta
    assert meta['arguments']['num_people'] == 2
    assert meta['arguments']['size'] == [64, 48]
    assert meta['joint_names'] == list(JOINT_NAMES)
    assert sorted(meta['sequences']) == ['seq_000', 'seq_001']


def test_frames_are_rgb_renderings_of_the_poses(small):
    """A frame re-rendered from the API matches the JPEG in RGB order."""
    scene = build_scene(0, 2, 3, (64, 48))
    cam = scene['cameras']['cam_01']
    assert np.allclose(cam['R'], small.cameras['cam_01']['R'])
    image, mask = render_people(scene['backgrounds']['cam_01'], cam,
                                pixel_rays(cam),
                                small.poses()[2].astype(float),
                                scene['people'])
    # compare colours at a coarse scale, where JPEG loses little
    disk = cv2.blur(small.image('cam_01', 2), (5, 5)).astype(int)
    image = cv2.blur(image, (5, 5)).astype(int)
    assert np.abs(disk - image).mean() < 2
    assert np.abs(disk[..., ::-1] - image).mean() > 8  # BGR would not match
    assert (small.mask('cam_01', 2) == mask).all()
