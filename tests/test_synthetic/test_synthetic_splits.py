"""Test sequences of the synthetic generator show people never seen in training."""
import os

import numpy as np
import pytest

from nsd_toolkit.synthetic import build_scene, sample_people

SPLIT_ARGS = dict(num_people=2,
                  num_views=2,
                  num_frames=3,
                  size=(48, 32),
                  num_sequences=2,
                  num_test_sequences=2)


@pytest.fixture(scope='module')
def with_test(tmp_path_factory, make_dataset):
    return make_dataset(str(tmp_path_factory.mktemp('split') / 'out'),
                        seed=3,
                        **SPLIT_ARGS)


def _identity(person):
    return (person['height'], person['hue'], person['skin'], person['hair'])


@pytest.mark.parametrize('seed', range(6))
def test_test_people_share_no_identity_with_training(seed):
    scene = build_scene(seed=seed, num_people=3)
    train, test = scene['people'], scene['test_people']
    assert len(test) == 3
    for new in test:
        for old in train:
            assert abs(new['height'] - old['height']) >= 30.0
            hue_gap = abs(new['hue'] - old['hue'])
            assert min(hue_gap, 1 - hue_gap) > 0.05
            assert not np.allclose(new['palette'], old['palette'])
    # 5 skin and 4 hair tones: 3 new people take tones the 3 others lack
    # while any are left
    used_skin = {p['skin'] for p in train}
    used_hair = {p['hair'] for p in train}
    assert all(p['skin'] not in used_skin for p in test[:5 - len(used_skin)])
    assert all(p['hair'] not in used_hair for p in test[:4 - len(used_hair)])


@pytest.mark.parametrize('seed', range(4))
def test_validation_people_are_unlike_training_and_test_people(seed):
    scene = build_scene(seed=seed, num_people=2)
    assert len(scene['val_people']) == 2
    for new in scene['val_people']:
        for old in scene['people'] + scene['test_people']:
            assert abs(new['height'] - old['height']) >= 30.0
            hue_gap = abs(new['hue'] - old['hue'])
            assert min(hue_gap, 1 - hue_gap) > 0.05


def test_many_unseen_people_still_get_distinct_heights():
    # people every 50 mm leave no height 30 mm from all of them (this used to
    # loop forever): the gap shrinks, the new heights still avoid the old
    used = sample_people(np.random.default_rng(0), 7)
    for person, height in zip(used, np.arange(1600.0, 1901.0, 50.0)):
        person['height'] = float(height)
    new = sample_people(np.random.default_rng(1), 4, unseen=used)
    old = np.array([p['height'] for p in used])
    gaps = [np.abs(old - p['height']).min() for p in new]
    assert min(gaps) > 0.5
    assert all(1600.0 <= p['height'] <= 1900.0 for p in new)


def test_sample_people_without_unseen_is_unchanged_by_the_option():
    a = sample_people(np.random.default_rng(5), 2)
    b = sample_people(np.random.default_rng(5), 2, unseen=())
    assert [_identity(p) for p in a] == [_identity(p) for p in b]


def test_layout_and_meta_name_the_splits(with_test):
    assert sorted(os.listdir(with_test.root)) == [
        'calibration.json', 'seq_000', 'seq_001', 'synthetic_meta.json',
        'test_000', 'test_001'
    ]
    meta = with_test.meta
    assert {s: v['people'] for s, v in meta['sequences'].items()} == dict(
        seq_000='train', seq_001='train', test_000='test', test_001='test')
    assert meta['arguments']['num_test_sequences'] == 2
    assert not set(meta['heights_mm']) & set(meta['test_heights_mm'])
    for seq in ('test_000', 'test_001'):
        poses = with_test.poses(seq)
        assert poses.shape == (3, 2, 17, 3)
        mask = with_test.mask('cam_00', 0, seq)
        assert set(np.unique(mask)) <= {0, 1, 2}


def test_test_sequences_have_new_motion_and_rendered_people(with_test):
    train, test = with_test.poses('seq_000'), with_test.poses('test_000')
    assert not np.allclose(with_test.poses('test_000'),
                           with_test.poses('test_001'))
    assert not np.allclose(train, test)
    # the pelvis-to-head extent follows the person's height: the test people
    # are the ones written to test_heights_mm, not the training people
    head, ankles = 10, [3, 6]
    extent = test[..., head, 2] - test[..., ankles, 2].min(-1)
    heights = np.array(with_test.meta['test_heights_mm'])
    order = np.argsort(heights)
    assert (np.argsort(extent.mean(0)) == order).all()


