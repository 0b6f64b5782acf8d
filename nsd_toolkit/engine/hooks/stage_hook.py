"""Staged training: switch model settings at given iterations, resumably."""
from typing import List, Sequence

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from nsd_toolkit.registry import HOOKS

META_KEY = 'nsd_stages'


@HOOKS.register_module()
class NSDStageHook(Hook):
    """Set attributes of the model when training reaches given iterations.

    Example (a second stage with a flatter mask window from iteration 3000)::

        custom_hooks = [dict(type='NSDStageHook', stages=[
            dict(begin=3000, model=dict(mask_window_power=0.25))])]

    Applied stages are replayed on ``--resume`` (every stage with
    ``begin <= runner.iter``), stored in ``checkpoint['meta']['nsd_stages']``
    and re-applied when a checkpoint is loaded for testing, so a checkpoint
    is always evaluated in the stage it was trained in.

    Args:
        stages (list[dict]): each ``dict(begin=ITER, model=dict(ATTR=VALUE))``;
            ``begin`` >= 0, attributes must exist on the model.
    """

    priority = 'NORMAL'

    def __init__(self, stages: Sequence[dict]):
        self.stages: List[dict] = []
        for index, stage in enumerate(stages):
            unknown = set(stage) - {'begin', 'model'}
            begin = stage.get('begin')
            if unknown or not isinstance(begin, int) or begin < 0:
                raise ValueError(
                    f'NSDStageHook: stages[{index}] must be dict(begin=int >= '
                    f'0, model=dict(...)), got {stage!r}')
            self.stages.append(dict(begin=begin, model=dict(stage['model'])))
        self.applied: List[int] = []

    @staticmethod
    def _model(runner):
        model = runner.model
        return model.module if is_model_wrapper(model) else model

    def _apply(self, runner, index: int, reason: str) -> None:
        if index in self.applied:
            return
        model = self._model(runner)
        for key, value in self.stages[index]['model'].items():
            if not hasattr(model, key):
                raise AttributeError(
                    f'NSDStageHook: stages[{index}].model.{key}: '
                    f'{type(model).__name__} has no attribute {key!r}')
            setattr(model, key, value)
        self.applied.append(index)
        runner.logger.info(
            f'NSDStageHook: stage {index} ({self.stages[index]["model"]}) '
            f'applied {reason}')

    def before_train(self, runner) -> None:
        """Replay every stage already reached (``--resume``)."""
        for index, stage in enumerate(self.stages):
            if stage['begin'] <= runner.iter:
                self._apply(runner, index, f'at iteration {runner.iter}')

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        for index, stage in enumerate(self.stages):
            if stage['begin'] == runner.iter:
                self._apply(runner, index, f'at iteration {runner.iter}')

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint.setdefault('meta', {})[META_KEY] = sorted(self.applied)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Put the model in the stage the loaded checkpoint was trained in."""
        for index in checkpoint.get('meta', {}).get(META_KEY, []):
            if index >= len(self.stages):
                raise ValueError(
                    f'NSDStageHook: the checkpoint was trained with stage '
                    f'{index}, but the config defines {len(self.stages)} '
                    'stages')
            self._apply(runner, index, 'from the loaded checkpoint')
