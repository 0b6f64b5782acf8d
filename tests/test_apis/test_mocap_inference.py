"""inference_capture: perfect predictions give the ground truth, the real
model's output schema, the chunk cache, refused models and captures, the
mask and crop-box root cues."""
import argparse
import copy
import itertools
import math
import os

import numpy as np
import pytest
import torch
from mocap_test_utils import (NUM_FRAMES, NUM_VIEWS, make_capture,
                              perfect_predict, tiny_pose_config)
from nsd_test_utils import tiny_nsd_cfg

from nsd_toolkit.apis import (capture_dataset, check_pose_config,
                              fuse_predictions, inference_capture, init_model,
                              most_consistent_root_cue)
from nsd_toolkit.apis.mocap import (add_fusion_arguments, drop_short_tracks,
                                    fusion_settings, person_size_ratios,
                                    root_pixels, slot_boxes,
                                    suppress_duplicates,
                                    use_root_cue, vote_facing)
from nsd_toolkit.evaluation.functional import H36M_FACING_JOINTS
from nsd_toolkit.mocap import (Tracker, bone_vectors, foreground_masks,
                               median_bone_lengths, size_ratios, smooth_track)
from nsd_toolkit.structures import MultiViewDataSample


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


@pytest.mark.parametrize('association_method', ['grouping', 'joint'])
def test_perfect_predictions_give_the_ground_truth(cfg, model, capture_root,
                                                   association_method):
    model.predict = perfect_predict
    dataset = dataset_of(cfg, capture_root)
    capture = inference_capture(
        model, dataset, Tracker(smoothing=None), batch_size=4,
        fuse_cfg=dict(association_method=association_method),
        temporal_sigma=None)
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
    first = inference_capture(model, dataset, Tracker(smoothing=0.5),
                              cache_dir=cache, chunk_size=4)
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


def test_lag_free_smoothing_reaches_the_tracks_and_the_moments(
        cfg, model, capture_root):
    dataset = dataset_of(cfg, capture_root)
    raw = inference_capture(model, dataset, Tracker(smoothing=None),
                            temporal_sigma=None, bone_lengths='moment')
    smooth = inference_capture(model, dataset, Tracker(smoothing=None),
                               temporal_sigma=1.0, bone_lengths='moment')
    assert [t.track_id for t in smooth.tracks] == \
        [t.track_id for t in raw.tracks] and raw.tracks
    for track, raw_track in zip(smooth.tracks, raw.tracks):
        np.testing.assert_allclose(track.joints,
                                   smooth_track(raw_track, 1.0).joints)
        for frame, joints in zip(track.frames, track.joints):
            person, = [p for p in smooth.moments[frame].people
                       if p.track_id == track.track_id]
            np.testing.assert_array_equal(person.joints, joints)
    assert not np.allclose(smooth.tracks[0].joints, raw.tracks[0].joints)


def stretched_predict():
    """Perfect predictions whose skeletons are scaled by 1 + 0.1 sin(k) at
    the k-th moment predicted: bones whose lengths vary over time, the same
    for every capture run with a new wrapper."""
    moments = itertools.count()

    def stretched(inputs, data_samples):
        data_samples = perfect_predict(inputs, data_samples)
        for sample in data_samples:
            sample.pred_joints_3d = sample.pred_joints_3d * (
                1.0 + 0.1 * math.sin(next(moments)))
        return data_samples
    return stretched


