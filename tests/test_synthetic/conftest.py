"""Small synthetic datasets shared by the synthetic-generator tests."""
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest

from nsd_toolkit.synthetic import generate_synthetic_dataset


class Dataset:
    """Reader of a generated dataset (paths, calibration, poses, frames)."""

    def __init__(self, root, meta):
        self.root, self.meta = root, meta
        with open(osp.join(root, 'calibration.json')) as f:
            self.calibration = json.load(f)
        self.cameras = {
            name: {
                k: np.asarray(v, float)
                for k, v in cam.items()
            }
            for name, cam in self.calibration['cameras'].items()
        }

    def poses(self, seq='seq_000'):
        return np.load(osp.join(self.root, seq, 'poses3d.npy'))

    def image(self, cam, frame, seq='seq_000'):
        """uint8 RGB [H, W, 3]."""
        path = osp.join(self.root, seq, cam, f'{frame:06d}.jpg')
        return cv2.imread(path, cv2.IMREAD_COLOR)[..., ::-1]

    def mask(self, cam, frame, seq='seq_000'):
        path = osp.join(self.root, seq, 'masks', cam, f'{frame:06d}.png')
        return cv2.imread(path, cv2.IMREAD_UNCHANGED)


def make(root, **kwargs):
    kwargs.setdefault('progress', False)
    return Dataset(root, generate_synthetic_dataset(root, **kwargs))


def files(root):
    """``relative path -> bytes`` of every file under ``root``."""
    out = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = osp.join(folder, name)
            with open(path, 'rb') as f:
                out[osp.relpath(path, root)] = f.read()
    return out


@pytest.fixture(scope='session')
def make_dataset():
    """``make_dataset(root, **kwargs) -> Dataset`` (no progress bar)."""
    return make


@pytest.fixture(scope='session')
def files_of():
    """``files_of(root) -> {relative path: bytes}``."""
    return files


@pytest.fixture(scope='session')
def small(tmp_path_factory):
    """2 people, 3 views, 2 sequences of 4 frames at 64 x 48."""
    return make(str(tmp_path_factory.mktemp('small') / 'out'),
                num_people=2,
                num_views=3,
                num_frames=4,
                size=(64, 48),
                num_sequences=2)


@pytest.fixture(scope='session')
def default_one(tmp_path_factory):
    """Default rig (1 person, 4 views, 128 x 96), 40 frames."""
    return make(str(tmp_path_factory.mktemp('one') / 'out'),
                num_frames=40,
                seed=1)
