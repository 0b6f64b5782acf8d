"""Every registered component derives from the base class of its kind."""
import importlib
import inspect

import pytest

from nsd_toolkit.registry import MODELS

KINDS = {
    'architectures': 'BaseNSDModel',
    'associators': 'BaseAssociator',
    'backbones': 'BaseBackbone',
    'compositors': 'BaseCompositor',
    'decoders': 'BaseDecoder',
    'detectors': 'BaseDetector',
    'encoders': 'BaseEncoder',
    'pose_heads': 'BasePoseHead',
    'root_heads': 'BaseRootHead',
    'priors': 'BasePrior',
}


@pytest.mark.parametrize('kind, base_name', sorted(KINDS.items()))
def test_registered_components_subclass_their_base(kind, base_name):
    package = importlib.import_module(f'nsd_toolkit.models.{kind}')
    base = getattr(package, base_name)
    assert inspect.isabstract(base)
    registered = [
        cls for name, cls in MODELS.module_dict.items()
        if cls.__module__.startswith(f'nsd_toolkit.models.{kind}.')
    ]
    assert registered, kind
    for cls in registered:
        assert issubclass(cls, base), cls.__name__


def test_a_component_missing_its_contract_cannot_be_built():
    from nsd_toolkit.models.detectors import BaseDetector

    class NoForward(BaseDetector):
        num_people = 1

    with pytest.raises(TypeError, match='abstract'):
        NoForward()


@pytest.mark.parametrize('kind, base_name', sorted(KINDS.items()))
def test_every_base_refuses_a_subclass_without_its_abstract_methods(
        kind, base_name):
    base = getattr(importlib.import_module(f'nsd_toolkit.models.{kind}'),
                   base_name)
    incomplete = type(f'Incomplete{base_name}', (base, ), {})
    with pytest.raises(TypeError, match='abstract'):
        incomplete()
