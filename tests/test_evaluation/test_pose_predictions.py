"""External pose predictions: file checks and scores against hand-made cases."""
import json

import numpy as np
import pytest
from mmengine.registry import init_default_scope

from nsd_toolkit.evaluation import (load_pose_predictions,
                                    score_pose_predictions)
from nsd_toolkit.registry import DATASETS

PIPELINE = [
    dict(type='SampleViews', mode='all'),
    dict(type='LoadMultiViewImages'),
    dict(type='PackMultiViewInputs'),
]


@pytest.fixture(scope='module')
def split(synthetic_root_2p):
    init_default_scope('nsd_toolkit')
    return DATASETS.build(
        dict(type='MultiViewDataset', data_root=synthetic_root_2p,
             sequences=['seq_001'], test_mode=True, pipeline=PIPELINE))


def ground_truth(split, shift=0.0, reverse=False, boxes=False, skip=None):
    """The split's people as a predictions file: camera-frame joints with
    ``shift`` mm added to x of every non-root joint."""
    out = {}
    for index in range(len(split)):
        sample = split[index]['data_samples']
        for view, cam in enumerate(sample.cameras):
            if (sample.frame, cam) == skip:
                continue
            people = []
            for person in range(sample.gt_joints_cam.shape[1]):
                joints = sample.gt_joints_cam[view, person].numpy().copy()
                joints[1:, 0] += shift
                entry = dict(joints=joints.tolist())
                if boxes:  # root-relative joints, matched by the GT box
                    entry = dict(
                        joints=(joints - joints[:1]).tolist(),
                        bbox=sample.gt_bboxes[view, person].tolist())
                people.append(entry)
            out.setdefault(sample.seq, {}).setdefault(cam, {})[str(
                sample.frame)] = people[::-1] if reverse else people
    return out


def write(tmp_path, content, name='pred.json'):
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else
                    json.dumps(content))
    return str(path)


def test_a_known_offset_gives_its_mpjpe_whatever_the_order(split, tmp_path):
    predictions = load_pose_predictions(
        write(tmp_path, ground_truth(split, shift=10.0, reverse=True)))
    metrics = score_pose_predictions(split, predictions, progress=False)
    # 16 of 17 joints off by 10 mm, the root by 0 (root-relative)
    assert metrics['mpjpe_mm'] == pytest.approx(10.0 * 16 / 17)
    assert metrics['matched_fraction'] == 1.0
    assert metrics['images'] == len(split) * 4
    assert metrics['images_without_prediction'] == 0
    assert metrics['predictions_unused'] == 0


def test_boxes_match_root_relative_joints(split, tmp_path):
    predictions = load_pose_predictions(
        write(tmp_path, ground_truth(split, shift=10.0, boxes=True)))
    metrics = score_pose_predictions(split, predictions, progress=False)
    assert metrics['mpjpe_mm'] == pytest.approx(10.0 * 16 / 17)


def test_an_image_without_predictions_lowers_the_matched_fraction(
        split, tmp_path):
    first = split[0]['data_samples']
    skip = (first.frame, first.cameras[0])
    people_there = int(np.isfinite(
        first.gt_keypoints_2d[0].numpy()).all(-1).any(-1).sum())
    predictions = load_pose_predictions(
        write(tmp_path, ground_truth(split, skip=skip)))
    metrics = score_pose_predictions(split, predictions, progress=False)
    assert metrics['images_without_prediction'] == 1
    assert metrics['mpjpe_mm'] == pytest.approx(0.0, abs=1e-9)
    assert metrics['matched_fraction'] < 1.0
    assert people_there > 0


@pytest.mark.parametrize('content, match', [
    ('{"seq": ', 'not valid JSON'),
    ('[]', 'top level must be an object'),
    ({'seq_001': {'cam_00': {'x': []}}}, 'frames are keyed by their index'),
    ({'seq_001': {'cam_00': {'0': [[[0, 0, 1]] * 16]}}},
     r"\['seq_001'\]\['cam_00'\]\['0'\]\[0\].joints must be .*\[17, 3\]"),
    ({'seq_001': {'cam_00': {'0': [dict(joints=[[0, 0, 1]] * 17,
                                        box=[0, 0, 1, 1])]}}},
     r"got keys \['box', 'joints'\]"),
    ({'seq_001': {'cam_00': {'0': [dict(joints=[[0, 0, 1]] * 17,
                                        bbox=[0, 0, 1])]}}},
     r'\.bbox must be'),
])
def test_malformed_files_are_named(tmp_path, content, match):
    path = write(tmp_path, content)
    with pytest.raises(ValueError, match=match) as info:
        load_pose_predictions(path)
    assert 'pred.json' in str(info.value)


def test_names_the_split_lacks_are_refused(split, tmp_path):
    predictions = ground_truth(split)
    predictions['seq_009'] = predictions.pop('seq_001')
    with pytest.raises(ValueError, match="sequence 'seq_009'"):
        score_pose_predictions(
            split, load_pose_predictions(write(tmp_path, predictions)),
            progress=False)
