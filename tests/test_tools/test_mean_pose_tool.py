"""tools/analysis_tools/mean_pose.py: the mean labelled pose, scored."""
import json
import os.path as osp

import numpy as np
import pytest
from nsd_test_utils import load_tool

ROOT = osp.join(osp.dirname(__file__), '..', '..')
CONFIG = osp.join(ROOT, 'configs', 'pose', 'nsd_synthetic_2p_pose.py')
SPLITS = ('train_dataloader.dataset.sequences=[seq_000]',
          'train_dataloader.dataset.frame_interval=2',
          'val_dataloader.dataset.sequences=[seq_001]')


@pytest.fixture(scope='module')
def tool():
    return load_tool('analysis_tools/mean_pose.py')


def test_labelled_people_of_the_training_interval(tool, synthetic_root_2p,
                                                  tmp_path, capsys):
    """Frames 0 and 2 of seq_000 (interval 2), 4 views, 2 people: at most 16
    labelled people; the val split's people are scored."""
    out = tmp_path / 'mean_pose.json'
    metrics = tool.main([CONFIG, '--split', 'val', '--data-root',
                         synthetic_root_2p, '--out', str(out),
                         '--cfg-options', *SPLITS])
    row = capsys.readouterr().out.splitlines()[-1].split('|')
    labelled, people = int(row[2]), int(row[3])
    assert 0 < labelled <= 16 and 0 < people <= 32
    assert metrics['matched_fraction'] == 1.0
    assert 0 < metrics['n_mpjpe_mm'] and np.isfinite(metrics['mpjpe_mm'])
    assert json.loads(out.read_text())['mpjpe_mm'] == \
        pytest.approx(metrics['mpjpe_mm'])
