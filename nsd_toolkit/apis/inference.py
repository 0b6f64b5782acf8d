"""Single images through a trained model: build it, load it, run it."""
from typing import List, Mapping, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.model import BaseModel
from mmengine.registry import init_default_scope
from tqdm import tqdm

from nsd_toolkit.models.architectures.base_nsd_model import STAGES_META_KEY
from nsd_toolkit.registry import MODELS
from nsd_toolkit.structures import MultiViewDataSample
from nsd_toolkit.utils.cli import check_top_level_keys
from nsd_toolkit.utils.checkpoint import (CheckpointReadError,
                                          load_checkpoint_safely)


def _as_views(images: np.ndarray) -> torch.Tensor:
    """uint8 [B, H, W, 3] -> [B, V=1, 3, H, W]."""
    return torch.from_numpy(np.ascontiguousarray(images)).permute(
        0, 3, 1, 2)[:, None]


def init_model(config: Union[str, Config],
               checkpoint: Optional[str] = None,
               device: str = 'cpu',
               cfg_options: Optional[dict] = None) -> BaseModel:
    """Build the config's model in eval mode, with a checkpoint's weights.

    The checkpoint is loaded with ``weights_only=True`` and the toolkit's
    allow-list, and the model is put into the training stage the checkpoint
    was saved in (``checkpoint['meta']['nsd_stages']``, e.g. the flatter
    mask window or the occlusion compositor of stage 2), as ``tools/test.py``
    does.

    Args:
        config: config file or object.
        checkpoint: ``iter_N.pth`` of ``tools/train.py``; None keeps the
            initial weights.
        device: torch device of the model.
        cfg_options: overrides merged into the config (a top-level key
            neither the config nor the Runner knows raises ``KeyError``
            naming the closest one).

    Returns:
        The model, with the config as ``model.cfg``.

    Raises:
        FileNotFoundError, CheckpointReadError, UnsafeCheckpointError: the
            checkpoint is missing, not a complete checkpoint (truncated,
            empty, a folder, another kind of file) or unsafe; the message
            names the file.
        RuntimeError: its weights do not fit the config's model.
    """
    cfg = config if isinstance(config, Config) else Config.fromfile(config)
    if cfg_options:
        check_top_level_keys(cfg, cfg_options)
        cfg.merge_from_dict(cfg_options)
    init_default_scope(cfg.get('default_scope', 'nsd_toolkit'))
    model = MODELS.build(cfg.model)
    if checkpoint is not None:
        loaded = load_checkpoint_safely(checkpoint, map_location='cpu')
        state = loaded.get('state_dict', loaded)
        if not isinstance(state, Mapping):
            raise CheckpointReadError(
                f'Checkpoint {checkpoint}: its state_dict is a '
                f'{type(state).__name__}, not a dict of weights.')
        try:
            model.load_state_dict(state)
        except RuntimeError as error:
            raise RuntimeError(
                f'checkpoint {checkpoint} does not fit the model of '
                f'{cfg.filename}: {error}') from None
        model.restore_stages(
            loaded.get('meta', {}).get(STAGES_META_KEY, []),
            f'checkpoint {checkpoint}')
    model.cfg = cfg
    return model.to(device).eval()


@torch.no_grad()
def inference_images(model: BaseModel,
                     images: Sequence[np.ndarray],
                     background: np.ndarray,
                     batch_size: int = 8,
                     progress: bool = False) -> List[MultiViewDataSample]:
    """Decompose single images of one camera, without boxes given.

    Args:
        model: from :func:`init_model` (``NSD`` or ``NSDPoseEstimator``).
        images: RGB uint8 [H, W, 3] images of one camera.
        background: RGB uint8 [H, W, 3], the camera's median background.
        batch_size: images per forward pass.
        progress: show a progress bar.

    Returns:
        One data sample per image, with the view dimension V = 1:
        ``pred_bboxes`` [1, N, 4] (xyxy pixels), ``pred_depths`` [1, N]
        (models with depth) and ``pred_masks`` [1, N, H, W] (NSD) or
        ``pred_joints_3d`` [1, N, J, 3] root-relative in the camera frame
        (mm, pose models).

    Raises:
        ValueError: an image whose size differs from the background's.
    """
    for index, img in enumerate(images):
        if img.shape != background.shape:
            raise ValueError(
                f'image {index} is {img.shape}, the background '
                f'{background.shape}: images and background must come from '
                'one camera at one size')
    chunk_starts = range(0, len(images), batch_size)
    if progress:
        chunk_starts = tqdm(chunk_starts, desc='inference', unit='batch')
    height, width = background.shape[:2]
    results = []
    for start in chunk_starts:
        chunk = np.stack(images[start:start + batch_size])
        img = _as_views(chunk)
        samples = [
            MultiViewDataSample(
                metainfo=dict(img_shape=(height, width), cameras=['image']))
            for _ in range(len(chunk))
        ]
        data = model.data_preprocessor(
            dict(
                inputs=dict(img=img, background=_as_views(background[None])
                            .expand_as(img)),
                data_samples=samples))
        results.extend(model.predict(data['inputs'], data['data_samples']))
    return results
