"""Staged training: switch model settings at given iterations, resumably."""
from typing import List, Optional, Sequence, Tuple

from mmengine.dist import broadcast
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

    Paper appendix A, stage 2 (fresh E and D, depth-aware compositing)::

        dict(begin=K, model=dict(use_depth=True),
             reinit=['encoder', 'decoder'])

    ``reinit`` rebuilds the named components with fresh weights
    (``model.reinitialize``), broadcasts them from rank 0 in distributed
    runs and clears their optimiser state (Adam's moments and step), so
    they train as if from the start. Re-initialisation happens only when
    the iteration counter reaches ``begin``.

    Applied stages are replayed on ``--resume`` (every stage with
    ``begin <= runner.iter``; the attributes only, since the checkpoint
    already holds the weights trained after a re-initialisation), stored in
    ``checkpoint['meta']['nsd_stages']`` by content (``begin`` and
    ``model``) and re-applied when a checkpoint is loaded, so a checkpoint is
    always evaluated in the stage it was trained in, also under a config
    whose stages differ: a stored stage is matched to this config's stage
    with the same content, and one this config lacks has its attributes set
    directly (with a warning).

    Args:
        stages (list[dict]): each ``dict(begin=ITER, model=dict(ATTR=VALUE),
            reinit=[NAME, ...])``; ``begin`` >= 0, attributes must exist on
            the model, ``model`` and ``reinit`` are optional.
    """

    priority = 'NORMAL'

    def __init__(self, stages: Sequence[dict]):
        self.stages: List[dict] = []
        for index, stage in enumerate(stages):
            unknown = set(stage) - {'begin', 'model', 'reinit'}
            begin = stage.get('begin')
            reinit = stage.get('reinit', [])
            if (unknown or not isinstance(begin, int) or begin < 0
                    or isinstance(reinit, str)):
                raise ValueError(
                    f'NSDStageHook: stages[{index}] must be dict(begin=int >= '
                    '0, model=dict(...), reinit=[names]), got '
                    f'{stage!r}')
            self.stages.append(
                dict(
                    begin=begin,
                    model=dict(stage.get('model', {})),
                    reinit=list(reinit)))
        self.applied: List[int] = []

    @staticmethod
    def _model(runner):
        model = runner.model
        return model.module if is_model_wrapper(model) else model

    def _apply(self, runner, index: int, reason: str,
               switching: bool = True) -> None:
        """Set the stage's attributes; re-initialise only at the switch itself."""
        if index in self.applied:
            return
        stage = self.stages[index]
        set_model_attributes(self._model(runner), stage['model'],
                             f'stages[{index}]')
        if switching and runner.iter == stage['begin'] and stage['reinit']:
            self._reinitialize(runner, self._model(runner), stage['reinit'])
        self.applied.append(index)
        runner.logger.info(
            f'NSDStageHook: stage {index} ({stage["model"]}) applied {reason}')

    @staticmethod
    def _reinitialize(runner, model, names) -> None:
        """Fresh weights for ``names``, the same on every rank, no Adam state."""
        params = model.reinitialize(names)
        for name in names:
            for tensor in getattr(model, name).state_dict().values():
                broadcast(tensor, src=0)
        reset = {id(param) for param in params}
        wrappers = runner.optim_wrapper
        wrappers = (wrappers.values() if hasattr(wrappers, 'values') else
                    [wrappers])
        for wrapper in wrappers:
            state = wrapper.optimizer.state
            for param in [p for p in state if id(p) in reset]:
                del state[param]
        runner.logger.info(f'NSDStageHook: re-initialised {names}')

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
        checkpoint.setdefault('meta', {})[META_KEY] = [
            dict(begin=self.stages[index]['begin'],
                 model=self.stages[index]['model'])
            for index in sorted(self.applied)
        ]

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Put the model in the stage the loaded checkpoint was trained in."""
        for index, settings in checkpoint_stages(checkpoint, self.stages):
            if index is not None:
                self._apply(runner, index, 'from the loaded checkpoint',
                            switching=False)
                continue
            set_model_attributes(self._model(runner), settings,
                                 'the checkpoint\'s stage')
            runner.logger.warning(
                'NSDStageHook: the checkpoint was trained in a stage this '
                f'config does not define ({settings}); its settings were '
                'applied')


StageSettings = Tuple[Optional[int], dict]


def set_model_attributes(model, attributes: dict, where: str) -> None:
    """Set a stage's ``model`` settings; unknown attributes are named."""
    for key, value in attributes.items():
        if not hasattr(model, key):
            raise AttributeError(
                f'NSDStageHook: {where}.model.{key}: '
                f'{type(model).__name__} has no attribute {key!r}')
        setattr(model, key, value)


def checkpoint_stages(checkpoint: dict,
                      stages: Sequence[dict]) -> List[StageSettings]:
    """The stages a checkpoint was trained in, matched to ``stages``.

    Args:
        checkpoint: a loaded checkpoint; its ``meta['nsd_stages']`` lists
            the applied stages as ``dict(begin, model)`` (or, written by
            toolkit 0.1, as indices into the training config's stages).
        stages: the stages of the config at hand (``NSDStageHook.stages``
            form: ``dict(begin=..., model=dict(...))``).

    Returns:
        Per applied stage ``(index, settings)``: the index of the stage of
        ``stages`` with the same content (None if it has none) and the model
        attributes to set.

    Raises:
        ValueError: an index-form entry beyond ``stages``.
    """
    matched = []
    for stored in checkpoint.get('meta', {}).get(META_KEY, []):
        if isinstance(stored, int):
            if stored >= len(stages):
                raise ValueError(
                    f'NSDStageHook: the checkpoint was trained with stage '
                    f'{stored}, but the config defines {len(stages)} stages')
            matched.append((stored, dict(stages[stored].get('model', {}))))
            continue
        same = [
            index for index, stage in enumerate(stages)
            if stage['begin'] == stored['begin']
            and dict(stage.get('model', {})) == stored['model']
        ]
        matched.append((same[0] if same else None, dict(stored['model'])))
    return matched
