"""Hook writing panel PNGs of the scene decomposition during training and tests."""
import os
import os.path as osp
from typing import Optional, Sequence

import numpy as np
import torch
from mmengine.dist import master_only
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from nsd_toolkit.structures import boxes_to_pixels
from nsd_toolkit.registry import HOOKS
from nsd_toolkit.visualization import (colorize_depth, draw_boxes, grid,
                                       label, overlay_masks, save_rgb,
                                       slot_texts, to_uint8_image)


def batch_slot_texts(depths: Optional[torch.Tensor],
                     scores: Optional[torch.Tensor], images: int) -> list:
    """[B, N] slot depths and presence scores (either may be None) -> per
    image, one label per slot (:func:`slot_texts`) or None."""
    rows = [None if values is None else values.detach().cpu().numpy()
            for values in (depths, scores)]
    return [slot_texts(*(None if values is None else values[image]
                         for values in rows)) for image in range(images)]


@HOOKS.register_module()
class NSDPanelHook(Hook):
    """Write pictures of what NSD does.

    Training (every ``interval`` iterations): one row per sample of the batch
    (at most ``max_samples``) with both input views and their N predicted
    boxes (slot colours, labelled with the slot's depth and, when B
    predicts it, its presence score), the target view,
    its re-synthesis from the other view, the composited instance masks (one
    colour per slot) and, when the compositor reasons about depth, its depth
    map (near bright). Validation / test (the first ``max_batches``
    batches): per view, the input with predicted, depth-labelled boxes and
    the predicted instance masks.

    Files go to ``<work_dir>/<out_dir>/{train,val,test}/``.
    """

    priority = 'LOW'

    def __init__(self,
                 interval: int = 500,
                 max_samples: int = 2,
                 max_batches: int = 2,
                 out_dir: str = 'panels'):
        if interval < 1:
            raise ValueError(f'NSDPanelHook: interval must be >= 1, got {interval}')
        self.interval = interval
        self.max_samples = max_samples
        self.max_batches = max_batches
        self.out_dir = out_dir

    def _folder(self, runner, phase: str) -> str:
        folder = osp.join(runner.work_dir, self.out_dir, phase)
        os.makedirs(folder, exist_ok=True)
        return folder

    @staticmethod
    def _model(runner):
        model = runner.model
        return model.module if is_model_wrapper(model) else model

    @master_only
    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        if not self.every_n_train_iters(runner, self.interval):
            return
        model = self._model(runner)
        was_training = model.training
        model.eval()
        with torch.no_grad():
            data = model.data_preprocessor(data_batch, False)
            out = model(data['inputs'], mode='tensor')
        model.train(was_training)
        panel = self.train_panel(out, model.data_preprocessor)
        save_rgb(
            osp.join(self._folder(runner, 'train'),
                     f'iter_{runner.iter + 1:07d}.png'), panel)

    def train_panel(self, out: dict, preprocessor) -> np.ndarray:
        """Rows of [view v + boxes, view v' + boxes, target, re-synthesis, masks]."""
        mean, std = preprocessor.mean.flatten().tolist(), preprocessor.std.flatten(
        ).tolist()
        height, width = out['target'].shape[-2:]
        boxes = boxes_to_pixels(out['center'], out['scale'], width,
                                height).cpu().numpy()
        images = [to_uint8_image(x, mean, std) for x in out['target']]
        synth = [to_uint8_image(x, mean, std) for x in out['image']]
        masks = out['visibility'][:, :, 0].cpu().numpy()
        texts = batch_slot_texts(out['depth'], out.get('presence'),
                                 len(images))
        depth_map = out.get('depth_map')
        rows = []
        for sample in range(min(self.max_samples, len(images) // 2)):
            v, w = 2 * sample, 2 * sample + 1
            row = [
                label(draw_boxes(images[v], boxes[v], texts[v]), 'view v + B'),
                label(draw_boxes(images[w], boxes[w], texts[w]),
                      "view v' + B"),
                label(images[v], 'target v'),
                label(synth[v], "v from v'"),
                label(overlay_masks(images[v], masks[v]), 'masks'),
            ]
            if depth_map is not None:
                row.append(label(colorize_depth(depth_map[v, 0].cpu().numpy()),
                                 'depth'))
            rows.append(row)
        return grid(rows)

    @master_only
    def after_val_iter(self, runner, batch_idx, data_batch=None,
                       outputs=None) -> None:
        self._eval_panel(runner, 'val', batch_idx, data_batch, outputs)

    @master_only
    def after_test_iter(self, runner, batch_idx, data_batch=None,
                        outputs=None) -> None:
        self._eval_panel(runner, 'test', batch_idx, data_batch, outputs)

    def _eval_panel(self, runner, phase: str, batch_idx: int, data_batch,
                    outputs: Optional[Sequence]) -> None:
        if batch_idx >= self.max_batches or not outputs:
            return
        rows = []
        # the loader's uint8 images (stacked or listed): inputs['img'][i] [V, 3, H, W]
        images = data_batch['inputs']['img']
        for views, sample in zip(images[:self.max_samples],
                                 outputs[:self.max_samples]):
            row = []
            texts = batch_slot_texts(sample.get('pred_depths'),
                                     sample.get('pred_scores'), len(views))
            for view, img in enumerate(views):
                img = to_uint8_image(img)
                row.append(
                    label(
                        draw_boxes(img, sample.pred_bboxes[view].numpy(),
                                   texts[view]),
                        f'{sample.cameras[view]} + B'))
                row.append(
                    label(overlay_masks(img, sample.pred_masks[view].numpy()),
                          'masks'))
            rows.append(row)
        name = (f'iter_{runner.iter:07d}_batch_{batch_idx}.png'
                if phase == 'val' else f'batch_{batch_idx}.png')
        save_rgb(osp.join(self._folder(runner, phase), name), grid(rows))