def test_tracks_keep_their_median_bone_lengths(cfg, model, capture_root):
    dataset = dataset_of(cfg, capture_root)
    model.predict = stretched_predict()
    free = inference_capture(model, dataset, Tracker(smoothing=None),
                             bone_lengths='moment')
    model.predict = stretched_predict()
    rigid = inference_capture(model, dataset, Tracker(smoothing=None))
    assert [t.track_id for t in rigid.tracks] == \
        [t.track_id for t in free.tracks] and free.tracks
    for track, free_track in zip(rigid.tracks, free.tracks):
        lengths = np.linalg.norm(bone_vectors(track.joints), axis=-1)
        np.testing.assert_allclose(
            lengths, np.broadcast_to(median_bone_lengths(free_track.joints),
                                     lengths.shape))
        for frame, joints in zip(track.frames, track.joints):
            person, = [p for p in rigid.moments[frame].people
                       if p.track_id == track.track_id]
            np.testing.assert_array_equal(person.joints, joints)
    free_lengths = np.linalg.norm(bone_vectors(free.tracks[0].joints),
                                  axis=-1)
    assert free_lengths.std(0).max() > 1.0  # the stretched bones vary
    with pytest.raises(ValueError, match='bone_lengths'):
        inference_capture(model, dataset, bone_lengths='frame')


def mirrored_predict(view):
    """Perfect predictions whose poses in ``view`` are mirrored left to
    right (camera x negated), as a pose model that mistakes front and back."""
    def mirrored(inputs, data_samples):
        data_samples = perfect_predict(inputs, data_samples)
        for sample in data_samples:
            sample.pred_joints_3d[view, ..., 0] *= -1.0
        return data_samples
    return mirrored


def test_views_facing_away_are_left_out(cfg, model, capture_root):
    model.predict = mirrored_predict(view=0)  # sees the people's fronts
    dataset = dataset_of(cfg, capture_root)
    gt = ground_truth(dataset)
    # per-joint rejection off: only the facing check can leave a view out
    lenient = dict(fusion=dict(outlier_mm=1e4))
    runs = [inference_capture(model, dataset, Tracker(smoothing=None),
                              fuse_cfg=dict(lenient, facing_check=check),
                              temporal_sigma=None, bone_lengths='moment')
            for check in (True, False)]
    views = [[person.views for moment in run.moments
              for person in moment.people] for run in runs]
    assert views[1] == [list(range(NUM_VIEWS))] * (2 * NUM_FRAMES)
    assert views[0] == [list(range(1, NUM_VIEWS))] * (2 * NUM_FRAMES)
    errors = [np.mean([
        np.linalg.norm(people - person.joints, axis=-1).mean(-1).min()
        for moment, people in zip(run.moments, gt)
        for person in moment.people]) for run in runs]
    assert errors[0] < 0.5 * errors[1]


def turned_predict(moment, views):
    """Perfect predictions whose poses in ``views`` at the ``moment``-th
    moment predicted are turned by 180 degrees about the world's vertical:
    a pose model that mistakes front and back."""
    moments = itertools.count()
    turn = torch.diag(torch.tensor([-1.0, -1.0, 1.0], dtype=torch.float64))

    def turned(inputs, data_samples):
        data_samples = perfect_predict(inputs, data_samples)
        for index, sample in enumerate(data_samples):
            if next(moments) == moment:
                R = inputs['R'][index, views].double()  # [v, 3, 3]
                poses = sample.pred_joints_3d[views]  # [v, N, 17, 3]
                sample.pred_joints_3d[views] = torch.einsum(
                    'vij,jk,vlk,vnml->vnmi', R, turn, R, poses)
        return data_samples
    return turned


def test_views_are_checked_against_the_facing_over_time(cfg, model,
                                                        capture_root):
    dataset = dataset_of(cfg, capture_root)
    gt = ground_truth(dataset)
    # only the facing decides; the joints named as the default
    lenient = dict(fusion=dict(outlier_mm=1e4,
                               facing_joints=H36M_FACING_JOINTS))
    runs = []
    for vote in (2.0, None):
        model.predict = turned_predict(moment=3, views=[0, 1])
        runs.append(inference_capture(
            model, dataset, Tracker(smoothing=None), fuse_cfg=lenient,
            temporal_sigma=None, facing_vote=vote, bone_lengths='moment'))
    errors = [[np.linalg.norm(gt[3] - person.joints, axis=-1).mean(-1).min()
               for person in run.moments[3].people] for run in runs]
    assert max(errors[0]) < 1.0 and min(errors[1]) > 10.0
    assert [p.views for p in runs[0].moments[3].people] == [[2, 3]] * 2
    for voted, plain in zip(runs[0].tracks, runs[1].tracks):
        other = voted.frames != 3
        np.testing.assert_array_equal(voted.joints[other],
                                      plain.joints[other])
        row = np.flatnonzero(voted.frames == 3)[0]
        person, = [p for p in runs[0].moments[3].people
                   if p.track_id == voted.track_id]
        np.testing.assert_array_equal(person.joints, voted.joints[row])
        assert person.views == voted.views[row]
    fused = {0: []}  # no facing joints: nothing to vote on
    assert vote_facing(fused, Tracker(), 2.0, dict(facing_joints=None)) \
        is fused


