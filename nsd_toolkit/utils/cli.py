"""Pieces shared by ``tools/train.py`` and ``tools/test.py``."""
import argparse
import json
import numbers
import os
import os.path as osp
import tempfile
from typing import Any, Mapping

import numpy as np
import torch
from mmengine.config import DictAction

__all__ = [
    'CfgOptionsAction', 'existing_file', 'default_work_dir', 'to_plain',
    'dump_json_atomic'
]


class CfgOptionsAction(DictAction):
    """mmengine's ``DictAction`` with an argparse error for malformed items.

    ``--cfg-options a.b=1 c=[1,2]``; an item without ``=``, with an empty
    key or with unbalanced brackets ends the program with
    ``argument --cfg-options: ...`` instead of a traceback.
    """

    def __call__(self, parser, namespace, values, option_string=None):
        for kv in values or ():
            key, sep, val = kv.partition('=')
            if not sep or not key.strip():
                raise argparse.ArgumentError(
                    self, f'expected KEY=VALUE items, got {kv!r}')
            if (val.count('(') != val.count(')')
                    or val.count('[') != val.count(']')):
                raise argparse.ArgumentError(
                    self, f'unbalanced brackets in {kv!r}')
        super().__call__(parser, namespace, values, option_string)


def existing_file(path: str) -> str:
    """argparse ``type=`` that requires an existing file."""
    if not osp.isfile(path):
        raise argparse.ArgumentTypeError(f'file not found: {path!r}')
    return path


def default_work_dir(config_path: str) -> str:
    """``./work_dirs/<config stem>`` as in mmpose."""
    return osp.join('./work_dirs', osp.splitext(osp.basename(config_path))[0])


def to_plain(value: Any) -> Any:
    """Metric values as JSON-able plain Python (numbers become floats).

    numpy / torch scalars and Python numbers -> ``float``; arrays and tensors
    -> nested lists of floats; mappings and sequences recursively; strings,
    booleans and None unchanged.
    """
    if value is None or isinstance(value, (str, bool, np.bool_)):
        return bool(value) if isinstance(value, np.bool_) else value
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return value.astype(float).tolist() if value.ndim else float(value)
    if isinstance(value, (numbers.Number, np.generic)):
        return float(value)
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    raise TypeError(f'cannot write a metric value of type {type(value)} '
                    'as JSON')


def dump_json_atomic(obj: Any, path: str) -> None:
    """Write ``obj`` as JSON to ``path`` via a temporary file + rename.

    Readers never see a half-written file; an existing file is replaced.
    """
    path = osp.abspath(path)
    folder = osp.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=folder, prefix=f'.{osp.basename(path)}.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'w') as f:
            json.dump(obj, f, indent=2, sort_keys=True)
            f.write('\n')
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise
