"""tools/analysis_tools/linear_probe.py: every slot probed, and its errors."""
import json
import os.path as osp

import numpy as np
import pytest
from nsd_test_utils import load_tool

ROOT = osp.join(osp.dirname(__file__), '..', '..')
CONFIG = osp.join(ROOT, 'configs', 'pose', 'nsd_synthetic_2p_pose.py')
SPLITS = ('model.nsd_checkpoint=None',
          'train_dataloader.dataset.sequences=[seq_000]',
          'train_dataloader.dataset.frame_interval=1',
          'val_dataloader.dataset.sequences=[seq_001]',
          'test_dataloader.dataset.sequences=[seq_001]')


@pytest.fixture(scope='module')
def tool():
    return load_tool('analysis_tools/linear_probe.py')


def test_probes_every_person_beside_the_mean_pose(tool, synthetic_root_2p,
                                                  tmp_path, capsys):
    out = tmp_path / 'probe.json'
    results = tool.main([CONFIG, '--data-root', synthetic_root_2p,
                         '--alphas', '1', '1000', '--out', str(out),
                         '--cfg-options', *SPLITS])
    table = capsys.readouterr().out
    assert set(results) == {'latent', 'appearance', 'both', 'mean_pose',
                            'latent_rotation'}
    # the latent turned into each moment's other views, on every split
    for split in ('train', 'val', 'test'):
        row = results['latent_rotation'][split]
        assert row['pairs'] > 0 and f'| {split} | {row["pairs"]} |' in table
        assert 0 < row['angle_deg'] <= 180 and row['turned'] > 0
        assert row['ratio'] == pytest.approx(row['turned'] / row['unturned'])
    for name in ('latent', 'appearance', 'both'):
        row = results[name]
        assert row['alpha'] in (1.0, 1000.0) and f'| {name} |' in table
        assert np.isfinite(row['val_mpjpe_mm']) and row['mpjpe_mm'] > 0
        assert row['matched_fraction'] == 1.0
    # every person of the views was matched to a slot: the probe's mean
    # pose is the mean_pose tool's, which reads the people directly
    reference = load_tool('analysis_tools/mean_pose.py').main(
        [CONFIG, '--data-root', synthetic_root_2p, '--cfg-options', *SPLITS])
    assert results['mean_pose']['mpjpe_mm'] == pytest.approx(
        reference['mpjpe_mm'])
    written = json.loads(out.read_text())
    rotation = written.pop('latent_rotation')
    assert {name: pytest.approx(row) for name, row in written.items()} == {
        name: row for name, row in results.items() if name != 'latent_rotation'}
    assert rotation.keys() == results['latent_rotation'].keys()
    for split, row in rotation.items():
        assert pytest.approx(row) == results['latent_rotation'][split]


def test_bad_arguments_are_named(tool, tmp_path, capsys):
    nsd_config = osp.join(ROOT, 'configs', 'nsd_synthetic_2p.py')
    with pytest.raises(SystemExit):
        tool.main([nsd_config])
    assert 'NSDPoseEstimator' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        tool.main([CONFIG, '--alphas', '0'])
    assert '--alphas must be > 0' in capsys.readouterr().err
    missing = str(tmp_path / 'missing.pth')
    with pytest.raises(SystemExit):
        tool.main([CONFIG, '--nsd-checkpoint', missing])
    assert 'missing.pth' in capsys.readouterr().err
    empty_root = tmp_path / 'no_dataset'
    empty_root.mkdir()
    with pytest.raises(SystemExit):
        tool.main([CONFIG, '--data-root', str(empty_root), '--cfg-options',
                   *SPLITS])
    assert 'no_dataset' in capsys.readouterr().err
