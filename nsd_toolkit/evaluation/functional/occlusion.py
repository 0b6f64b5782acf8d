"""Which people occlude which, from visible-only instance masks and joints."""
import numpy as np

from nsd_toolkit.structures.array_utils import joints_in_front, to_numpy

__all__ = ['joint_occlusions']


def joint_occlusions(id_masks, keypoints_2d, joints_cam) -> np.ndarray:
    """Person i occludes person j where i's visible mask covers a joint of j.

    Instance-id masks hold one person per pixel (the visible one), so two
    silhouettes never overlap in them. A projected joint of person j lies
    inside j's amodal silhouette; when the pixel under it belongs to person i,
    i hides j there. A joint counts when it is finite, in front of the camera
    (camera-frame z > 0) and inside the image; it lies on pixel
    ``(floor(x), floor(y))`` (pixel-edge convention of
    :func:`~nsd_toolkit.evaluation.functional.mask_to_box`). Overlaps that
    cover no joint (a hand over the other's outline) are not seen: the
    definition errs on the side of clear occlusions.

    Args:
        id_masks: int [..., H, W] instance ids (0 background, i + 1 person i).
        keypoints_2d: [..., G, J, 2] projected joints (pixels, NaN unknown).
        joints_cam: [..., G, J, 3] the same joints in the camera frame.

    Returns:
        bool [..., G, G]: ``[i, j]`` True where person i's visible mask covers
        at least one joint of person j (diagonal False). A pair occludes when
        ``[i, j] | [j, i]``.
    """
    ids = to_numpy(id_masks).astype(np.int64)
    xy, usable = joints_in_front(keypoints_2d, joints_cam)
    height, width = ids.shape[-2:]
    num_people = xy.shape[-3]
    if ids.shape[:-2] != xy.shape[:-3]:
        raise ValueError(
            f'id_masks {ids.shape} and keypoints_2d {xy.shape} disagree on '
            'the leading (view) dimensions')
    pixel = np.floor(np.clip(np.where(usable[..., None], xy, -1.0), -1.0,
                             max(height, width))).astype(np.int64)
    col, row = pixel[..., 0], pixel[..., 1]  # [..., G, J]
    usable &= (col >= 0) & (col < width) & (row >= 0) & (row < height)
    flat_index = np.where(usable, row * width + col, 0)
    under = np.take_along_axis(
        ids.reshape(*ids.shape[:-2], height * width),
        flat_index.reshape(*ids.shape[:-2], -1),
        axis=-1).reshape(usable.shape)  # id of the pixel under each joint
    under = np.where(usable, under, 0)
    people = np.arange(1, num_people + 1)[:, None, None]  # [G(i), 1, 1]
    covers = (under[..., None, :, :] == people).any(-1)  # [..., G(i), G(j)]
    covers &= ~np.eye(num_people, dtype=bool)
    return covers
