"""Staged training: apply the model's stages when training reaches them."""
from mmengine.dist import broadcast
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from nsd_toolkit.models.architectures.base_nsd_model import STAGES_META_KEY
from nsd_toolkit.registry import HOOKS


@HOOKS.register_module()
class NSDStageHook(Hook):
    """Apply the model's ``stages`` (see ``BaseNSDModel``) at their ``begin``.

    The model owns its stages and applies them; this hook only decides when:

    - before training, a stage whose ``begin`` lies beyond ``max_iters`` is
      an error (it would never apply), and on ``--resume`` every stage
      already reached is applied again (settings only: the checkpoint holds
      the weights trained after a re-initialisation, unless it was saved
      just before the stage's ``begin``);
    - when the iteration counter reaches a stage's ``begin`` the stage is
      applied; re-initialised components are broadcast from rank 0 in
      distributed runs and their optimiser state (Adam's moments and step)
      is cleared, so they train as if from the start;
    - the applied stages are saved in ``checkpoint['meta']['nsd_stages']``
      and restored when a checkpoint is loaded.

    Every config whose model has stages lists it:
    ``custom_hooks = [..., dict(type='NSDStageHook')]``.
    """

    priority = 'NORMAL'

    @staticmethod
    def _model(runner):
        model = runner.model
        return model.module if is_model_wrapper(model) else model

    def before_train(self, runner) -> None:
        model = self._model(runner)
        for name, stage in model.stages.items():
            if stage['begin'] >= runner.max_iters:
                raise ValueError(
                    f'NSDStageHook: model.stages.{name}.begin='
                    f'{stage["begin"]} is not below train_cfg.max_iters='
                    f'{runner.max_iters}, so the stage would never apply; '
                    'lower its begin or remove it')
        for name, stage in model.stages.items():
            if stage['begin'] <= runner.iter:  # reached: re-init only now
                self._apply(runner, name,
                            switching=stage['begin'] == runner.iter)

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        for name in self._model(runner).stages_beginning_at(runner.iter):
            self._apply(runner, name, switching=True)

    def _apply(self, runner, name: str, switching: bool) -> None:
        model = self._model(runner)
        if model.stage_applied(name):
            return
        params = model.apply_stage(name, reinit=switching)
        runner.logger.info(f'NSDStageHook: stage {name} '
                           f'({model.stages[name]["settings"]}) applied at '
                           f'iteration {runner.iter}')
        if params:
            self._synchronise(runner, model, model.stages[name]['reinit'],
                              params)

    @staticmethod
    def _synchronise(runner, model, names, params) -> None:
        """The re-initialised components ``names`` the same on every rank,
        no optimiser state left for their ``params``."""
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

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint.setdefault('meta', {})[STAGES_META_KEY] = self._model(
            runner).stage_record()

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Put the model in the stage the loaded checkpoint was trained in."""
        self._model(runner).restore_stages(
            checkpoint.get('meta', {}).get(STAGES_META_KEY, []))
