"""``min_people``: people entering and leaving the synthetic scenes."""
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope

from nsd_toolkit.datasets import MultiViewDataset
from nsd_toolkit.datasets.checks import ERROR, check_dataset
from nsd_toolkit.synthetic import build_scene

# with seed 2 the three sequences show 1, 2 and 3 people in some frames
VARYING = dict(num_people=3,
               min_people=1,
               num_views=2,
               num_frames=30,
               size=(32, 24),
               seed=2,
               num_sequences=2,
               num_test_sequences=1)
SEQS = ('seq_000', 'seq_001', 'test_000')
# with seed 2 some frames show nobody, others one of the two people
EMPTY = dict(num_people=2,
             min_people=0,
             num_views=2,
             num_frames=12,
             size=(32, 24),
             seed=2)
PIPELINE = [
    dict(type='SampleViews', mode='all'),
    dict(type='LoadMultiViewImages'),
    dict(type='PackMultiViewInputs'),
]


@pytest.fixture(scope='module')
def varying(tmp_path_factory, make_dataset):
    return make_dataset(str(tmp_path_factory.mktemp('varying') / 'out'),
                        **VARYING)


def present(dataset, seq):
    """bool [F, N] of the ``present`` intervals of the meta."""
    frames = np.arange(dataset.meta['arguments']['num_frames'])[:, None]
    start, end = np.array(dataset.meta['sequences'][seq]['present']).T
    return (start <= frames) & (frames < end)


def mask_ids(dataset, seq, frame):
    """Person ids (mask values but 0) seen by any camera in a frame."""
    return set().union(*(np.unique(dataset.mask(cam, frame, seq)).tolist()
                         for cam in dataset.cameras)) - {0}


def test_meta_records_min_people_and_intervals(varying):
    assert varying.meta['arguments']['min_people'] == 1
    for seq in SEQS:
        intervals = np.array(varying.meta['sequences'][seq]['present'])
        assert intervals.shape == (3, 2)
        assert intervals[0].tolist() == [0, 30]
        assert (0 <= intervals[:, 0]).all()
        assert (intervals[:, 0] <= intervals[:, 1]).all()
        assert (intervals[:, 1] <= 30).all()


def test_visible_people_are_the_present_ones(varying):
    counts = []
    for seq in SEQS:
        shown = present(varying, seq)
        finite = np.isfinite(varying.poses(seq))
        # joints NaN exactly where a person is absent, all of them
        assert (finite.all(axis=(2, 3)) == shown).all()
        assert (finite.any(axis=(2, 3)) == shown).all()
        assert shown[:, 0].all()
        for frame in range(30):
            assert mask_ids(varying, seq, frame) == set(
                np.flatnonzero(shown[frame]) + 1)
        counts.extend(shown.sum(axis=1).tolist())
    assert set(counts) == {1, 2, 3}


def test_present_people_are_rendered_as_without_min_people(
        tmp_path, varying, make_dataset, files_of):
    everybody = make_dataset(str(tmp_path / 'all'),
                             **dict(VARYING, min_people=None))
    mine, theirs = files_of(varying.root), files_of(everybody.root)
    assert mine.keys() == theirs.keys()
    assert mine['calibration.json'] == theirs['calibration.json']
    full = 0
    for seq in SEQS:
        shown = present(varying, seq)
        np.testing.assert_array_equal(
            varying.poses(seq)[shown],
            everybody.poses(seq)[shown])
        for frame in np.flatnonzero(shown.all(axis=1)):
            for cam in varying.cameras:
                for path in (osp.join(seq, cam, f'{frame:06d}.jpg'),
                             osp.join(seq, 'masks', cam, f'{frame:06d}.png')):
                    assert mine[path] == theirs[path]
            full += 1
    assert full > 0


def test_same_arguments_identical_bytes(tmp_path, varying, make_dataset,
                                        files_of):
    again = make_dataset(str(tmp_path / 'again'), **VARYING)
    first, second = files_of(varying.root), files_of(again.root)
    assert len(first) == 2 + 3 * (1 + 2 * 2 * 30)
    assert first == second


def test_min_people_none_or_num_people_changes_nothing(tmp_path, make_dataset,
                                                       files_of):
    args = dict(num_people=2,
                num_views=2,
                num_frames=3,
                size=(32, 24),
                num_test_sequences=1)
    default = make_dataset(str(tmp_path / 'default'), **args)
    outputs = [
        files_of(make_dataset(str(tmp_path / str(value)),
                              min_people=value,
                              **args).root) for value in (None, 2)
    ]
    assert outputs[0] == outputs[1] == files_of(default.root)
    assert default.meta['arguments']['min_people'] == 2
    for seq in ('seq_000', 'test_000'):
        assert default.meta['sequences'][seq]['present'] == [[0, 3], [0, 3]]
        assert np.isfinite(default.poses(seq)).all()


def _jpeg(image, quality=95):
    """RGB ``image`` after a JPEG round trip."""
    data = cv2.imencode('.jpg', image[..., ::-1],
                        [cv2.IMWRITE_JPEG_QUALITY, quality])[1]
    return cv2.imdecode(data, cv2.IMREAD_COLOR)[..., ::-1]


def test_min_people_zero_gives_empty_frames(tmp_path, make_dataset):
    data = make_dataset(str(tmp_path / 'out'), **EMPTY)
    counts = present(data, 'seq_000').sum(axis=1)
    assert (counts == 0).any() and (counts > 0).any()
    backgrounds = build_scene(seed=2, num_people=2, num_views=2,
                              size=(32, 24))['backgrounds']
    poses = data.poses()
    for frame, count in enumerate(counts):
        assert np.isnan(poses[frame]).all() == (count == 0)
        for cam in data.cameras:
            mask = data.mask(cam, frame)
            same = (data.image(cam, frame) == _jpeg(backgrounds[cam])).all()
            assert same == (count == 0) == (mask == 0).all()


@pytest.mark.parametrize('value', [-1, 3, 1.5, '1'])
def test_bad_min_people(tmp_path, make_dataset, value):
    with pytest.raises(ValueError, match='min_people'):
        make_dataset(str(tmp_path / 'bad'), num_people=2, min_people=value)
    assert not (tmp_path / 'bad').exists()


def test_multiview_dataset_reads_absent_people(tmp_path, varying):
    init_default_scope('nsd_toolkit')
    dataset = MultiViewDataset(data_root=varying.root,
                               sequences=['seq_000'],
                               pipeline=PIPELINE,
                               cache_dir=str(tmp_path / 'cache'),
                               background_frames=3)
    assert dataset.metainfo['num_people'] == 3
    shown = torch.from_numpy(present(varying, 'seq_000'))
    assert not shown.all()
    for index in range(len(dataset)):
        sample = dataset[index]['data_samples']
        here = shown[sample.metainfo['frame']]
        boxes, joints = sample.gt_bboxes, sample.gt_joints_3d  # [V, N, 4]
        assert boxes.shape == (2, 3, 4)
        assert boxes[:, ~here].isnan().all()
        assert boxes[:, here].isfinite().all(dim=-1).any(dim=0).all()
        assert joints[~here].isnan().all() and joints[here].isfinite().all()
    lazy = MultiViewDataset(data_root=varying.root, lazy_init=True,
                            cache_dir=str(tmp_path / 'cache'))
    summary, problems = check_dataset(lazy, progress=False)
    assert [line for line in problems.lines() if line[0] == ERROR] == []
    assert summary['people'] == 3 and summary['sequences'] == 3