def test_fusion_settings_of_the_tools():
    parser = argparse.ArgumentParser()
    add_fusion_arguments(parser)
    assert fusion_settings(parser.parse_args([])) == dict(
        association_method='auto', size_cue='auto', facing_check=True)
    args = parser.parse_args(['--no-facing-check', '--association', 'joint'])
    assert fusion_settings(args) == dict(
        association_method='joint', size_cue='auto', facing_check=False)


def mask_predict(shift=0.0, empty=()):
    """Perfect predictions whose masks are the ground-truth instance masks
    (``empty``: (view, person) pairs whose mask is blank) and whose crop
    boxes are moved by ``shift`` px."""
    def predict(inputs, data_samples):
        data_samples = perfect_predict(inputs, data_samples)
        for sample in data_samples:
            people = torch.arange(1, sample.pred_bboxes.shape[1] + 1)
            masks = (sample.gt_masks[:, None] == people[:, None, None]).float()
            for view, person in empty:
                masks[view, person] = 0.0
            sample.pred_masks = masks
            sample.pred_bboxes = sample.pred_bboxes + shift
        return data_samples
    return predict


def root_errors(capture, gt):
    """Distance (mm) of every tracked root to the nearest true root."""
    return np.array([
        np.linalg.norm(people[:, 0] - person.joints[0], axis=-1).min()
        for moment, people in zip(capture.moments, gt)
        for person in moment.people])


def test_mask_boxes_give_the_root_whatever_the_crop_boxes(cfg, model,
                                                          capture_root):
    model.predict = mask_predict(shift=6.0)  # crop windows 6 px off
    dataset = dataset_of(cfg, capture_root)
    gt = ground_truth(dataset)
    masks = inference_capture(model, dataset, Tracker(smoothing=None))
    crops = inference_capture(model, dataset, Tracker(smoothing=None),
                              root_cue='crop_box')
    errors = root_errors(masks, gt)
    assert len(errors) == 2 * NUM_FRAMES
    # the pelvis is not the centre of the body's box: within ~2 px (66 mm
    # per px at 5 m with a focal length of 75 px)
    assert errors.mean() < 120.0 and errors.max() < 200.0
    assert root_errors(crops, gt).min() > 500.0


def test_the_root_heads_pixels_give_the_root_whatever_the_boxes(
        cfg, model, capture_root):
    masks = mask_predict(shift=6.0)

    def predict(inputs, data_samples):
        data_samples = masks(inputs, data_samples)
        for sample in data_samples:
            sample.pred_root_2d = sample.gt_keypoints_2d[:, :, 0].double()
        return data_samples

    model.predict = predict
    dataset = dataset_of(cfg, capture_root)
    gt = ground_truth(dataset)
    runs = {cue: root_errors(inference_capture(
        model, dataset, Tracker(smoothing=None), root_cue=cue,
        temporal_sigma=None), gt) for cue in ('auto', 'root_head',
                                              'mask_box')}
    for cue in ('auto', 'root_head'):
        assert len(runs[cue]) == 2 * NUM_FRAMES and runs[cue].max() < 1.0
    assert runs['mask_box'].mean() > 10.0


