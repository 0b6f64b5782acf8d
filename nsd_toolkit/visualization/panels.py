"""Numpy drawing helpers for panels: boxes, instance masks, skeletons,
labelled grids."""
from typing import Optional, Sequence

import cv2
import numpy as np
import torch

from nsd_toolkit.datasets.background import atomic_imwrite

# distinct colours (RGB) for person slots
PALETTE = np.array([[230, 25, 75], [60, 180, 75], [0, 130, 200],
                    [245, 130, 48], [145, 30, 180], [70, 240, 240],
                    [240, 50, 230], [210, 245, 60]], dtype=np.uint8)

#: Bones (joint index pairs) of the 17 Human3.6M joints: pelvis, r_hip,
#: r_knee, r_ankle, l_hip, l_knee, l_ankle, spine, thorax, neck_nose,
#: head_top, l_shoulder, l_elbow, l_wrist, r_shoulder, r_elbow, r_wrist.
H36M_BONES = ((0, 1), (1, 2), (2, 3), (0, 4), (4, 5), (5, 6), (0, 7), (7, 8),
              (8, 9), (9, 10), (8, 11), (11, 12), (12, 13), (8, 14), (14, 15),
              (15, 16))


def to_uint8_image(img: torch.Tensor, mean: Sequence[float] = (0, 0, 0),
                   std: Sequence[float] = (1, 1, 1)) -> np.ndarray:
    """[3, H, W] tensor (normalised or 0-255) -> uint8 [H, W, 3] RGB array."""
    img = img.detach().float().cpu()
    img = (img * img.new_tensor(std)[:, None, None] +
           img.new_tensor(mean)[:, None, None])
    return img.clamp(0, 255).round().byte().permute(1, 2, 0).numpy().copy()


def _short(value: float) -> str:
    """Two decimals, none from 100 on (triangulated depths in mm)."""
    return f'{value:.0f}' if abs(value) >= 100 else f'{value:.2f}'


def slot_texts(depths=None, scores=None) -> Optional[list]:
    """Box labels of one image's N slots: ``'d=0.42'`` (relative depth;
    ``'d=4162'`` for depths in mm) and / or ``'p=0.97'`` (presence score);
    None without either.

    Args:
        depths, scores: [N] array-likes or None.
    """
    columns = [[f'{key}={_short(value)}' for value in np.asarray(values).tolist()]
               for key, values in (('d', depths), ('p', scores))
               if values is not None]
    return [' '.join(words) for words in zip(*columns)] if columns else None


def draw_boxes(img: np.ndarray, boxes: np.ndarray,
               texts: Optional[Sequence[str]] = None) -> np.ndarray:
    """Draw xyxy pixel boxes [N, 4] in slot colours on a copy of ``img``.

    ``texts`` (one per box, optional) are written at each box's top-left corner.
    """
    out = np.ascontiguousarray(img.copy())
    for slot, box in enumerate(np.asarray(boxes, dtype=np.float64)):
        if not np.all(np.isfinite(box)):
            continue
        x1, y1, x2, y2 = np.round(box).astype(int)
        color = tuple(int(c) for c in PALETTE[slot % len(PALETTE)])
        cv2.rectangle(out, (x1, y1), (x2 - 1, y2 - 1), color, 1)
        if texts is not None:
            cv2.putText(out, texts[slot], (max(x1, 0) + 1, max(y1, 0) + 8),
                        cv2.FONT_HERSHEY_PLAIN, 0.6, color, 1, cv2.LINE_AA)
    return out


