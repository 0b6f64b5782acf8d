import json
import os

import numpy as np
import pytest
from mocap_fixtures import walking_bodies

from nsd_toolkit.datasets.calibration import DatasetFormatError
from nsd_toolkit.mocap import (Track, bvh_to_h36m, export_tracks, fill_gaps,
                               read_bvh, read_tracks, write_tracks)


def _tracks():
    walk = walking_bodies(6, roots=((0.0, 0.0), (1500.0, 0.0)),
                          headings=(0.0, 3.0), step=(50.0, 0.0))
    confidence = np.random.default_rng(0).uniform(size=(6, 17))
    joints = walk[:, 0].copy()
    joints[1, 13] = np.nan  # an unknown wrist
    first = Track(0, np.arange(6), joints, confidence, [[0, 1]] * 5 + [[2]])
    frames = np.array([3, 4, 7])  # missed at 5 and 6
    second = Track(4, frames, walk[frames - 2, 1], confidence[:3],
                   [[0, 1, 2], [1, 2], []])
    return [first, second]


def _assert_same(read, written):
    assert [t.track_id for t in read] == [t.track_id for t in written]
    for a, b in zip(read, written):
        np.testing.assert_array_equal(a.frames, b.frames)
        np.testing.assert_array_equal(a.joints, b.joints)  # NaN == NaN here
        np.testing.assert_array_equal(a.confidence, b.confidence)
        assert a.views == b.views and a.frames.dtype == np.int64


def test_tracks_json_round_trip_is_exact(tmp_path):
    tracks = _tracks()
    path = tmp_path / 'tracks.json'
    write_tracks(path, tracks, fps=29.97)
    content = json.loads(path.read_text())
    assert content['units'] == 'mm' and content['version'] == 1
    assert content['tracks']['0']['joints'][1][13] == [None, None, None]
    read, fps = read_tracks(path)
    assert fps == 29.97
    _assert_same(read, tracks)


def _write(tmp_path, edit):
    path = tmp_path / 'tracks.json'
    write_tracks(path, _tracks(), fps=25)
    content = json.loads(path.read_text())
    edit(content)
    path.write_text(json.dumps(content))
    return path


@pytest.mark.parametrize('edit, message', [
    (lambda c: c.pop('fps'), "missing key 'fps'"),
    (lambda c: c.update(version=2), "key 'version' is 2"),
    (lambda c: c.update(units='m'), "key 'units' must be 'mm'"),
    (lambda c: c['tracks']['4'].pop('joints'),
     "missing key 'tracks'/'4'/'joints'"),
    (lambda c: c['tracks']['0']['confidence'].pop(),
     r"key 'tracks'/'0'/'confidence' must have shape \[6, 17\]"),
    (lambda c: c['tracks']['0'].update(frames=[0, 1, 2, 3, 4, 4.5]),
     "key 'tracks'/'0'/'frames' must hold integers"),
    (lambda c: c['tracks']['4'].update(frames=[3, 3, 7]),
     "key 'tracks'/'4'/'frames' must increase"),
    (lambda c: c['tracks']['4'].update(views='all'),
     "key 'tracks'/'4'/'views' must be a list of 3 lists"),
    (lambda c: c['tracks'].update(x={}), "track id 'x'"),
])
def test_malformed_tracks_json_names_file_and_key(tmp_path, edit, message):
    path = _write(tmp_path, edit)
    with pytest.raises(DatasetFormatError, match=message) as error:
        read_tracks(path)
    assert str(error.value).startswith(f'{path}: ')


def test_unreadable_tracks_json(tmp_path):
    path = tmp_path / 'tracks.json'
    with pytest.raises(DatasetFormatError, match=f'{path}: tracks file not'):
        read_tracks(path)
    path.write_text('{"version": 1,')
    with pytest.raises(DatasetFormatError, match=f'{path}: unreadable tracks'):
        read_tracks(path)


def test_fill_gaps_holds_poses():
    track = _tracks()[1]
    filled = fill_gaps(track)
    assert filled.shape == (5, 17, 3)
    np.testing.assert_array_equal(filled[[0, 1, 4]], track.joints)
    np.testing.assert_allclose(filled[2:4], track.joints[[1, 1]], atol=1e-9)
    first = _tracks()[0]
    first.joints[0, 13] = np.nan  # unknown at the start: first known offset
    filled = fill_gaps(first)
    offset = first.joints[2, 13] - first.joints[2, 0]
    np.testing.assert_allclose(filled[:3, 13] - filled[:3, 0],
                               np.repeat(offset[None], 3, 0))
    np.testing.assert_array_equal(filled[2:], first.joints[2:])
    first.joints[:, 10] = np.nan
    with pytest.raises(ValueError, match=r"track 0: joints \['head_top'\]"):
        fill_gaps(first)


def test_export_writes_json_and_a_bvh_per_person(tmp_path):
    tracks = _tracks()
    paths = export_tracks(tmp_path / 'out', tracks, fps=25)
    assert [os.path.basename(p) for p in paths] == [
        'tracks.json', 'person_000.bvh', 'person_004.bvh']
    _assert_same(read_tracks(paths[0])[0], tracks)
    for track, path in zip(tracks, paths[1:]):
        back = bvh_to_h36m(read_bvh(path))
        expected = fill_gaps(track)
        assert back.shape == expected.shape
        known = np.ones(expected.shape[:2], bool)
        known[1, 13] = track.track_id != 0  # a filled wrist: not the same bone
        assert np.abs(back - expected)[known].max() < 1e-3  # mm