def jittered_root_cues(head_px, box_px):
    """Perfect predictions (crop boxes centred on the roots) with root-head
    pixels, and the crop boxes moved by a different ``head_px`` / ``box_px``
    offset in each view: the views disagree on that cue's roots."""
    offsets = torch.tensor([[1.0, -1.0], [-1.0, 1.0], [1.0, 1.0],
                            [-1.0, -1.0]], dtype=torch.float64)[:, None]

    def predict(inputs, data_samples):
        for sample in perfect_predict(inputs, data_samples):
            sample.pred_root_2d = (sample.gt_keypoints_2d[:, :, 0].double() +
                                   head_px * offsets)
            sample.pred_bboxes = sample.pred_bboxes + box_px * offsets.repeat(
                1, 1, 2)
        return data_samples
    return predict


@pytest.mark.parametrize('head_px, box_px, kept, other',
                         [(4.0, 0.0, 'crop_box', 'root_head'),
                          (0.0, 4.0, 'root_head', 'crop_box')])
def test_auto_keeps_the_root_cue_the_views_agree_on(cfg, model, capture_root,
                                                    tmp_path, head_px, box_px,
                                                    kept, other):
    model.root_head = torch.nn.Identity()  # with a head, 'auto' weighs both
    model.predict = jittered_root_cues(head_px, box_px)
    dataset = dataset_of(cfg, capture_root)
    gt = ground_truth(dataset)
    runs = {cue: inference_capture(
        model, dataset, Tracker(smoothing=None), root_cue=cue,
        temporal_sigma=None, cache_dir=str(tmp_path / cue), chunk_size=4)
        for cue in ('auto', other)}
    assert runs['auto'].root_cue == kept and runs[other].root_cue == other
    assert sorted(os.listdir(tmp_path / 'auto')) == ['crop_box', 'root_head']
    assert root_errors(runs['auto'], gt).max() < 1.0
    assert root_errors(runs[other], gt).mean() > 20.0
    again = inference_capture(model, dataset, Tracker(smoothing=None),
                              temporal_sigma=None,
                              cache_dir=str(tmp_path / 'auto'), chunk_size=4)
    assert again.root_cue == kept  # resumed from both cues' caches


def test_most_consistent_root_cue():
    def moments(*residuals):
        return {0: [dict(root_residual_px=r) for r in residuals], 1: []}
    assert most_consistent_root_cue(dict(
        root_head=moments(2.0, 4.0), mask_box=moments(2.5, 2.5))) == 'mask_box'
    assert most_consistent_root_cue(dict(
        root_head=moments(2.0), mask_box=moments(2.0))) == 'root_head'
    assert most_consistent_root_cue(dict(
        root_head={0: []}, crop_box=moments(9.0))) == 'crop_box'
    # the head lost a person at moment 2: only moment 0 compares the cues
    head, boxes = moments(2.5, 2.5), moments(2.0, 2.0)
    head[2], boxes[2] = [dict(root_residual_px=0.5)], moments(2.0, 2.0)[0]
    assert most_consistent_root_cue(dict(root_head=head,
                                         mask_box=boxes)) == 'mask_box'


def test_a_model_with_a_root_head_predicts_root_pixels(cfg, capture_root):
    head_cfg = copy.deepcopy(cfg)
    head_cfg.model.root_head = dict(type='MLPRootHead', hidden_channels=(8, ))
    use_root_cue(head_cfg, 'root_head')
    predictions = []
    capture = inference_capture(init_model(head_cfg),
                                dataset_of(cfg, capture_root),
                                root_cue='root_head', min_track_moments=1,
                                on_predictions=predictions.extend)
    assert predictions[0].pred_root_2d.shape == (NUM_VIEWS, 2, 2)
    assert len(capture.moments) == NUM_FRAMES


