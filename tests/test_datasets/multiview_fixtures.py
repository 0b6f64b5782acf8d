"""Tiny multi-view datasets in the toolkit format, written with cv2 for tests."""
import json
import os.path as osp

import cv2
import numpy as np

WIDTH, HEIGHT, SQUARE = 32, 24, 6


def static_image(cam_index):
    """Deterministic RGB background [H, W, 3] of a camera."""
    return np.random.default_rng(cam_index).integers(
        0, 200, (HEIGHT, WIDTH, 3), dtype=np.uint8)


def square_corner(frame):
    """Top-left (x, y) of the moving square; it covers any pixel < 3 frames."""
    return (3 * frame) % (WIDTH - SQUARE), (2 * frame) % (HEIGHT - SQUARE)


def camera(cam_index):
    """Calibration entry: cameras on a circle looking at the origin."""
    angle = 2 * np.pi * cam_index / 3
    R = cv2.Rodrigues(np.array([0., angle, 0.]))[0]
    return dict(K=[[30., 0., 15.5], [0., 30., 11.5], [0., 0., 1.]],
                R=R.tolist(), t=[0., 0., 3000.], size=[WIDTH, HEIGHT])


def write_multiview_root(root, sequences=None, cameras=('cam0', 'cam1', 'cam2'),
                         poses=True, masks=True):
    """Write ROOT in the toolkit format; ``sequences`` maps name -> frames."""
    sequences = sequences or {'seq0': 10, 'seq1': 4}
    calib = dict(units='mm',
                 cameras={cam: camera(i) for i, cam in enumerate(cameras)})
    root.mkdir(parents=True, exist_ok=True)
    (root / 'calibration.json').write_text(json.dumps(calib))
    for seq, num_frames in sequences.items():
        for c, cam in enumerate(cameras):
            (root / seq / cam).mkdir(parents=True)
            if masks:
                (root / seq / 'masks' / cam).mkdir(parents=True)
            for f in range(num_frames):
                img, mask = static_image(c), np.zeros((HEIGHT, WIDTH), np.uint8)
                x, y = square_corner(f)
                img[y:y + SQUARE, x:x + SQUARE] = 255
                mask[y:y + SQUARE, x:x + SQUARE] = 1
                cv2.imwrite(str(root / seq / cam / f'{f:06d}.png'),
                            cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
                if masks:
                    cv2.imwrite(
                        str(root / seq / 'masks' / cam / f'{f:06d}.png'), mask)
        if poses:
            np.save(root / seq / 'poses3d.npy',
                    np.random.default_rng(0).normal(
                        size=(num_frames, 1, 17, 3)).astype(np.float32))
    return root


def files_under(folder):
    return sorted(
        osp.relpath(str(p), str(folder)) for p in folder.rglob('*')
        if p.is_file())
