import pytest
from mmengine.registry import init_default_scope
from nsd_test_utils import tiny_nsd_cfg

from nsd_toolkit.models.utils import check_positive_ints
from nsd_toolkit.registry import MODELS


def test_check_positive_ints_names_owner_and_argument():
    check_positive_ints('Part', size=(2, 3), count=1)
    for bad in (0, -1, 1.5, True, 'a'):
        with pytest.raises(ValueError, match=r'Part: value must be an '
                           r'integer >= 1, got'):
            check_positive_ints('Part', value=bad)
    for bad in ((), (4, 0), [2, 1.5]):
        with pytest.raises(ValueError, match=r'Part: value must be integers '
                           r'>= 1, got'):
            check_positive_ints('Part', value=bad)


@pytest.mark.parametrize('component, key, value, message', [
    ('detector', 'num_people', 0, 'BoxDetector: num_people'),
    ('detector', 'input_size', (0, 32), 'BoxDetector: input_size'),
    ('encoder', 'num_points', 0, 'CropEncoder: num_points'),
    ('decoder', 'crop_size', (16, -16), 'UNetDecoder: crop_size'),
    ('decoder', 'channels', (16, 8, 8, 8, 8, 8), 'UNetDecoder: crop_size '
     r'must be divisible by 32, got \(16, 16\)'),
    ('transformer', 'crop_size', (16, 0), 'SpatialTransformer: crop_size'),
])
def test_nsd_components_refuse_bad_sizes_when_built(component, key, value,
                                                    message):
    init_default_scope('nsd_toolkit')
    cfg = tiny_nsd_cfg()
    cfg[component] = dict(cfg[component], **{key: value})
    with pytest.raises(ValueError, match=message):
        MODELS.build(cfg)
