"""inference_capture: perfect predictions give the ground truth, the real
model's output schema, the chunk cache, refused models and captures."""
import os

import numpy as np
import pytest
import torch
from mocap_test_utils import (NUM_FRAMES, NUM_VIEWS, make_capture,
                              perfect_predict, tiny_pose_config)
from nsd_test_utils import tiny_nsd_cfg

from nsd_toolkit.apis import (capture_dataset, check_pose_config,
                              inference_capture, init_model)
from nsd_toolkit.apis.mocap import drop_short_tracks, suppress_duplicates
from nsd_toolkit.mocap import Tracker


@pytest.fixture(scope='module')
def capture_root(tmp_path_factory):
    return make_capture(tmp_path_factory.mktemp('capture') / 'data')


@pytest.fixture(scope='module')
def cfg(capture_root):
    return tiny_pose_config(capture_root)


@pytest.fixture
def model(cfg):
    return init_model(cfg)


def dataset_of(cfg, root):
    return capture_dataset(cfg, root, ['seq_000'])


def ground_truth(dataset):
    return np.stack([dataset.get_data_info(i)['joints_3d']
                     for i in range(len(dataset))])


def counting(predict, counter):
    def wrapped(inputs, data_samples):
        counter.append(len(data_samples))
        return predict(inputs, data_samples)
    return wrapped


def test_perfect_predictions_give_the_ground_truth(cfg, model,
                                                   capture_root):
    model.predict = perfect_predict
    dataset = dataset_of(cfg, capture_root)
    capture = inference_capture(model, dataset, Tracker(smoothing=None),
                                batch_size=4)
    gt = ground_truth(dataset)
    assert [m.index for m in capture.moments] == list(range(NUM_FRAMES))
    assert [m.frame for m in capture.moments] == list(range(NUM_FRAMES))
    ids = []
    for moment, people in zip(capture.moments, gt):
        assert len(moment.people) == 2
        for person in moment.people:
            error = np.linalg.norm(person.joints - people, axis=-1).mean(-1)
            assert error.min() < 1.0  # mm
            assert person.views == list(range(NUM_VIEWS))
            assert np.all(person.confidence > 0.99)
        ids.append([moment.people[i].track_id for i in np.argmin(
            [np.linalg.norm(p.joints[0] - people[:, 0], axis=-1)
             for p in moment.people], 0)])
    assert sorted(ids[0]) == [0, 1] and all(i == ids[0] for i in ids)
    assert [t.track_id for t in capture.tracks] == [0, 1]
    assert all(list(t.frames) == list(range(NUM_FRAMES))
               for t in capture.tracks)
    assert set(capture.timings) == {'loading', 'model', 'fusion',
                                    'tracking'}


def test_a_dataloader_gives_its_batches(cfg, model, capture_root):
    batches = []
    model.predict = counting(perfect_predict, batches)
    loader = torch.utils.data.DataLoader(
        dataset_of(cfg, capture_root), batch_size=4,
        collate_fn=lambda items: dict(
            inputs=[item['inputs'] for item in items],
            data_samples=[item['data_samples'] for item in items]))
    capture = inference_capture(model, loader, chunk_size=10)
    assert batches == [4, 2] and len(capture.tracks) == 2


def test_the_real_model_gives_the_documented_schema(cfg, model,
                                                    capture_root):
    predictions = []
    capture = inference_capture(model, dataset_of(cfg, capture_root),
                                min_track_moments=1,
                                on_predictions=predictions.extend)
    assert len(predictions) == NUM_FRAMES
    assert predictions[0].pred_appearance.shape == (NUM_VIEWS, 2, 8)
    assert len(capture.moments) == NUM_FRAMES
    for moment in capture.moments:
        for person in moment.people:
            assert person.joints.shape == (17, 3)
            assert person.confidence.shape == (17, )
            assert set(person.views) <= set(range(NUM_VIEWS))
    rows = {(t.track_id, f) for t in capture.tracks for f in t.frames}
    assert rows == {(p.track_id, m.index) for m in capture.moments
                    for p in m.people}


def test_the_cache_resumes_and_follows_the_weights(cfg, model, capture_root,
                                                   tmp_path):
    dataset, cache = dataset_of(cfg, capture_root), str(tmp_path / 'cache')
    calls = []
    model.predict = counting(perfect_predict, calls)
    first = inference_capture(model, dataset, cache_dir=cache, chunk_size=4)
    assert sorted(os.listdir(cache)) == ['chunk_000000.npz',
                                         'chunk_000004.npz', 'manifest.json']
    assert sum(calls) == NUM_FRAMES
    os.remove(tmp_path / 'cache' / 'chunk_000004.npz')  # an interruption
    calls.clear()
    again = inference_capture(model, dataset, Tracker(smoothing=None),
                              cache_dir=cache, chunk_size=4)
    assert sum(calls) == 2  # the missing chunk only
    assert not np.allclose(first.tracks[0].joints, again.tracks[0].joints)
    raw = inference_capture(model, dataset, Tracker(smoothing=None),
                            chunk_size=4)
    for cached, fresh in zip(again.tracks, raw.tracks):
        np.testing.assert_allclose(cached.joints, fresh.joints)
        assert cached.views == fresh.views
    calls.clear()
    with torch.no_grad():
        next(model.parameters()).add_(1.0)  # other weights: recomputed
    inference_capture(model, dataset, cache_dir=cache, chunk_size=4)
    assert sum(calls) == NUM_FRAMES


def test_models_without_poses_are_refused(cfg, capture_root):
    nsd = cfg.copy()
    nsd.model = tiny_nsd_cfg(2)
    with pytest.raises(ValueError, match='model NSD is not a pose model'):
        check_pose_config(nsd)
    with pytest.raises(ValueError, match='needs a pose model.*no '
                       r"\['pred_joints_3d', 'pred_appearance'\]"):
        inference_capture(init_model(nsd), dataset_of(cfg, capture_root))


def test_a_capture_is_one_sequence(cfg, model, capture_root, tmp_path):
    with pytest.raises(ValueError, match='capture folder not found'):
        capture_dataset(cfg, str(tmp_path / 'none'))
    two = capture_dataset(cfg, capture_root, ['seq_000', 'seq_000'])
    with pytest.raises(ValueError, match='one sequence'):
        inference_capture(model, two)


def person(x, views):
    return dict(root=np.array([x, 0.0, 900.0]), views=views)


def test_duplicates_keep_the_person_seen_by_more_views():
    people = [person(0.0, [0, 1]), person(1000.0, [0, 1]),
              person(150.0, [1, 2, 3])]
    kept = suppress_duplicates(people, min_separation=300.0)
    assert kept == [people[1], people[2]]


def test_short_tracks_are_dropped_and_ids_renumbered(cfg, model,
                                                     capture_root):
    model.predict = perfect_predict
    capture = inference_capture(model, dataset_of(cfg, capture_root))
    short = capture.tracks[0]
    short.frames = short.frames[:2]
    moments, tracks = drop_short_tracks(capture.moments, capture.tracks, 3)
    assert [t.track_id for t in tracks] == [0]
    assert tracks[0].joints is capture.tracks[1].joints
    assert all([p.track_id for p in m.people] == [0] for m in moments)
