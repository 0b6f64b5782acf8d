"""Configs evaluate on data their training never reads.

``eval_reads_training_data`` is the general check: import it (or add a config
to ``SPLIT_CONFIGS``) to apply it to any config whose datasets select their
data with ``subjects`` / ``sequences`` / ``split``-like keys.
"""
import glob
import os.path as osp
from typing import Optional, Sequence

import pytest
from mmengine import Config

CONFIG_DIR = osp.join(osp.dirname(__file__), '..', '..', 'configs')
SPLIT_KEYS = ('subjects', 'sequences', 'split')
# every experiment config; each reads its split from configs/_base_/datasets
SPLIT_CONFIGS = sorted(
    osp.relpath(path, CONFIG_DIR)
    for path in glob.glob(osp.join(CONFIG_DIR, '**', '*.py'), recursive=True)
    if '_base_' not in path)
SYNTHETIC_CONFIGS = [name for name in SPLIT_CONFIGS if 'synthetic' in name]


def _selection(dataset: dict, key: str) -> Optional[set]:
    """The names ``dataset`` selects by ``key``; None when it reads all."""
    value = dataset.get(key)
    if value is None:
        return None
    return {value} if isinstance(value, str) else set(value)


def eval_reads_training_data(cfg: Config,
                             split: str,
                             keys: Sequence[str] = SPLIT_KEYS) -> Optional[str]:
    """Why ``{split}_dataloader`` may read training data; None if it cannot.

    The evaluation data is proven apart from the training data when, for one
    of ``keys``, both datasets name their selection and the two share no
    name. A key left unset selects everything (a dataset without any key
    reads every sequence), so it proves nothing; nor do different keys on
    the two sides (the check is conservative).

    Args:
        cfg: a loaded config with ``train_dataloader`` and
            ``{split}_dataloader``.
        split: ``'val'`` or ``'test'``.
        keys: dataset arguments that select data by name.

    Returns:
        None, or a message naming the shared names or the missing selection.
    """
    train = cfg.train_dataloader.dataset
    evaluated = cfg[f'{split}_dataloader'].dataset
    found = []
    for key in keys:
        ours, theirs = _selection(evaluated, key), _selection(train, key)
        if ours is None or theirs is None:
            found.append(f'{key}: {split} {evaluated.get(key)!r}, train '
                         f'{train.get(key)!r}')
        elif ours & theirs:
            found.append(f'{key} {sorted(ours & theirs)} are in both')
        else:
            return None
    return f'{split} may read training data ({"; ".join(found)})'


@pytest.mark.parametrize('name', SPLIT_CONFIGS)
@pytest.mark.parametrize('split', ['val', 'test'])
def test_evaluation_never_reads_training_data(name, split):
    cfg = Config.fromfile(osp.join(CONFIG_DIR, name))
    if cfg.get('transductive') and split == 'test':
        # declared: self-supervised training reads the test frames unlabelled
        assert eval_reads_training_data(cfg, split) is not None
        return
    assert eval_reads_training_data(cfg, split) is None


def test_every_config_is_checked():
    assert len(SPLIT_CONFIGS) >= 14 and len(SYNTHETIC_CONFIGS) >= 10
    assert {'nsd_h36m_1p.py', 'nsd_boxing_2p.py',
            'pose/nsd_synthetic_1p_pose.py'} <= set(SPLIT_CONFIGS)


@pytest.mark.parametrize('name', SYNTHETIC_CONFIGS)
def test_synthetic_test_split_shows_unseen_people(name):
    """The generator's test_* sequences show people never seen in seq_*;
    validation keeps the training people (for choosing settings)."""
    cfg = Config.fromfile(osp.join(CONFIG_DIR, name))
    test = cfg.test_dataloader.dataset.sequences
    val = cfg.val_dataloader.dataset.sequences
    assert test and all(seq.startswith('test_') for seq in test)
    assert val and not any(seq.startswith('test_') for seq in val)
    assert not set(val) & set(cfg.train_dataloader.dataset.sequences)


def test_test_split_is_not_the_validation_split_on_boxing():
    cfg = Config.fromfile(osp.join(CONFIG_DIR, 'nsd_boxing_2p.py'))
    assert not (set(cfg.val_dataloader.dataset.sequences)
                & set(cfg.test_dataloader.dataset.sequences))


def test_overlap_and_unselected_evaluation_are_reported():
    def config(train, val):
        return Config(
            dict(
                train_dataloader=dict(dataset=train),
                val_dataloader=dict(dataset=val)))

    # sequences disjoint: fine, whatever the subjects say
    assert eval_reads_training_data(
        config(dict(sequences=['a', 'b'], subjects=['S1']),
               dict(sequences=['c'], subjects=['S1'])), 'val') is None
    message = eval_reads_training_data(
        config(dict(sequences=['a', 'b']), dict(sequences=['b', 'c'])),
        'val')
    assert "['b'] are in both" in message
    # no selection on the evaluation side reads every sequence, train's too
    message = eval_reads_training_data(
        config(dict(sequences=['a']), dict(frame_interval=25)), 'val')
    assert 'val may read training data' in message
    assert "sequences: val None, train ['a']" in message
    # a single name given as a string, and other keys on request
    assert eval_reads_training_data(
        config(dict(split='train'), dict(split='test')), 'val',
        keys=('split', )) is None
