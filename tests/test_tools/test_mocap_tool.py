"""tools/mocap.py and benchmark_mocap.py: outputs that parse back, resuming,
folders of videos, bad captures refused before any work."""
import importlib.util
import json
import os
import os.path as osp
import shutil

import numpy as np
import pytest
from mocap_test_utils import (NUM_FRAMES, REPO, make_capture,
                              perfect_predict, write_tiny_pose_model)
from PIL import Image

from nsd_toolkit.apis import inference_capture
from nsd_toolkit.apis.mocap import FACING_VOTE
from nsd_toolkit.datasets.transforms.loading import read_image
from nsd_toolkit.datasets.video import write_video
from nsd_toolkit.mocap import bvh_to_h36m, read_bvh, read_tracks
from nsd_toolkit.models import NSDPoseEstimator

TOOLS = osp.join(REPO, 'tools')


def load_tool(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def mocap():
    return load_tool(osp.join(TOOLS, 'mocap.py'), 'mocap_tool')


@pytest.fixture(scope='module')
def benchmark():
    return load_tool(osp.join(TOOLS, 'analysis_tools', 'benchmark_mocap.py'),
                     'benchmark_mocap_tool')


@pytest.fixture(scope='module')
def capture_root(tmp_path_factory):
    return make_capture(tmp_path_factory.mktemp('capture') / 'data')


@pytest.fixture(scope='module')
def model_files(tmp_path_factory, capture_root):
    return write_tiny_pose_model(tmp_path_factory.mktemp('model'),
                                 capture_root)


@pytest.fixture
def perfect(monkeypatch):
    """Every pose model predicts the ground truth; returns the numbers of
    samples predicted per batch."""
    calls = []

    def predict(self, inputs, data_samples):
        calls.append(len(data_samples))
        return perfect_predict(inputs, data_samples)

    monkeypatch.setattr(NSDPoseEstimator, 'predict', predict)
    return calls


def ground_truth(root, seq='seq_000'):
    return np.load(osp.join(root, seq, 'poses3d.npy'))


def run(mocap, model_files, capture, out, *extra):
    return mocap.main([*model_files, capture, '--out-dir', str(out),
                       '--no-progress', *extra])


def test_outputs_parse_back(mocap, model_files, capture_root, tmp_path,
                            perfect, capsys):
    out = tmp_path / 'out'
    run(mocap, model_files, capture_root, out, '--fps', '10',
        '--temporal-sigma', '0')
    # no root head: nothing to choose, the cue as asked
    assert '(roots from auto)' in capsys.readouterr().out
    assert sorted(os.listdir(out)) == ['mocap.gif', 'moments',
                                       'person_000.bvh', 'person_001.bvh',
                                       'tracks.json']
    tracks, fps = read_tracks(str(out / 'tracks.json'))
    assert fps == 10.0 and [t.track_id for t in tracks] == [0, 1]
    gt = ground_truth(capture_root)
    for track in tracks:
        assert list(track.frames) == list(range(NUM_FRAMES))
        person = np.argmin(np.linalg.norm(gt[0, :, 0] - track.joints[0, 0],
                                          axis=-1))
        np.testing.assert_allclose(track.joints, gt[:, person], atol=1.0)
        bvh = read_bvh(str(out / f'person_{track.track_id:03d}.bvh'))
        assert bvh.motion.shape[0] == NUM_FRAMES
        assert bvh.frame_time == pytest.approx(0.1)
        np.testing.assert_allclose(bvh_to_h36m(bvh), track.joints, atol=2.0)
    gif = Image.open(out / 'mocap.gif')
    height, width = read_image(osp.join(capture_root, 'seq_000', 'cam_00',
                                        '000000.jpg')).shape[:2]
    assert gif.n_frames == NUM_FRAMES and gif.info['duration'] == 100
    assert gif.size[0] > 3 * width and gif.size[1] > 2 * height
    assert [p for p in os.listdir(tmp_path) if p != 'out'] == []


def test_the_untrained_model_runs_through(mocap, model_files, capture_root,
                                          tmp_path):
    out = tmp_path / 'out'
    capture = run(mocap, model_files, capture_root, out,
                  '--min-track-length', '1', '--video-format', 'mp4')
    tracks, _ = read_tracks(str(out / 'tracks.json'))
    assert [t.track_id for t in tracks] == [t.track_id
                                            for t in capture.tracks]
    for track in tracks:
        read_bvh(str(out / f'person_{track.track_id:03d}.bvh'))
    assert (out / 'mocap.mp4').stat().st_size > 0


def test_a_rerun_resumes_and_replaces_the_outputs(mocap, model_files,
                                                  capture_root, tmp_path,
                                                  perfect, monkeypatch):
    out = tmp_path / 'out'
    export = mocap.export_tracks

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(mocap, 'export_tracks', interrupted)
    with pytest.raises(KeyboardInterrupt):
        run(mocap, model_files, capture_root, out, '--chunk-size', '4')
    assert os.listdir(out) == ['moments']  # the fused moments are kept
    os.remove(out / 'moments' / 'chunk_000004.npz')
    monkeypatch.setattr(mocap, 'export_tracks', export)
    perfect.clear()
    run(mocap, model_files, capture_root, out, '--chunk-size', '4')
    assert sum(perfect) == 2  # only the missing chunk's moments
    raw, _ = read_tracks(str(out / 'tracks.json'))
    perfect.clear()
    run(mocap, model_files, capture_root, out, '--chunk-size', '4',
        '--smoothing', '0.5', '--no-video')
    assert perfect == []  # tracking alone
    smoothed, _ = read_tracks(str(out / 'tracks.json'))
    assert not np.allclose(raw[0].joints, smoothed[0].joints)
    assert sorted(os.listdir(out)) == ['moments', 'person_000.bvh',
                                       'person_001.bvh', 'tracks.json']


def test_a_folder_of_videos_is_one_capture(mocap, model_files, capture_root,
                                           tmp_path, perfect, capsys):
    videos = tmp_path / 'videos'
    videos.mkdir()
    shutil.copy(osp.join(capture_root, 'calibration.json'), videos)
    shutil.copy(osp.join(capture_root, 'seq_000', 'poses3d.npy'), videos)
    for cam in ('cam_00', 'cam_01', 'cam_02', 'cam_03'):
        folder = osp.join(capture_root, 'seq_000', cam)
        write_video(str(videos / f'{cam}.mp4'),
                    [read_image(osp.join(folder, name))
                     for name in sorted(os.listdir(folder))])
    out = tmp_path / 'out'
    capture = run(mocap, model_files, str(videos), out, '--no-video')
    assert len(capture.tracks) == 2 and len(capture.moments) == NUM_FRAMES
    assert sum(perfect) == NUM_FRAMES
    with pytest.raises(SystemExit):
        run(mocap, model_files, str(videos), out, '--sequence', 'seq_000')
    assert 'is a folder of videos, one sequence' in capsys.readouterr().err


def bad_captures(root, tmp_path, model_files):
    """name -> (argv, message) of captures and models refused."""
    def copy(name):
        path = tmp_path / name
        shutil.copytree(root, path)
        return path

    no_calibration = copy('no_calibration')
    os.remove(no_calibration / 'calibration.json')
    short_camera = copy('short_camera')
    os.remove(short_camera / 'seq_000' / 'cam_02' / '000005.jpg')
    nsd_config = osp.join(REPO, 'configs', 'nsd_synthetic_2p.py')
    config, checkpoint = model_files
    return {
        'missing calibration': (
            [config, checkpoint, str(no_calibration)],
            f'{no_calibration}/calibration.json: calibration file not found'),
        'unsynchronised cameras': (
            [config, checkpoint, str(short_camera)],
            "cameras have different frame counts {'cam_00': 6, 'cam_01': "
            "6, 'cam_02': 5, 'cam_03': 6}"),
        'missing capture': (
            [config, checkpoint, str(tmp_path / 'none')],
            f'{tmp_path}/none: capture folder not found'),
        'missing sequence': (
            [config, checkpoint, root, '--sequence', 'seq_009'],
            'seq_009: sequence folder not found'),
        'not a pose model': (
            [nsd_config, checkpoint, root],
            'model NSD is not a pose model'),
        'missing checkpoint': (
            [config, str(tmp_path / 'none.pth'), root],
            'argument checkpoint'),
        'bad fps': ([config, checkpoint, root, '--fps', '0'], '--fps 0.0'),
        'bad smoothing': ([config, checkpoint, root, '--smoothing', '1.5'],
                          'argument --smoothing: 1.5: must be in (0, 1]'),
        'bad temporal sigma': (
            [config, checkpoint, root, '--temporal-sigma', '-1'],
            'argument --temporal-sigma: -1: must be a number >= 0'),
        'bad facing vote': (
            [config, checkpoint, root, '--facing-vote', 'x'],
            'argument --facing-vote: x: must be a number >= 0'),
        'bad bone lengths': (
            [config, checkpoint, root, '--bone-lengths', 'frame'],
            "argument --bone-lengths: invalid choice: 'frame'"),
        'size cue without silhouettes': (
            [config, checkpoint, root, '--root-cue', 'crop_box',
             '--size-cue', 'foreground'],
            "size_cue='foreground' needs NSD's silhouettes"),
    }


@pytest.mark.parametrize('case', [
    'missing calibration', 'unsynchronised cameras', 'missing capture',
    'missing sequence', 'not a pose model', 'missing checkpoint', 'bad fps',
    'bad smoothing', 'bad temporal sigma', 'bad facing vote',
    'bad bone lengths',
    'size cue without silhouettes'
])
def test_bad_input_is_refused_before_any_work(mocap, model_files,
                                              capture_root, tmp_path, capsys,
                                              monkeypatch, case):
    argv, message = bad_captures(capture_root, tmp_path, model_files)[case]

    def work(*args, **kwargs):
        raise AssertionError('work started before the input was checked')

    monkeypatch.setattr(mocap, 'load_pose_model', work)
    with pytest.raises(SystemExit) as exit_info:
        mocap.main([*argv, '--out-dir', str(tmp_path / 'out')])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / 'out').exists()


