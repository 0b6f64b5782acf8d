"""Forward-mode dispatch and training stages shared by the toolkit's models."""
from abc import ABCMeta, abstractmethod
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmengine.logging import print_log
from mmengine.model import BaseModel

from nsd_toolkit.structures import MultiViewDataSample

# checkpoint['meta'] key of the stages a checkpoint was trained in
STAGES_META_KEY = 'nsd_stages'


class BaseNSDModel(BaseModel, metaclass=ABCMeta):
    """Dispatches ``forward`` once and owns the model's training stages.

    Subclasses implement :meth:`loss`, :meth:`predict` and :meth:`_forward`
    (``mode='tensor'``), name the attributes a stage may set in
    ``STAGE_ATTRIBUTES`` and the components a stage may re-initialise in
    ``REINIT_COMPONENTS`` (implementing :meth:`reinitialize` for them).

    A stage changes settings of the model from an iteration on (paper
    appendix A: depth-aware compositing, fresh E and D)::

        stages=dict(
            occlusion=dict(begin=200000, settings=dict(use_depth=True),
                           reinit=['encoder', 'decoder']))

    Stages are keyed by name, so a child config changes one stage
    (``model=dict(stages=dict(occlusion=dict(begin=3000)))``) without
    restating the others. They are checked when the model is built (an
    attribute outside ``STAGE_ATTRIBUTES`` or an unknown component is an
    error then, not when the stage begins). ``NSDStageHook`` decides when
    a stage applies; :meth:`apply_stage` applies it; the stages applied so
    far (:meth:`stage_record`) travel in ``checkpoint['meta']['nsd_stages']``
    and :meth:`restore_stages` puts a loaded model back into them
    (``tools/test.py``, :func:`~nsd_toolkit.apis.init_model`, ``--resume``).

    Args:
        stages (dict, optional): name -> ``dict(begin=ITER >= 0,
            settings=dict(ATTR=VALUE), reinit=[COMPONENT])``; ``settings``
            and ``reinit`` optional.
        data_preprocessor, init_cfg: as mmengine's ``BaseModel``.
    """

    STAGE_ATTRIBUTES: Tuple[str, ...] = ()
    REINIT_COMPONENTS: Tuple[str, ...] = ()

    def __init__(self,
                 stages: Optional[Dict[str, dict]] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.stages = {
            name: self._checked_stage(name, stage)
            for name, stage in (stages or {}).items()
        }
        self.applied_stages: List[dict] = []

    # ------------------------------------------------------------ dispatch
    def forward(self,
                inputs: Dict[str, torch.Tensor],
                data_samples: Optional[List[MultiViewDataSample]] = None,
                mode: str = 'tensor'):
        """``mode``: ``'loss'`` -> dict of losses, ``'predict'`` -> the
        data samples with predictions, ``'tensor'`` -> the raw outputs."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._forward(inputs, data_samples)
        raise ValueError(f'Invalid mode "{mode}": use loss, predict or tensor')

    @abstractmethod
    def loss(self, inputs: Dict[str, torch.Tensor],
             data_samples: Optional[List[MultiViewDataSample]]
             ) -> Dict[str, torch.Tensor]:
        """Training losses of a preprocessed batch."""

    @abstractmethod
    def predict(self, inputs: Dict[str, torch.Tensor],
                data_samples: List[MultiViewDataSample]
                ) -> List[MultiViewDataSample]:
        """The data samples with their ``pred_*`` fields filled."""

    @abstractmethod
    def _forward(self, inputs: Dict[str, torch.Tensor],
                 data_samples: Optional[List[MultiViewDataSample]] = None
                 ) -> Dict[str, torch.Tensor]:
        """Raw network outputs (``mode='tensor'``)."""

    # -------------------------------------------------------------- stages
    def reinitialize(self, names: Sequence[str]) -> List[torch.nn.Parameter]:
        """Fresh weights for the named components; the parameters reset."""
        raise NotImplementedError(
            f'{type(self).__name__} re-initialises no component')

    def _checked_stage(self, name: str, stage: dict) -> dict:
        where = f'{type(self).__name__}: stages.{name}'
        unknown = set(stage) - {'begin', 'settings', 'reinit'}
        begin = stage.get('begin')
        reinit = stage.get('reinit', [])
        if unknown:
            raise ValueError(f'{where}: unknown keys {sorted(unknown)}; a '
                             'stage is dict(begin=..., settings=dict(...), '
                             'reinit=[...])')
        if isinstance(begin, bool) or not isinstance(begin,
                                                     int) or begin < 0:
            raise ValueError(
                f'{where}.begin must be an iteration >= 0, got {begin!r}')
        if isinstance(reinit, str) or not set(reinit) <= set(
                self.REINIT_COMPONENTS):
            raise ValueError(
                f'{where}.reinit must be a list among '
                f'{list(self.REINIT_COMPONENTS)}, got {reinit!r}')
        settings = dict(stage.get('settings', {}))
        self._check_settings(settings, where)
        return dict(begin=begin, settings=settings, reinit=list(reinit))

    def _check_settings(self, settings: dict, where: str) -> None:
        unknown = set(settings) - set(self.STAGE_ATTRIBUTES)
        if unknown:
            raise ValueError(
                f'{where}.settings: {sorted(unknown)} cannot be set by a '
                f'stage of {type(self).__name__}; allowed: '
                f'{list(self.STAGE_ATTRIBUTES)}')

    def stage_applied(self, name: str) -> bool:
        """Whether the stage ``name`` has been applied (or restored)."""
        return any(record.get('name') == name
                   for record in self.applied_stages)

    def stages_beginning_at(self, iteration: int) -> List[str]:
        """Names of the stages whose ``begin`` is ``iteration``."""
        return [n for n, s in self.stages.items() if s['begin'] == iteration]

    def apply_stage(self, name: str,
                    reinit: bool = True) -> List[torch.nn.Parameter]:
        """Set the stage's settings and, with ``reinit``, re-initialise its
        components; returns the parameters reset (to clear their optimiser
        state). Applying an applied stage again changes nothing."""
        if name not in self.stages:
            raise KeyError(f'{type(self).__name__}: no stage {name!r}; it '
                           f'has {sorted(self.stages)}')
        if self.stage_applied(name):
            return []
        stage = self.stages[name]
        self._set(stage['settings'])
        self.applied_stages.append(
            dict(name=name, begin=stage['begin'],
                 settings=dict(stage['settings'])))
        if reinit and stage['reinit']:
            return self.reinitialize(stage['reinit'])
        return []

    def _set(self, settings: dict) -> None:
        for key, value in settings.items():
            setattr(self, key, value)

    def stage_record(self) -> List[dict]:
        """The applied stages, as stored in ``meta['nsd_stages']``."""
        return [dict(record) for record in self.applied_stages]

    def restore_stages(self, record: Sequence, source: str = 'the '
                       'checkpoint') -> None:
        """Put the model into the stages a checkpoint was trained in.

        Args:
            record: ``checkpoint['meta']['nsd_stages']``: per applied stage
                ``dict(name, begin, settings)`` (or ``dict(begin, model)``
                of toolkit 0.2). A stage this model defines with the same
                content is applied by name (without re-initialising: the
                checkpoint holds the trained weights); any other one has
                its settings set directly, with a warning, so a checkpoint
                is evaluated in the stage it was trained in also under a
                config whose stages differ.
            source: named in errors and warnings.

        Raises:
            ValueError: a record of stage indices (toolkit 0.1) or one that
            sets attributes outside ``STAGE_ATTRIBUTES``.
        """
        for stored in record:
            if not isinstance(stored, dict):
                raise ValueError(
                    f'{source}: meta[{STAGES_META_KEY!r}] holds stage '
                    f'indices ({stored!r}, toolkit 0.1); re-save it with the '
                    'stages it was trained in or train it again')
            settings = dict(stored.get('settings', stored.get('model', {})))
            same = [
                name for name, stage in self.stages.items()
                if stage['begin'] == stored.get('begin')
                and stage['settings'] == settings
                and stored.get('name', name) == name
            ]
            if same:
                self.apply_stage(same[0], reinit=False)
                continue
            self._check_settings(settings, f'{source}: stage {stored!r}')
            self._set(settings)
            self.applied_stages.append(
                dict(name=stored.get('name'), begin=stored.get('begin'),
                     settings=settings))
            print_log(
                f'{source} was trained in a stage this config does not '
                f'define ({stored}); its settings were applied',
                logger='current', level=30)