def test_same_seed_same_test_split(tmp_path, with_test, make_dataset):
    again = make_dataset(str(tmp_path / 'again'), seed=3, **SPLIT_ARGS)
    for seq in ('test_000', 'test_001'):
        np.testing.assert_array_equal(again.poses(seq), with_test.poses(seq))
        np.testing.assert_array_equal(again.image('cam_01', 2, seq),
                                      with_test.image('cam_01', 2, seq))
    # adding test sequences leaves the training sequences as they were
    plain = make_dataset(str(tmp_path / 'plain'),
                         seed=3,
                         **dict(SPLIT_ARGS, num_test_sequences=0))
    assert sorted(os.listdir(plain.root))[-1] == 'synthetic_meta.json'
    np.testing.assert_array_equal(plain.poses('seq_001'),
                                  with_test.poses('seq_001'))
    np.testing.assert_array_equal(plain.image('cam_00', 1, 'seq_001'),
                                  with_test.image('cam_00', 1, 'seq_001'))


def test_unseen_validation_sequences_change_no_other_sequence(
        tmp_path, with_test, make_dataset):
    more = make_dataset(str(tmp_path / 'val'),
                        seed=3,
                        **dict(SPLIT_ARGS, num_val_sequences=1))
    assert more.meta['sequences']['val_000']['people'] == 'val'
    assert sorted(os.listdir(more.root)) == sorted(
        os.listdir(with_test.root) + ['val_000'])
    for seq in ('seq_001', 'test_001'):
        np.testing.assert_array_equal(more.poses(seq), with_test.poses(seq))
        np.testing.assert_array_equal(more.image('cam_01', 2, seq),
                                      with_test.image('cam_01', 2, seq))
    heights = more.meta['val_heights_mm']
    assert len(heights) == 2
    assert not set(heights) & set(more.meta['heights_mm'] +
                                  more.meta['test_heights_mm'])
    assert not np.allclose(more.poses('val_000'), more.poses('test_000'))


def test_bad_num_test_sequences(tmp_path, make_dataset):
    with pytest.raises(ValueError, match='num_test_sequences'):
        make_dataset(str(tmp_path / 'bad'), num_test_sequences=-1)
    with pytest.raises(ValueError, match='num_val_sequences'):
        make_dataset(str(tmp_path / 'bad'), num_val_sequences=1.5)
    assert not (tmp_path / 'bad').exists()


def test_training_casts_cycle_through_groups_of_new_people(tmp_path):
    """num_casts=2: sequence 1 shows other people than sequence 0 (which
    keeps the people of num_casts=1), sequence 2 those of sequence 0 again,
    and the test people differ from all of them."""
    from nsd_toolkit.synthetic import generate_synthetic_dataset
    kwargs = dict(num_people=2, num_views=2, num_frames=2, size=(32, 24),
                  num_sequences=3, num_test_sequences=1, seed=4,
                  progress=False)
    one = generate_synthetic_dataset(str(tmp_path / 'one'), **kwargs)
    two = generate_synthetic_dataset(str(tmp_path / 'two'), num_casts=2,
                                     **kwargs)
    assert [two['sequences'][s]['cast'] for s in
            ('seq_000', 'seq_001', 'seq_002', 'test_000')] == [0, 1, 0, None]
    assert two['heights_mm'][:2] == one['heights_mm']
    assert len(set(two['heights_mm'])) == 4
    assert not set(two['test_heights_mm']) & set(two['heights_mm'])
    for seq in ('seq_000', 'seq_001'):
        same = np.array_equal(
            np.load(tmp_path / 'one' / seq / 'poses3d.npy'),
            np.load(tmp_path / 'two' / seq / 'poses3d.npy'))
        assert same == (seq == 'seq_000')  # heights shape the poses
    with pytest.raises(ValueError, match='num_casts'):
        generate_synthetic_dataset(str(tmp_path / 'bad'), num_casts=0,
                                   **kwargs)