def draw_skeletons(img: np.ndarray, joints: np.ndarray,
                   bones: Sequence[Sequence[int]] = H36M_BONES,
                   thickness: int = 1,
                   colors: Optional[Sequence] = None) -> np.ndarray:
    """Draw 2D skeletons on a copy of ``img``.

    Args:
        img: uint8 [H, W, 3].
        joints: pixel coordinates [N, J, 2] (NaN where unknown; bones with
            a non-finite end are skipped).
        bones: joint index pairs, default :data:`H36M_BONES`.
        thickness: line width in pixels.
        colors: one RGB colour per skeleton; default the slot colours.
    """
    out = np.ascontiguousarray(img.copy())
    joints = np.asarray(joints, dtype=np.float64)
    # keep far-away points drawable: cv2 needs int coordinates
    bound = 4 * max(img.shape[:2])
    finite = np.isfinite(joints).all(axis=-1) & (np.abs(joints) < bound).all(
        axis=-1)
    points = np.where(finite[..., None], joints, 0).round().astype(int)
    for slot in range(len(joints)):
        color = tuple(
            int(c) for c in (PALETTE[slot % len(PALETTE)]
                             if colors is None else colors[slot]))
        for a, b in bones:
            if finite[slot, a] and finite[slot, b]:
                cv2.line(out, tuple(points[slot, a]), tuple(points[slot, b]),
                         color, thickness)
        for point in points[slot][finite[slot]]:
            cv2.circle(out, tuple(point), thickness, color, -1)
    return out


def colorize_depth(depth: np.ndarray) -> np.ndarray:
    """Depth map [H, W] -> uint8 [H, W, 3] (viridis, near bright, far dark)."""
    depth = np.asarray(depth, dtype=np.float32)
    span = float(depth.max() - depth.min())
    nearness = (depth.max() - depth) / span if span > 0 else np.zeros_like(depth)
    bgr = cv2.applyColorMap((nearness * 255).round().astype(np.uint8),
                            cv2.COLORMAP_VIRIDIS)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def colorize_masks(masks: np.ndarray) -> np.ndarray:
    """Soft instance masks [N, H, W] in [0, 1] -> uint8 [H, W, 3] colour image."""
    masks = np.clip(np.asarray(masks, dtype=np.float32), 0, 1)
    colors = PALETTE[np.arange(len(masks)) % len(PALETTE)].astype(np.float32)
    image = np.einsum('nhw,nc->hwc', masks, colors)
    return np.clip(image, 0, 255).astype(np.uint8)


def overlay_masks(img: np.ndarray, masks: np.ndarray,
                  alpha: float = 0.6) -> np.ndarray:
    """Blend the colourised masks [N, H, W] over ``img`` [H, W, 3]."""
    weight = alpha * np.clip(np.asarray(masks).sum(0), 0, 1)[..., None]
    blended = (1 - weight) * img + weight * colorize_masks(masks)
    return blended.round().astype(np.uint8)


def label(img: np.ndarray, text: str, scale: int = 2) -> np.ndarray:
    """Upscale ``img`` by ``scale`` (nearest) and put a title bar above it."""
    img = cv2.resize(img, None, fx=scale, fy=scale,
                     interpolation=cv2.INTER_NEAREST)
    bar = np.full((16, img.shape[1], 3), 255, dtype=np.uint8)
    cv2.putText(bar, text, (2, 12), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1,
                cv2.LINE_AA)
    return np.concatenate([bar, img], axis=0)


def grid(rows: Sequence[Sequence[np.ndarray]], pad: int = 4) -> np.ndarray:
    """Tile rows of equally sized images into one white-padded uint8 image."""
    height, width = rows[0][0].shape[:2]
    cols = max(len(row) for row in rows)
    canvas = np.full((len(rows) * (height + pad) + pad,
                      cols * (width + pad) + pad, 3), 255, dtype=np.uint8)
    for r, row in enumerate(rows):
        for c, tile in enumerate(row):
            y, x = pad + r * (height + pad), pad + c * (width + pad)
            canvas[y:y + height, x:x + width] = tile
    return canvas


def save_rgb(path: str, image: np.ndarray) -> None:
    """Write an RGB uint8 image to ``path`` (PNG), atomically
    (:func:`~nsd_toolkit.datasets.background.atomic_imwrite`)."""
    atomic_imwrite(path, image)
