"""External 3D pose predictions scored with :class:`PoseMetric`.

File format (JSON), one entry per evaluated image::

    {"<sequence>": {"<camera>": {"<frame>": [PERSON, ...]}}}

    PERSON = {"joints": [[x, y, z], ...],      # J = 17 joints, Human3.6M order,
              "bbox": [x1, y1, x2, y2]}        # optional

``joints`` are in the camera frame of ``<camera>`` in the dataset's
calibration units (mm), as absolute positions or root-relative; they are
scored root-relative. ``bbox`` is the person's box in pixels of the camera's
image as stored on disk; it matches the prediction to a person (Hungarian on
box centres, as the toolkit's own models are matched). Without it the joints
must be absolute (in front of the camera) and the box of their projection is
used. A bare list of joints is shorthand for ``{"joints": ...}``. Images of
the split without an entry count as images where nobody was found.
"""
import json
from typing import Dict, List

import numpy as np
from tqdm import tqdm

from nsd_toolkit.structures import keypoints_to_box
from nsd_toolkit.utils import project_points
from .metrics import PoseMetric

Predictions = Dict[str, Dict[str, Dict[int, List[dict]]]]


def load_pose_predictions(path: str, num_joints: int = 17) -> Predictions:
    """Read and check a predictions file.

    Returns:
        sequence -> camera -> frame -> list of ``dict(joints=float64
        [J, 3], bbox=float64 [4] or None)``.

    Raises:
        ValueError: naming the file and the entry that is malformed.
    """
    try:
        with open(path) as f:
            raw = json.load(f)
    except json.JSONDecodeError as error:
        raise ValueError(f'{path}: not valid JSON ({error})') from None
    if not isinstance(raw, dict):
        raise ValueError(f'{path}: the top level must be an object '
                         '{"<sequence>": {"<camera>": {"<frame>": [...]}}}')
    predictions: Predictions = {}
    for seq, cameras in raw.items():
        if not isinstance(cameras, dict):
            raise ValueError(f'{path}: [{seq!r}] must map cameras to frames')
        for cam, frames in cameras.items():
            if not isinstance(frames, dict):
                raise ValueError(
                    f'{path}: [{seq!r}][{cam!r}] must map frames to people')
            for frame, people in frames.items():
                where = f'{path}: [{seq!r}][{cam!r}][{frame!r}]'
                if not str(frame).isdigit():
                    raise ValueError(f'{where}: frames are keyed by their '
                                     'index ("0", "15", ...)')
                if not isinstance(people, list):
                    raise ValueError(f'{where} must be a list of people')
                predictions.setdefault(seq, {}).setdefault(cam, {})[int(
                    frame)] = [
                        _person(person, f'{where}[{index}]', num_joints)
                        for index, person in enumerate(people)
                    ]
    return predictions


def _person(person, where: str, num_joints: int) -> dict:
    if not isinstance(person, dict):
        person = dict(joints=person)
    unknown = set(person) - {'joints', 'bbox'}
    if unknown or 'joints' not in person:
        raise ValueError(f'{where}: a person is {{"joints": [[x, y, z] x '
                         f'{num_joints}], "bbox": [x1, y1, x2, y2]}}, got '
                         f'keys {sorted(person)}')
    joints = _array(person['joints'], (num_joints, 3), f'{where}.joints')
    bbox = person.get('bbox')
    if bbox is not None:
        bbox = _array(bbox, (4, ), f'{where}.bbox')
    return dict(joints=joints, bbox=bbox)


def _array(value, shape, where: str) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        array = None
    if array is None or array.shape != shape or not np.isfinite(
            array).all():
        raise ValueError(f'{where} must be {len(shape)}-d finite numbers of '
                         f'shape {list(shape)}')
    return array


def score_pose_predictions(dataset,
                           predictions: Predictions,
                           root_index: int = 0,
                           progress: bool = True) -> Dict[str, float]:
    """Score ``predictions`` on every image of ``dataset`` (its pipeline
    must pack the 3D ground truth, as the pose configs' test pipelines do).

    Returns:
        :class:`PoseMetric`'s metrics (mm) plus ``images`` (evaluated),
        ``images_without_prediction`` and ``predictions_unused`` (images
        of the file that are not in the split).

    Raises:
        ValueError: a sequence or camera of the file that the split lacks.
    """
    metric = PoseMetric(root_index=root_index)
    used, images, missing = set(), 0, 0
    indices = range(len(dataset))
    known = {}
    for index in tqdm(indices, desc='scoring', disable=not progress):
        item = dataset[index]
        sample = item['data_samples']
        if 'gt_joints_cam' not in sample:
            raise ValueError(
                f'sample {sample.seq}/{sample.frame} has no 3D ground truth: '
                'score on a labelled split')
        known.setdefault(sample.seq, set()).update(sample.cameras)
        for view, cam in enumerate(sample.cameras):
            people = predictions.get(sample.seq, {}).get(cam, {}).get(
                int(sample.frame))
            images += 1
            if people is None:
                missing += 1
                people = []
            else:
                used.add((sample.seq, cam, int(sample.frame)))
            metric.process(None,
                           [_view_sample(item, view, people, root_index)])
    _check_names(predictions, known)
    total = sum(
        len(frames) for cams in predictions.values()
        for frames in cams.values())
    return dict(
        metric.compute_metrics(metric.results),
        images=images,
        images_without_prediction=missing,
        predictions_unused=total - len(used))


def _check_names(predictions: Predictions, known: Dict[str, set]) -> None:
    for seq, cameras in predictions.items():
        if seq not in known:
            raise ValueError(f'predictions name sequence {seq!r}, which the '
                             f'split does not have ({sorted(known)})')
        for cam in cameras:
            if cam not in known[seq]:
                raise ValueError(
                    f'predictions name camera {cam!r} of {seq!r}, which the '
                    f'split does not have ({sorted(known[seq])})')


def _view_sample(item: dict, view: int, people: List[dict],
                 root_index: int) -> dict:
    """One view as a V = 1 sample with the file's people as its slots (their
    joints made root-relative)."""
    sample = item['data_samples']
    height, width = sample.img_shape[:2]
    ori_height, ori_width = sample.ori_shape[:2]
    joints = np.stack([p['joints'] for p in people]) if people else np.zeros(
        (0, sample.gt_joints_cam.shape[-2], 3))
    boxes = np.zeros((len(people), 4))
    for slot, person in enumerate(people):
        if person['bbox'] is not None:
            scale = np.array([width / ori_width, height / ori_height] * 2)
            boxes[slot] = person['bbox'] * scale
            continue
        K = item['inputs']['K'][view].numpy().astype(np.float64)
        pixels = project_points(person['joints'], K, np.eye(3), np.zeros(3))
        boxes[slot] = keypoints_to_box(pixels[None], person['joints'][None],
                                       width, height)[0]
    return dict(
        pred_joints_3d=(joints - joints[:, root_index:root_index + 1])[None],
        pred_bboxes=boxes[None],
        gt_joints_cam=sample.gt_joints_cam[view:view + 1],
        gt_keypoints_2d=sample.gt_keypoints_2d[view:view + 1],
        img_shape=(height, width))
