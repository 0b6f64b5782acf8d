"""BaseNSDModel: forward dispatch and the model's own training stages."""
import pytest
import torch
from mmengine.registry import init_default_scope
from nsd_test_utils import tiny_nsd_cfg

from nsd_toolkit.models.architectures import NSD, BaseNSDModel
from nsd_toolkit.registry import MODELS


def build(stages):
    init_default_scope('nsd_toolkit')
    return MODELS.build(tiny_nsd_cfg(1, stages=stages))


def test_every_model_is_a_base_nsd_model():
    assert issubclass(NSD, BaseNSDModel)
    assert issubclass(MODELS.get('NSDPoseEstimator'), BaseNSDModel)


@pytest.mark.parametrize('stage, match', [
    (dict(begin=-1), r'stages.bad.begin must be an iteration >= 0'),
    (dict(begin=True), r'stages.bad.begin'),
    (dict(start=3), r"stages.bad: unknown keys \['start'\]"),
    (dict(begin=1, settings=dict(nope=1)),
     r"stages.bad.settings: \['nope'\] cannot be set"),
    (dict(begin=1, settings=dict(predict_depth='triangulated')),
     r"\['predict_depth'\] cannot be set by a stage of NSD; allowed: "
     r"\['use_depth'"),
    (dict(begin=1, reinit='encoder'), r'stages.bad.reinit must be a list'),
    (dict(begin=1, reinit=['compositor']), r'stages.bad.reinit'),
])
def test_bad_stages_fail_when_the_model_is_built(stage, match):
    with pytest.raises(ValueError, match=match):
        build(dict(bad=stage))


def test_apply_stage_sets_settings_once_and_records_them():
    model = build(dict(
        flat=dict(begin=5, settings=dict(mask_window_power=0.5)),
        depth=dict(begin=9, settings=dict(use_depth=True))))
    assert model.stages_beginning_at(5) == ['flat']
    assert model.stages_beginning_at(6) == []
    assert model.apply_stage('flat') == []
    assert model.mask_window_power == 0.5 and not model.use_depth
    model.mask_window_power = 0.7  # a second apply changes nothing
    assert model.apply_stage('flat') == []
    assert model.mask_window_power == 0.7
    assert model.stage_record() == [
        dict(name='flat', begin=5, settings=dict(mask_window_power=0.5))]
    with pytest.raises(KeyError, match="no stage 'nope'"):
        model.apply_stage('nope')


def test_apply_stage_reinitialises_only_when_asked():
    stages = dict(fresh=dict(begin=2, reinit=['encoder']))
    model = build(stages)
    before = {k: v.clone() for k, v in model.encoder.state_dict().items()}
    assert model.apply_stage('fresh', reinit=False) == []
    assert all(torch.equal(v, model.encoder.state_dict()[k])
               for k, v in before.items())
    other = build(stages)
    params = other.apply_stage('fresh')
    assert {id(p) for p in params} == {
        id(p) for p in other.encoder.parameters()}


def test_restore_stages_by_name_or_by_settings():
    model = build(dict(flat=dict(begin=5,
                                 settings=dict(mask_window_power=0.5))))
    model.restore_stages(
        [dict(name='flat', begin=5, settings=dict(mask_window_power=0.5)),
         dict(name='gone', begin=8, settings=dict(use_depth=True))])
    assert model.mask_window_power == 0.5 and model.use_depth
    assert [r['name'] for r in model.applied_stages] == ['flat', 'gone']
    with pytest.raises(ValueError, match=r"\['nope'\] cannot be set"):
        model.restore_stages([dict(name='x', begin=1, settings=dict(nope=1))])


def test_forward_dispatches_the_modes():
    model = build({})
    with pytest.raises(ValueError, match='Invalid mode "train"'):
        model(dict(), mode='train')
