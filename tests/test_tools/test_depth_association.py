"""tools/analysis_tools/depth_association.py: depth order with the model's
association of slots across views against the labels' association."""
import json
import os.path as osp

import numpy as np
import pytest
import torch
from nsd_test_utils import load_tool, ring_rig

from nsd_toolkit.apis import init_model

ROOT = osp.join(osp.dirname(__file__), '..', '..')
CONFIG = osp.join(ROOT, 'configs', 'nsd_synthetic_2p.py')
ON_SEQ_000 = ('val_dataloader.dataset.sequences=[seq_000]',
              'val_dataloader.dataset.frame_interval=4')


@pytest.fixture(scope='module')
def tool():
    return load_tool('analysis_tools/depth_association.py')


def test_gt_associated_depths_by_hand(tool):
    """Slots listed in another order per view, an unmatched slot and a
    person matched in one view only."""
    K, R, t = ring_rig(3, 20.0, (15.5, 11.5))
    people = np.array([[0.0, 0, 1000], [600, -400, 1100], [-500, 300, 900]])
    x_cam = people @ R.swapaxes(-1, -2) + t[:, None]  # [V, P, 3]
    uv = (x_cam @ K.swapaxes(-1, -2))[..., :2] / x_cam[..., 2:]
    boxes = np.concatenate([uv - 3 + 0.5, uv + 3 + 0.5], -1)  # [V, P, 4]
    matched = np.array([[0, 1, 2], [1, 0, -1], [-1, 1, 0]])
    slot_boxes = np.stack([boxes[v, np.maximum(matched[v], 0)]
                           for v in range(3)])
    depths = tool.gt_associated_depths(matched, slot_boxes, K, R, t)
    expected = np.stack([x_cam[v, np.maximum(matched[v], 0), 2]
                         for v in range(3)])
    expected[matched < 0] = np.nan
    expected[0, 2] = np.nan  # person 2: matched in view 0 only
    np.testing.assert_allclose(depths, expected, rtol=1e-6)


def test_both_rows_on_occluding_pairs(tool, tmp_path, capsys):
    """End to end on zoomed two-person scenes with an untrained model: both
    rows score the same occluding pairs and are written as JSON."""
    from nsd_toolkit.synthetic import generate_synthetic_dataset
    root = tmp_path / 'zoom'
    generate_synthetic_dataset(str(root), num_people=2, num_views=4,
                               num_frames=40, size=(64, 48), seed=1,
                               zoom=2.0, progress=False)
    checkpoint = tmp_path / 'iter_1.pth'
    torch.save(dict(state_dict=init_model(CONFIG).state_dict(), meta={}),
               checkpoint)
    out = tmp_path / 'rows.json'
    rows = tool.main([CONFIG, str(checkpoint), '--data-root', str(root),
                      '--out', str(out), '--cfg-options', *ON_SEQ_000])
    assert set(rows) == {'model', 'gt_association'}
    pairs = rows['model']['depth_order_pairs']
    assert pairs > 0
    assert rows['gt_association']['depth_order_pairs'] == pairs
    for row in rows.values():
        assert 0.0 <= row['depth_order_accuracy'] <= 1.0
    # the association changes depths only: masks are scored alike
    assert rows['gt_association']['mask_iou'] == rows['model']['mask_iou']
    assert json.loads(out.read_text()) == rows
    assert f'| val | {pairs} |' in capsys.readouterr().out


def test_a_model_without_triangulated_depths_is_named(tool, tmp_path,
                                                      synthetic_root_2p,
                                                      capsys):
    checkpoint = tmp_path / 'iter_1.pth'
    torch.save(dict(state_dict=init_model(CONFIG).state_dict(), meta={}),
               checkpoint)
    with pytest.raises(SystemExit) as exit_info:
        tool.main([CONFIG, str(checkpoint), '--data-root', synthetic_root_2p,
                   '--cfg-options', 'model.predict_depth=detector',
                   'val_dataloader.dataset.sequences=[seq_001]'])
    assert exit_info.value.code == 2
    assert 'model.predict_depth' in capsys.readouterr().err