@pytest.mark.parametrize('argv, vote', [
    ([], FACING_VOTE), (['--facing-vote', '0'], None),
    (['--facing-vote', '4'], 4.0)])
def test_the_facing_vote_reaches_the_capture(mocap, model_files, capture_root,
                                             tmp_path, perfect, monkeypatch,
                                             argv, vote):
    seen = []

    def capture(*args, **kwargs):
        seen.append(kwargs['facing_vote'])
        return inference_capture(*args, **kwargs)

    monkeypatch.setattr(mocap, 'inference_capture', capture)
    run(mocap, model_files, capture_root, tmp_path / 'out', '--no-video',
        *argv)
    assert seen == [vote]


def test_benchmark_of_perfect_predictions(benchmark, model_files,
                                          capture_root, tmp_path, perfect):
    out = tmp_path / 'bench.json'
    rows = benchmark.main([*model_files, capture_root, '--no-progress',
                           '--temporal-sigma', '0', '--out', str(out),
                           '--root-cue', 'crop_box'])
    row = rows['seq_000']
    assert row['root_cue'] == 'crop_box'
    assert row['moments'] == NUM_FRAMES and row['people'] == 2 * NUM_FRAMES
    assert row['misses'] == 0 and row['id_switches'] == 0
    assert row['world_mpjpe_mm'] < 1.0 and row['root_error_mm'] < 1.0
    assert row['root_relative_mpjpe_mm'] < 1.0
    assert row['single_view_mpjpe_mm'] < 1.0
    assert all(row[f'{key}_moments_per_s'] > 0
               for key in ('model', 'fusion', 'tracking'))
    assert json.loads(out.read_text())['seq_000']['id_switches'] == 0


def test_benchmark_counts_switches_and_misses(benchmark):
    class Person:
        def __init__(self, track_id, x):
            self.track_id = track_id
            self.joints = np.full((17, 3), x)

    class Moment:
        def __init__(self, *people):
            self.people = list(people)

    gt = np.zeros((3, 2, 17, 3))
    gt[:, 1] = 2000.0
    gt[2, 1] = np.nan  # person 1 leaves
    moments = [Moment(Person(0, 10.0), Person(1, 2000.0)),
               Moment(Person(1, 0.0), Person(0, 2900.0)),  # switch, miss
               Moment(Person(1, 0.0))]
    scores = benchmark.score_tracks(moments, gt, max_distance=500.0)
    assert scores['people'] == 5 and scores['misses'] == 1
    assert scores['switches'] == 1
    assert benchmark.mpjpe(scores['pred'], scores['gt']) == pytest.approx(
        np.sqrt(3) * 10 / 4)
