"""mmengine's CheckpointHook, safe against crashes and work dir copies."""
import os
import os.path as osp

from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend, register_backend
from mmengine.hooks import CheckpointHook
from mmengine.utils import mkdir_or_exist

from nsd_toolkit.registry import HOOKS
from nsd_toolkit.utils.checkpoint import (PARTIAL_SUFFIX,
                                          find_resumable_checkpoint,
                                          save_atomic, write_last_checkpoint)

#: Name of :class:`AtomicLocalBackend` among mmengine's file backends.
ATOMIC_LOCAL_BACKEND = 'nsd_atomic_local'


class AtomicLocalBackend(LocalBackend):
    """mmengine's local file backend, writing through a temporary file and a
    rename (:func:`~nsd_toolkit.utils.checkpoint.save_atomic`)."""

    def put(self, obj: bytes, filepath) -> None:
        mkdir_or_exist(osp.dirname(str(filepath)))
        save_atomic(str(filepath), obj)

    def put_text(self, obj: str, filepath, encoding: str = 'utf-8') -> None:
        self.put(obj.encode(encoding), filepath)


register_backend(ATOMIC_LOCAL_BACKEND, AtomicLocalBackend, force=True)


def _is_local(path) -> bool:
    return '://' not in str(path or '')


@HOOKS.register_module()
class NSDCheckpointHook(CheckpointHook):
    """mmengine's ``CheckpointHook`` whose files survive crashes and copies.

    Same arguments, files and behaviour (``interval``, ``max_keep_ckpts``,
    ``save_best``, ``published_keys`` ...), and for a local ``out_dir``:

    - each checkpoint is written to a temporary file beside it and renamed
      (:class:`AtomicLocalBackend`, unless ``backend_args`` name another
      backend): a run killed while saving leaves the previous checkpoints
      and no partial ``iter_N.pth``; the temporary file's remains
      (``.iter_N.pth.*.partial``) are removed when training starts again;
    - ``last_checkpoint`` holds the path relative to the work dir, written
      atomically, so a copied work dir resumes from its own files;
    - resuming in a copied work dir, the best and last checkpoints the
      message hub recorded in the original folder are taken as this run's
      files of the same names (mmengine would delete the original's best
      checkpoint when a better one comes);
    - mmengine's own auto resume (``resume=True`` without ``load_from``,
      e.g. a Runner built in a script) takes the newest checkpoint that
      loads (:func:`~nsd_toolkit.utils.checkpoint.find_resumable_checkpoint`,
      which reads the relative ``last_checkpoint``); ``tools/train.py
      --resume`` chooses it the same way.
    """

    def __init__(self, *args, out_dir=None, backend_args=None,
                 file_client_args=None, **kwargs):
        if (backend_args is None and file_client_args is None
                and _is_local(out_dir)):
            backend_args = dict(backend=ATOMIC_LOCAL_BACKEND)
        super().__init__(*args, out_dir=out_dir, backend_args=backend_args,
                         file_client_args=file_client_args, **kwargs)

    def before_run(self, runner) -> None:
        # mmengine 0.10's Runner keeps the resume settings in these
        # attributes and reads them in load_or_resume, after before_run
        if (getattr(runner, '_resume', False)
                and getattr(runner, '_load_from', '') is None):
            runner._load_from = find_resumable_checkpoint(
                runner.work_dir, warn=runner.logger.warning)

    def before_train(self, runner) -> None:
        super().before_train(runner)
        if not _is_local(self.out_dir):
            return
        self._adopt_recorded_paths(runner)
        if is_main_process():
            self._remove_partial_files(runner)

    def _adopt_recorded_paths(self, runner) -> None:
        """Best / last checkpoint paths recorded in another folder (the work
        dir this one was copied from) name the files of ``out_dir``."""
        hub = runner.message_hub
        out_dir = osp.abspath(self.out_dir)
        for key, path in list(hub.runtime_info.items()):
            if (not (key == 'last_ckpt' or key.startswith('best_ckpt'))
                    or not isinstance(path, str)
                    or osp.dirname(osp.abspath(path)) == out_dir):
                continue
            adopted = osp.join(self.out_dir, osp.basename(path))
            hub.update_info(key, adopted)
            runner.logger.info(f'NSDCheckpointHook: {key} {path} was saved in '
                               f'another folder; this run uses {adopted}')
            if getattr(self, 'best_ckpt_path', None) == path:
                self.best_ckpt_path = adopted
            for indicator, best in getattr(self, 'best_ckpt_path_dict',
                                           {}).items():
                if best == path:
                    self.best_ckpt_path_dict[indicator] = adopted

    def _remove_partial_files(self, runner) -> None:
        """Remains of checkpoint writes a crash interrupted."""
        if not osp.isdir(self.out_dir):
            return
        for name in sorted(os.listdir(self.out_dir)):
            if name.startswith('.') and name.endswith(PARTIAL_SUFFIX):
                os.remove(osp.join(self.out_dir, name))
                runner.logger.warning(
                    f'NSDCheckpointHook: removed {name}, the remains of a '
                    f'checkpoint write that was interrupted, from {self.out_dir}')

    def _save_checkpoint_with_step(self, runner, step, meta):
        # mmengine 0.10.x writes last_checkpoint here, as an absolute path;
        # replaced at once by the relative, atomically written record
        super()._save_checkpoint_with_step(runner, step, meta)
        if is_main_process() and _is_local(self.out_dir):
            write_last_checkpoint(runner.work_dir, self.last_ckpt)