def test_root_pixels_of_each_cue():
    sample = MultiViewDataSample()
    boxes = np.array([[[0.0, 0.0, 9.0, 5.0], [np.nan] * 4]])
    with pytest.raises(ValueError, match="root_cue='root_head' needs"):
        root_pixels(sample, boxes, 'root_head')
    centres = [[[4.0, 2.0], [np.nan, np.nan]]]
    np.testing.assert_array_equal(root_pixels(sample, boxes), centres)
    sample.pred_root_2d = torch.tensor([[[3.0, 1.0], [7.0, 7.0]]])
    for cue in ('auto', 'root_head'):  # slots without a box stay out
        np.testing.assert_array_equal(root_pixels(sample, boxes, cue),
                                      [[[3.0, 1.0], [np.nan, np.nan]]])
    for cue in ('mask_box', 'crop_box'):
        np.testing.assert_array_equal(root_pixels(sample, boxes, cue),
                                      centres)


def test_slots_with_empty_masks_are_left_out(cfg, model, capture_root):
    model.predict = mask_predict(empty=[(0, 1), (3, 0), (3, 1)])
    capture = inference_capture(model, dataset_of(cfg, capture_root),
                                Tracker(smoothing=None))
    views = sorted(person.views for moment in capture.moments
                   for person in moment.people)
    assert views == [[0, 1, 2]] * NUM_FRAMES + [[1, 2]] * NUM_FRAMES


def test_slot_boxes_of_each_cue():
    sample = MultiViewDataSample()
    sample.pred_bboxes = torch.tensor([[[0.0, 0.0, 9.0, 9.0]] * 2])
    masks = torch.zeros(1, 2, 8, 10)
    masks[0, 0, 1:6, 2:10] = 0.6  # a soft margin
    masks[0, 0, 2:5, 3:9] = 0.9
    masks[0, 1] = 0.6  # below 0.7 everywhere: left out
    np.testing.assert_array_equal(slot_boxes(sample, 'auto'),
                                  sample.pred_bboxes.numpy())
    with pytest.raises(ValueError, match='predict_masks=True'):
        slot_boxes(sample, 'mask_box')
    with pytest.raises(ValueError, match='root_cue must be one of'):
        slot_boxes(sample, 'mask_centre')
    sample.pred_masks = masks
    expected = [[[3.0, 2.0, 9.0, 5.0], [np.nan] * 4]]
    for cue in ('auto', 'mask_box'):
        np.testing.assert_array_equal(slot_boxes(sample, cue, 0.7),
                                      expected)
    np.testing.assert_array_equal(slot_boxes(sample, 'mask_box', 0.5),
                                  [[[2.0, 1.0, 10.0, 6.0],
                                    [0.0, 0.0, 10.0, 8.0]]])
    np.testing.assert_array_equal(slot_boxes(sample, 'crop_box'),
                                  sample.pred_bboxes.numpy())


def test_the_mask_cue_switches_the_model_masks_on(cfg, capture_root):
    mask_cfg = copy.deepcopy(cfg)
    use_root_cue(mask_cfg, 'crop_box')
    assert not init_model(mask_cfg).predict_masks
    with pytest.raises(ValueError, match="size_cue='foreground' needs"):
        use_root_cue(mask_cfg, 'crop_box', 'foreground')
    with pytest.raises(ValueError, match='size_cue must be one of'):
        use_root_cue(mask_cfg, 'auto', 'height')
    with pytest.raises(ValueError, match=r'needs a pose model with a root '
                       r'head \(model.root_head'):
        use_root_cue(mask_cfg, 'root_head')
    use_root_cue(mask_cfg, 'auto')
    predictions = []
    capture = inference_capture(init_model(mask_cfg),
                                dataset_of(cfg, capture_root),
                                min_track_moments=1,
                                on_predictions=predictions.extend)
    assert predictions[0].pred_masks.shape == (NUM_VIEWS, 2, 48, 64)
    assert predictions[0].pred_silhouettes.shape == (NUM_VIEWS, 2, 48, 64)
    assert len(capture.moments) == NUM_FRAMES


def test_the_cache_follows_the_mask_prediction(cfg, model, capture_root,
                                               tmp_path):
    calls = []
    model.predict = counting(mask_predict(), calls)
    dataset, cache = dataset_of(cfg, capture_root), str(tmp_path / 'cache')
    inference_capture(model, dataset, cache_dir=cache)
    model.predict_masks = True
    inference_capture(model, dataset, cache_dir=cache)
    assert sum(calls) == 2 * NUM_FRAMES


