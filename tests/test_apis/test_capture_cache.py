"""MomentCache: fused people with their pose evidence round-trip."""
import numpy as np
from mocap_test_utils import make_capture, tiny_pose_config

from nsd_toolkit.apis import capture_cache, capture_dataset, init_model
from nsd_toolkit.apis.capture_cache import MomentCache, fingerprint


def fused_person(seed, views):
    rng = np.random.default_rng(seed)
    view_poses = np.full((4, 17, 3), np.nan)
    view_poses[views] = rng.normal(0, 300, (len(views), 17, 3))
    view_weights = np.zeros((4, 17))
    view_weights[views] = rng.uniform(0.5, 1.0, (len(views), 17))
    return dict(root=rng.normal(0, 1000, 3),
                root_residual_px=float(rng.uniform(0, 5)),
                joints=rng.normal(0, 1000, (17, 3)),
                confidence=rng.uniform(0, 1, 17),
                appearance=rng.normal(0, 1, 8), views=list(views),
                view_poses=view_poses, view_weights=view_weights,
                scale=float(rng.uniform(0.8, 1.2)))


def test_people_and_their_evidence_come_back(tmp_path):
    fused = {3: [fused_person(0, [0, 2, 3]), fused_person(1, [1, 2])],
             4: [], 5: [fused_person(2, [0, 1, 2, 3])]}
    MomentCache(str(tmp_path), 'abc', 4).save(range(3, 6), fused)
    loaded = MomentCache(str(tmp_path), 'abc', 4).load(range(3, 6))
    assert sorted(loaded) == [3, 4, 5]
    for moment, people in fused.items():
        assert len(loaded[moment]) == len(people)
        for back, person in zip(loaded[moment], people):
            assert back['views'] == person['views']
            for key, value in person.items():
                if key != 'views':
                    np.testing.assert_array_equal(back[key], value)
    assert MomentCache(str(tmp_path), 'other', 4).load(range(3, 6)) is None


def test_the_fingerprint_follows_the_cache_format(tmp_path, monkeypatch):
    root = make_capture(tmp_path / 'data')
    cfg = tiny_pose_config(root)
    model, dataset = init_model(cfg), capture_dataset(cfg, root)
    before = fingerprint(model, dataset, {})
    assert fingerprint(model, dataset, {}) == before
    monkeypatch.setattr(capture_cache, 'CACHE_FORMAT',
                        capture_cache.CACHE_FORMAT + 1)
    assert fingerprint(model, dataset, {}) != before
