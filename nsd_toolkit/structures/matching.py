"""Optimal one-to-one assignment of predictions to ground truth."""
import numpy as np
from scipy.optimize import linear_sum_assignment

from .array_utils import joints_in_front, to_numpy

__all__ = [
    'match_instances', 'match_slots_per_view', 'match_slots_to_people',
    'person_centers'
]


def match_instances(scores, maximize: bool = True) -> np.ndarray:
    """Hungarian matching of K predictions to L ground-truth instances.

    Args:
        scores: [K, L] similarity (e.g. IoU, ``maximize=True``) or cost
            (``maximize=False``). NaN entries count as the worst value.
        maximize: Maximise the summed score (IoU) instead of minimising it.

    Returns:
        int64 [P, 2] pairs ``(prediction index, gt index)``, P = min(K, L),
        sorted by gt index.
    """
    s = to_numpy(scores, np.float64)
    if s.ndim != 2:
        raise ValueError(f'scores must be [K, L], got shape {s.shape}')
    if s.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    finite = s[np.isfinite(s)]
    if finite.size == 0:
        s = np.zeros_like(s)
    elif not np.isfinite(s).all():
        worst = finite.min() - 1 if maximize else finite.max() + 1
        s = np.where(np.isfinite(s), s, worst)
    rows, cols = linear_sum_assignment(s, maximize=maximize)
    pairs = np.stack([rows, cols], axis=1).astype(np.int64)
    return pairs[np.argsort(pairs[:, 1], kind='stable')]


def person_centers(keypoints_2d, joints_cam, width: int,
                   height: int) -> np.ndarray:
    """Image centre of each person: the mean pixel of its joints in front.

    Args:
        keypoints_2d: [..., G, J, 2] projected joints (pixels, NaN unknown).
        joints_cam: [..., G, J, 3] the same joints in the camera frame.
        width, height: image size in pixels.

    Returns:
        float64 [..., G, 2]; NaN for people with no finite joint in front of
        the camera (z > 0) or whose centre lies outside the image.
    """
    xy, usable = joints_in_front(keypoints_2d, joints_cam)
    count = usable.sum(-1)[..., None]
    total = np.where(usable[..., None], xy, 0.0).sum(-2)
    centers = np.divide(total, count, out=np.full_like(total, np.nan),
                        where=count > 0)
    inside = ((centers >= 0) & (centers <= [width, height])).all(-1)
    centers[~inside] = np.nan
    return centers


def match_slots_to_people(slot_centers, person_centers_) -> np.ndarray:
    """Hungarian matching of N slots to the present people by distance.

    Args:
        slot_centers: [N, 2] box centres of the slots (pixels).
        person_centers_: [G, 2] person centres (pixels, NaN rows absent,
            see :func:`person_centers`).

    Returns:
        int64 [P, 2] pairs ``(slot, person)``, P = min(N, present people),
        sorted by person.
    """
    slots = to_numpy(slot_centers, np.float64)
    people = to_numpy(person_centers_, np.float64)
    present = np.flatnonzero(np.isfinite(people).all(-1))
    distance = np.linalg.norm(
        slots[:, None] - people[None, present], axis=-1)  # [N, G']
    pairs = match_instances(distance, maximize=False)
    pairs[:, 1] = present[pairs[:, 1]]
    return pairs


def match_slots_per_view(slot_boxes, keypoints_2d, joints_cam, width: int,
                         height: int):
    """Match each view's slots to its people, as training and evaluation do.

    Args:
        slot_boxes: [V, N, 4] xyxy pixel boxes of the slots.
        keypoints_2d: [V, G, J, 2] projected joints (pixels, NaN unknown).
        joints_cam: [V, G, J, 3] the same joints in the camera frame.
        width, height: image size in pixels.

    Returns:
        tuple: a list of V int64 [P, 2] ``(slot, person)`` pairs
        (:func:`match_slots_to_people` on the box centres and
        :func:`person_centers`) and bool [V, G], the people present in each
        view.
    """
    boxes = to_numpy(slot_boxes, np.float64)
    slot_centers = (boxes[..., :2] + boxes[..., 2:]) / 2
    centers = person_centers(keypoints_2d, joints_cam, width, height)
    pairs = [match_slots_to_people(slot_centers[view], centers[view])
             for view in range(len(centers))]
    return pairs, np.isfinite(centers).all(-1)
