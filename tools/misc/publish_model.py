"""Publish a checkpoint: its weights and meta, without the training state.

    python tools/misc/publish_model.py IN_FILE OUT_FILE.pth

As mmpose's publish_model: the optimizer, message hub and parameter scheduler
states (what only ``--resume`` reads) are dropped, ``state_dict`` and ``meta``
kept, and the file is named ``<OUT_FILE without .pth>-<first 8 hex digits of
its sha256>.pth``; the final path is printed. IN_FILE is loaded with the
toolkit's safe loader. The output is written through a temporary file and a
rename under its final name, so a failure leaves no file; an existing one is
never replaced.
"""
import argparse
import hashlib
import io
import os
import os.path as osp
from typing import Mapping

import torch

from nsd_toolkit.utils.checkpoint import (CHECKPOINT_ERRORS,
                                          CheckpointReadError,
                                          load_checkpoint_safely, save_atomic)

#: The parts of a checkpoint that are published (mmengine's CheckpointHook
#: ``published_keys`` default).
PUBLISHED_KEYS = ('meta', 'state_dict')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Strip a checkpoint to its weights and meta for release')
    parser.add_argument('in_file', help='checkpoint of tools/train.py')
    parser.add_argument(
        'out_file', help='output path ending in .pth; the hash is added to '
        'the name')
    args = parser.parse_args(argv)
    if not args.out_file.endswith('.pth'):
        parser.error(f'argument out_file: {args.out_file!r} does not end in '
                     '.pth')
    return parser, args


def strip_checkpoint(checkpoint: Mapping, filename: str) -> dict:
    """The :data:`PUBLISHED_KEYS` of ``checkpoint`` (read from ``filename``);
    CheckpointReadError when it has no ``state_dict``."""
    if 'state_dict' not in checkpoint:
        raise CheckpointReadError(
            f'Checkpoint {filename} has no state_dict (keys: '
            f'{sorted(checkpoint)}): not a checkpoint of tools/train.py.')
    return {key: checkpoint[key] for key in PUBLISHED_KEYS if key in checkpoint}


def serialize(checkpoint: dict) -> bytes:
    """``checkpoint`` as :func:`torch.save` writes it."""
    buffer = io.BytesIO()
    torch.save(checkpoint, buffer)
    return buffer.getvalue()


def published_name(out_file: str, data: bytes) -> str:
    """``<out_file without .pth>-<first 8 hex of sha256(data)>.pth``."""
    return f'{out_file[:-len(".pth")]}-{hashlib.sha256(data).hexdigest()[:8]}.pth'


def main(argv=None):
    parser, args = parse_args(argv)
    try:
        checkpoint = load_checkpoint_safely(args.in_file, map_location='cpu')
        data = serialize(strip_checkpoint(checkpoint, args.in_file))
    except CHECKPOINT_ERRORS as error:
        parser.error(f'argument in_file: {error}')
    final = published_name(args.out_file, data)
    if osp.lexists(final):
        parser.error(f'{final} exists already (the same weights published '
                     'before?); not replaced')
    try:
        os.makedirs(osp.dirname(osp.abspath(final)), exist_ok=True)
        save_atomic(final, data)
    except OSError as error:
        parser.error(f'cannot write {final}: {error.strerror or error}')
    print(final)
    return final


if __name__ == '__main__':
    main()