def test_association_method_is_checked():
    sample = MultiViewDataSample()
    sample.pred_joints_3d = torch.zeros(2, 1, 17, 3)
    sample.pred_appearance = torch.ones(2, 1, 4)
    sample.pred_bboxes = torch.tensor([[[0.0, 0, 4, 4]]]).expand(2, 1, 4)
    sample.pred_scores = torch.ones(2, 1)
    K = np.tile(np.eye(3), (2, 1, 1))
    with pytest.raises(ValueError, match='presence scores'):
        fuse_predictions(sample, K, K, np.zeros((2, 3)), root_cue='crop_box',
                         association_method='joint')
    with pytest.raises(ValueError, match='association_method'):
        fuse_predictions(sample, K, K, np.zeros((2, 3)), root_cue='crop_box',
                         association_method='nearest')


def shrunken_predict(factor):
    """Mask-cue predictions whose poses are ``factor`` times too small and
    whose silhouettes, the instance masks less their top and bottom rows,
    are too small too (as a model trained on smaller people)."""
    predict = mask_predict()

    def shrunken(inputs, data_samples):
        data_samples = predict(inputs, data_samples)
        for sample in data_samples:
            sample.pred_joints_3d = sample.pred_joints_3d * factor
            rows = sample.pred_masks.amax(-1) > 0  # [V, N, H]
            edges = rows & ~(rows.roll(1, -1) & rows.roll(-1, -1))
            sample.pred_silhouettes = sample.pred_masks * ~edges[..., None]
        return data_samples
    return shrunken


def test_the_size_cue_grows_shrunken_skeletons(cfg, model, capture_root):
    """Skeletons and silhouettes both too small: the foreground of the
    frames scales the skeletons towards the people's size; without the
    cue they stay as predicted."""
    model.predict = shrunken_predict(0.9)
    dataset = dataset_of(cfg, capture_root)
    gt = ground_truth(dataset)

    def relative_error(size_cue):
        capture = inference_capture(model, dataset, Tracker(smoothing=None),
                                    temporal_sigma=None,
                                    fuse_cfg=dict(size_cue=size_cue))
        errors = [np.linalg.norm((people - people[:, :1])[:, None] -
                                 (p.joints - p.joints[0]), axis=-1
                                 ).mean(-1).min()
                  for moment, people in zip(capture.moments, gt)
                  for p in moment.people]
        return np.mean(errors)

    none, foreground = relative_error('none'), relative_error('auto')
    assert none > 20.0  # 10 % of a body of ~1 m radius
    assert foreground < 0.8 * none


def test_person_size_ratios_of_each_cue():
    sample = MultiViewDataSample()
    silhouettes = torch.zeros(1, 1, 20, 10)
    silhouettes[0, 0, 5:15, 2:8] = 0.9
    images = np.zeros((1, 3, 20, 10), np.uint8)
    images[0, :, 4:15, 2:8] = 200  # one row taller than the silhouette
    backgrounds = np.zeros_like(images)
    assert person_size_ratios(sample, images, backgrounds, 'auto') is None
    with pytest.raises(ValueError, match='predict_masks=True'):
        person_size_ratios(sample, images, backgrounds, 'foreground')
    with pytest.raises(ValueError, match='size_cue must be one of'):
        person_size_ratios(sample, images, backgrounds, 'height')
    sample.pred_silhouettes = silhouettes
    assert person_size_ratios(sample, None, None, 'auto') is None
    assert person_size_ratios(sample, images, backgrounds, 'none') is None
    for cue in ('auto', 'foreground'):
        ratios = person_size_ratios(sample, images, backgrounds, cue)
        np.testing.assert_allclose(ratios, [[1.1]])
        np.testing.assert_array_equal(ratios, size_ratios(
            silhouettes.numpy(), foreground_masks(images, backgrounds)))
