"""Choice of the views (cameras) of one multi-view item."""
import numpy as np
from mmcv.transforms import BaseTransform

from nsd_toolkit.registry import TRANSFORMS

# Data-info keys holding one entry per view (see MultiViewDataset).
PER_VIEW_KEYS = ('cameras', 'img_paths', 'background_paths', 'mask_paths',
                 'K', 'R', 't', 'dist', 'image_size')


@TRANSFORMS.register_module()
class SampleViews(BaseTransform):
    """Keep ``num_views`` of the item's cameras; place before loading.

    Modes: ``'random'`` draws distinct cameras in random order (training);
    ``'fixed'`` draws them with a generator seeded by ``sample_idx`` + ``seed``
    so each item always gets the same views (validation); ``'all'`` keeps every
    camera in dataset order (``num_views`` unused).

    Modified keys: those of ``PER_VIEW_KEYS`` present and not None.
    """

    def __init__(self, num_views=2, mode='random', seed=0):
        if mode not in ('random', 'fixed', 'all'):
            raise ValueError(
                f"mode must be 'random', 'fixed' or 'all', got {mode!r}")
        self.num_views = num_views
        self.mode = mode
        self.seed = seed

    def transform(self, results):
        num_cameras = len(results['cameras'])
        if self.mode == 'all':
            return results
        if num_cameras < self.num_views:
            raise ValueError(
                f'SampleViews needs {self.num_views} views, item '
                f"{results.get('seq')}/{results.get('frame')} has "
                f'{num_cameras} cameras')
        if self.mode == 'random':
            rng = np.random
        else:
            rng = np.random.default_rng(self.seed + results['sample_idx'])
        chosen = rng.choice(num_cameras, self.num_views, replace=False)
        for key in PER_VIEW_KEYS:
            value = results.get(key)
            if value is None:
                continue
            if isinstance(value, np.ndarray):
                results[key] = value[chosen]
            else:
                results[key] = [value[i] for i in chosen]
        return results

    def __repr__(self):
        return (f'{self.__class__.__name__}(num_views={self.num_views}, '
                f'mode={self.mode!r}, seed={self.seed})')
