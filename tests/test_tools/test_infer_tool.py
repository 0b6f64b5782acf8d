"""tools/infer.py: pictures and predictions for single images, input errors."""
import importlib.util
import json
import os.path as osp

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
