"""The fused people of a capture's moments on disk, to resume long captures.

A folder holds ``manifest.json`` (the fingerprint of what the people were
computed from: :func:`fingerprint`) and one ``chunk_<first moment:06d>.npz``
per chunk of moments, written atomically once the chunk is complete, with
the arrays ``moments`` int64 [C] (the chunk's moments), and per person P of
the chunk ``moment`` int64 [P], ``root`` [P, 3] and ``joints`` [P, 17, 3]
(world, mm), ``root_residual_px`` [P], ``confidence`` [P, 17],
``appearance`` [P, A], ``views`` bool [P, V] and the evidence of the pose
(:func:`~nsd_toolkit.mocap.fuse_moment`): ``view_poses`` [P, V, 17, 3],
``view_weights`` [P, V, 17] and ``scale`` [P]. A cache of another
fingerprint or format (:data:`CACHE_FORMAT`) is replaced when the first
chunk is written.
"""
import hashlib
import io
import json
import os
import os.path as osp

import numpy as np

from nsd_toolkit.utils.checkpoint import save_atomic

CHUNK_PATTERN = 'chunk_{:06d}.npz'
MANIFEST = 'manifest.json'
#: Arrays of a person and their shapes (-1: any length).
PERSON_ARRAYS = (('root', (3, )), ('root_residual_px', ()),
                 ('joints', (17, 3)), ('confidence', (17, )),
                 ('appearance', (-1, )), ('view_poses', (-1, 17, 3)),
                 ('view_weights', (-1, 17)), ('scale', ()))
#: Version of the chunks' arrays, part of the fingerprint.
CACHE_FORMAT = 3


def fingerprint(model, dataset, settings):
    """sha256 (hex) of the cache format, the model's weights and class, the
    dataset's frames, cameras and pipeline, and ``settings`` (a JSON-able
    dict)."""
    digest = hashlib.sha256()
    for name, value in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(value.detach().cpu().contiguous().numpy().tobytes())
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    digest.update(json.dumps(dict(
        format=CACHE_FORMAT, model=type(model).__name__,
        pipeline=repr(dataset.pipeline),
        settings=settings, frames=[info['img_paths'] for info in infos],
        cameras=[[np.asarray(info[key]).tolist() for key in 'KRt']
                 for info in infos]), sort_keys=True).encode())
    return digest.hexdigest()


class MomentCache:
    """Chunks of fused people (module docstring) in ``folder``, valid for
    ``fingerprint``; people have views among ``num_views``."""

    def __init__(self, folder, fingerprint, num_views):
        self.folder, self.num_views = folder, num_views
        self.fingerprint = fingerprint
        try:
            with open(osp.join(folder, MANIFEST)) as f:
                self.valid = json.load(f).get('fingerprint') == fingerprint
        except (OSError, ValueError, AttributeError):
            self.valid = False

    def _start(self):
        """Replace a cache of another fingerprint by an empty one."""
        os.makedirs(self.folder, exist_ok=True)
        for name in os.listdir(self.folder):
            if name.startswith('chunk_') and name.endswith('.npz'):
                os.remove(osp.join(self.folder, name))
        save_atomic(osp.join(self.folder, MANIFEST), json.dumps(dict(
            fingerprint=self.fingerprint)).encode())
        self.valid = True

    def path(self, start):
        return osp.join(self.folder, CHUNK_PATTERN.format(start))

    def load(self, indices):
        """``moment -> people`` (dicts of :func:`~nsd_toolkit.mocap.
        fuse_moment`) of the chunk of moments ``indices``, or None."""
        if not self.valid or not osp.isfile(self.path(indices[0])):
            return None
        with np.load(self.path(indices[0])) as arrays:
            arrays = dict(arrays)
        fused = {int(m): [] for m in arrays['moments']}
        for row, moment in enumerate(arrays['moment']):
            fused[int(moment)].append(dict(
                {key: arrays[key][row] for key, _ in PERSON_ARRAYS},
                views=np.flatnonzero(arrays['views'][row]).tolist()))
        return fused if sorted(fused) == list(indices) else None

    def save(self, indices, fused):
        """Write the chunk of moments ``indices`` (``fused``: moment ->
        people)."""
        if not self.valid:
            self._start()
        people = [(m, p) for m in indices for p in fused[m]]
        views = np.zeros((len(people), self.num_views), bool)
        for row, (_, person) in enumerate(people):
            views[row, person['views']] = True
        arrays = dict(moments=np.asarray(indices, np.int64),
                      moment=np.array([m for m, _ in people], np.int64),
                      views=views)
        for key, shape in PERSON_ARRAYS:
            arrays[key] = np.array([p[key] for _, p in people],
                                   np.float64).reshape(len(people), *shape) \
                if people else np.zeros((0, 0))
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        save_atomic(self.path(indices[0]), buffer.getvalue())
