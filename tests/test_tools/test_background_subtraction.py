"""foreground_blobs and tools/analysis_tools/background_subtraction.py."""
import argparse
import importlib.util
import json
import os.path as osp

import numpy as np
import pytest

from nsd_toolkit.datasets.transforms import foreground_boxes
from nsd_toolkit.datasets.transforms.proposals import foreground_blobs
from nsd_toolkit.evaluation import DecompositionMetric
from nsd_toolkit.structures.bbox import mask_to_box
from nsd_toolkit.utils.cli import build_split

ROOT = osp.join(osp.dirname(__file__), '..', '..')
CONFIG = osp.join(ROOT, 'configs', 'nsd_synthetic_2p.py')
# frames of seq_000 (generated below): person 0 in 0-5, person 1 in 47-99
EMPTY_FRAMES = list(range(6, 47))
ON_SEQ_000 = ['val_dataloader.dataset.sequences=[seq_000]']


def load_tool():
    path = osp.join(ROOT, 'tools', 'analysis_tools', 'background_subtraction.py')
    spec = importlib.util.spec_from_file_location('background_subtraction',
                                                  path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def absent_people_root(tmp_path_factory):
    """Up to 2 people, at most one at a time (none in EMPTY_FRAMES), 4 views,
    100 frames at 128x96: long enough for a clean median background."""
    from nsd_toolkit.synthetic import generate_synthetic_dataset
    root = tmp_path_factory.mktemp('absent_people') / 'data'
    generate_synthetic_dataset(
        str(root), num_people=2, min_people=0, num_views=4, num_frames=100,
        size=(128, 96), seed=0, progress=False)
    poses = np.load(root / 'seq_000' / 'poses3d.npy')  # [F, N, 17, 3]
    absent = np.isnan(poses).all(axis=(2, 3))  # [F, N]
    assert np.flatnonzero(absent.all(axis=1)).tolist() == EMPTY_FRAMES
    assert absent.sum(axis=1).min() == 1  # never two people
    return str(root)


def run(root, *options, argv=()):
    """The tool's metrics on seq_000 of ``root`` (prefix stripped)."""
    metrics = load_tool().main([
        CONFIG, '--split', 'val', '--data-root', root, *argv,
        '--cfg-options', *ON_SEQ_000, *options
    ])
    return {key.split('/')[-1]: value for key, value in metrics.items()}


def scene():
    """A 40 x 60 frame with a 200-pixel blob, a 36-pixel one, one noisy pixel."""
    background = np.full((40, 60, 3), 100, np.uint8)
    img = background.copy()
    img[5:25, 10:20] = (200, 100, 100)
    img[30:36, 40:46] = (100, 100, 10)
    img[2, 50] = 255
    return img, background


def test_blob_ids_are_ranked_by_size_and_match_the_boxes():
    img, background = scene()
    ids, boxes = foreground_blobs(img, background, threshold=30, min_area=0.0,
                                  max_blobs=3)
    assert ids.dtype == np.uint8 and ids.shape == (40, 60)
    expected = np.zeros((40, 60), np.uint8)
    expected[5:25, 10:20] = 1
    expected[30:36, 40:46] = 2  # the opening removed the noisy pixel
    np.testing.assert_array_equal(ids, expected)
    np.testing.assert_array_equal(
        mask_to_box(ids == np.arange(1, 4)[:, None, None]), boxes)
    np.testing.assert_array_equal(
        boxes, foreground_boxes(img, background, 30, 0.0, 3))
    ids, boxes = foreground_blobs(img, background, 30, 0.0, max_blobs=1)
    assert (ids == 1).sum() == 200 and ids.max() == 1 and boxes.shape == (1, 4)
    with pytest.raises(ValueError, match='max_blobs'):
        foreground_blobs(img, background, 30, 0.0, max_blobs=256)


def test_single_people_are_found(absent_people_root, tmp_path):
    out = tmp_path / 'metrics.json'
    metrics = run(absent_people_root, 'val_dataloader.dataset.frame_interval=5',
                  argv=['--out', str(out)])
    assert metrics['detection_rate'] >= 0.9
    assert metrics['mask_iou'] >= 0.75
    assert metrics['precision'] >= 0.9
    written = json.loads(out.read_text())
    assert written['decomposition/detection_rate'] == metrics['detection_rate']


def test_an_empty_frame_gives_no_instance(absent_people_root):
    metrics = run(absent_people_root, 'val_dataloader.dataset.frame_interval=1',
                  f'val_dataloader.dataset.indices={EMPTY_FRAMES}')
    assert np.isnan(metrics['detection_rate'])  # nobody to detect
    assert metrics['mask_area'] == 0 and metrics['box_area'] == 0
    assert np.isnan(metrics['precision'])  # no instance predicted


def hand_built_metrics(root, slots):
    """DecompositionMetric on the ``slots`` masks per view made from
    foreground_blobs directly."""
    args = argparse.Namespace(
        config=CONFIG, split='val', data_root=root,
        cfg_options={'val_dataloader.dataset.sequences': ['seq_000'],
                     'val_dataloader.dataset.frame_interval': 3})
    dataset = build_split(args, argparse.ArgumentParser())
    metric = DecompositionMetric()
    for index in range(len(dataset)):
        item = dataset[index]
        views = [
            foreground_blobs(img.permute(1, 2, 0).numpy(),
                             background.permute(1, 2, 0).numpy(), 10, 0.002,
                             slots)
            for img, background in zip(item['inputs']['img'],
                                       item['inputs']['background'])
        ]
        sample = item['data_samples']
        people = np.arange(1, slots + 1)[:, None, None]
        sample.pred_masks = np.stack(
            [ids == people for ids, _ in views]).astype(np.float32)
        sample.pred_bboxes = np.nan_to_num(np.stack([b for _, b in views]))
        metric.process({}, [sample.to_dict()])
    return metric.compute_metrics(metric.results)


@pytest.mark.parametrize('argv, slots', [([], 2), (['--max-people', '1'], 1)])
def test_metrics_equal_the_metric_on_hand_built_predictions(
        absent_people_root, argv, slots):
    metrics = run(absent_people_root, 'val_dataloader.dataset.frame_interval=3',
                  argv=argv)
    expected = hand_built_metrics(absent_people_root, slots)
    assert metrics == pytest.approx(expected, nan_ok=True)
    assert metrics['mask_area'] > 0


@pytest.mark.parametrize('argv, message', [
    (['missing.py'], 'argument config'),
    ([CONFIG, '--split', 'train'], 'argument --split'),
    ([CONFIG, '--threshold', '255'], 'argument --threshold'),
    ([CONFIG, '--threshold', '-1'], 'argument --threshold'),
    ([CONFIG, '--min-area', '1'], 'argument --min-area'),
    ([CONFIG, '--max-people', '0'], 'argument --max-people'),
    ([CONFIG, '--cfg-options', 'val_dataloadr.batch_size=1'],
     'argument --cfg-options'),
])
def test_bad_arguments_are_named(argv, message, tmp_path, capsys):
    out = tmp_path / 'metrics.json'
    with pytest.raises(SystemExit) as error:
        load_tool().main([*argv, '--out', str(out)])
    assert error.value.code == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize('config, message', [
    ('test_evaluator = [dict(type="DecompositionMetric")]\n',
     'no model.detector.num_people'),
    ('model = dict(detector=dict(num_people=1))\n'
     'test_evaluator = [dict(type="NovelViewMetric")]\n',
     'no DecompositionMetric'),
    ('model = dict(detector=dict(num_people=1))\n'
     'test_evaluator = dict(type="DecompositionMetric")\n',
     'no test_dataloader'),
])
def test_configs_the_baseline_cannot_run_are_named(config, message, tmp_path,
                                                   capsys):
    path = tmp_path / 'config.py'
    path.write_text(config)
    with pytest.raises(SystemExit) as error:
        load_tool().main([str(path), '--out', str(tmp_path / 'metrics.json')])
    assert error.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / 'metrics.json').exists()


def test_out_must_be_a_file_name(tmp_path, capsys):
    with pytest.raises(SystemExit):
        load_tool().main([CONFIG, '--out', str(tmp_path)])
    assert 'argument --out' in capsys.readouterr().err
