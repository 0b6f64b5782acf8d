"""tools/infer.py: pictures and predictions for single images, input errors."""
import importlib.util
import json
import os
import os.path as osp
import shutil

import cv2
import pytest
import torch

from nsd_toolkit.apis import init_model

TOOL = osp.join(osp.dirname(__file__), '..', '..', 'tools', 'infer.py')
CONFIG = osp.join(osp.dirname(__file__), '..', '..', 'configs',
                  'nsd_synthetic_1p.py')


@pytest.fixture(scope='module')
def infer():
    spec = importlib.util.spec_from_file_location('infer_tool', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
    path = tmp_path_factory.mktemp('ckpt') / 'iter_1.pth'
    torch.save(dict(state_dict=init_model(CONFIG).state_dict(), meta={}),
               path)
    return str(path)


def test_pictures_and_predictions(infer, checkpoint, synthetic_root,
                                  tmp_path):
    frames = osp.join(synthetic_root, 'seq_001', 'cam_02')
    out = tmp_path / 'out'
    infer.main([CONFIG, checkpoint, frames, '--background', frames,
                '--out-dir', str(out), '--no-progress'])
    with open(out / 'predictions.json') as f:
        predictions = json.load(f)
    assert [osp.basename(p['image']) for p in predictions] == [
        f'{i:06d}.jpg' for i in range(4)]
    assert all(len(p['boxes_xyxy_px']) == 1 and len(p['mask_pixels']) == 1
               for p in predictions)
    picture = cv2.imread(str(out / '000003.png'))
    assert picture.shape[0] > 2 * 48 and picture.shape[1] > 4 * 64


def test_presence_scores_are_recorded(infer, synthetic_root, tmp_path):
    """A detector with presence: one score per slot, in [0, 1], beside the
    boxes; the boxes keep their labels."""
    options = {'model.detector.predict_presence': True,
               'model.detector.num_people': 2}
    path = tmp_path / 'presence.pth'
    torch.save(dict(state_dict=init_model(CONFIG, cfg_options=options)
                    .state_dict(), meta={}), path)
    frames = osp.join(synthetic_root, 'seq_001', 'cam_02')
    out = tmp_path / 'out'
    infer.main([CONFIG, str(path), frames, '--background', frames,
                '--out-dir', str(out), '--no-progress', '--cfg-options',
                *(f'{key}={value}' for key, value in options.items())])
    with open(out / 'predictions.json') as f:
        predictions = json.load(f)
    assert all(len(p['presence_scores']) == 2 == len(p['boxes_xyxy_px'])
               for p in predictions)
    scores = [s for p in predictions for s in p['presence_scores']]
    assert all(0 <= s <= 1 for s in scores)


def test_input_errors_are_named(infer, checkpoint, synthetic_root, tmp_path,
                                capsys):
    frames = osp.join(synthetic_root, 'seq_001', 'cam_02')
    missing = str(tmp_path / 'nothing_here')
    small = tmp_path / 'small.png'
    cv2.imwrite(str(small), cv2.imread(osp.join(frames, '000000.jpg'))[:20])
    for argv, message in (
        ([missing, '--background', frames], 'INPUT ' + missing),
        ([frames, '--background', missing], '--background ' + missing),
        ([frames, '--background', str(small)], 'background'),
    ):
        with pytest.raises(SystemExit) as exit_info:
            infer.main([CONFIG, checkpoint, *argv, '--out-dir',
                        str(tmp_path / 'out'), '--no-progress'])
        assert exit_info.value.code == 2
        assert message in capsys.readouterr().err
    assert not (tmp_path / 'out').exists()


def _no_work(infer, monkeypatch):
    """Any model loading, image reading or inference fails the test."""
    def work(*args, **kwargs):
        raise AssertionError('work started before the arguments were checked')

    for name in ('init_model', 'load_background', 'read_image',
                 'inference_images'):
        monkeypatch.setattr(infer, name, work)


def _argv_cases(tmp_path, frames, checkpoint):
    a_file = tmp_path / 'a_file'
    a_file.write_text('x')
    truncated = tmp_path / 'truncated.pth'
    data = open(checkpoint, 'rb').read()
    truncated.write_bytes(data[:len(data) // 2])
    empty_folder = tmp_path / 'no_images'
    empty_folder.mkdir()
    twin = tmp_path / 'twin'
    twin.mkdir()
    shutil.copy(osp.join(frames, '000000.jpg'), twin)
    out = str(tmp_path / 'out')
    return {
        'out-dir is a file': (
            [checkpoint, frames, '--out-dir', str(a_file)],
            f'--out-dir {a_file}: exists and is not a folder'),
        'out-dir below a file': (
            [checkpoint, frames, '--out-dir', str(a_file / 'out')],
            f'{a_file} is a file'),
        'truncated checkpoint': (
            [str(truncated), frames, '--out-dir', out],
            f'argument checkpoint: Cannot read checkpoint {truncated}'),
        'checkpoint is a folder': (
            [str(empty_folder), frames, '--out-dir', out],
            f'Checkpoint {empty_folder} is a folder'),
        'unknown device': (
            [checkpoint, frames, '--out-dir', out, '--device', 'gpu0'],
            "--device 'gpu0'"),
        'absent CUDA device': (
            [checkpoint, frames, '--out-dir', out, '--device', 'cuda:63'],
            '--device cuda:63: no such CUDA device'),
        'background without images': (
            [checkpoint, frames, '--out-dir', out, '--background',
             str(empty_folder)],
            f'--background {empty_folder}: no image found'),
        'two images of one name': (
            [checkpoint, frames, str(twin), '--out-dir', out],
            'would both be drawn to 000000.png'),
    }


CASES = ['out-dir is a file', 'out-dir below a file', 'truncated checkpoint',
         'checkpoint is a folder', 'unknown device', 'absent CUDA device',
         'background without images', 'two images of one name']


@pytest.mark.parametrize('case', CASES)
def test_arguments_are_checked_before_any_work(infer, checkpoint,
                                               synthetic_root, tmp_path,
                                               capsys, monkeypatch, case):
    frames = osp.join(synthetic_root, 'seq_001', 'cam_02')
    argv, message = _argv_cases(tmp_path, frames, checkpoint)[case]
    if '--background' not in argv:
        argv += ['--background', frames]
    _no_work(infer, monkeypatch)
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(SystemExit) as exit_info:
        infer.main([CONFIG, *argv, '--no-progress'])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert sorted(os.listdir(tmp_path)) == before  # nothing written


def test_a_failed_write_leaves_the_out_dir_as_it_was(
        infer, checkpoint, synthetic_root, tmp_path, monkeypatch):
    frames = osp.join(synthetic_root, 'seq_001', 'cam_02')
    out = tmp_path / 'out'
    out.mkdir()
    (out / 'predictions.json').write_text('[]')  # of an earlier run
    written = []

    def save_rgb(path, image):
        if written:
            raise OSError('disk full')
        written.append(path)
        cv2.imwrite(path, image)

    monkeypatch.setattr(infer, 'save_rgb', save_rgb)
    with pytest.raises(OSError, match='disk full'):
        infer.main([CONFIG, checkpoint, frames, '--background', frames,
                    '--out-dir', str(out), '--no-progress'])
    assert written  # the first picture was written, to the staging folder
    assert os.listdir(out) == ['predictions.json']
    assert (out / 'predictions.json').read_text() == '[]'
    assert sorted(os.listdir(tmp_path)) == ['out']  # no staging left
