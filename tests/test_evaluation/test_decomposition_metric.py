from unittest import mock

import numpy as np
import pytest
import torch
from mmengine.evaluator import Evaluator
from mmengine.logging import MMLogger

from nsd_toolkit.evaluation import DecompositionMetric
from nsd_toolkit.evaluation.functional import keypoints_to_box
from nsd_toolkit.registry import METRICS
from nsd_toolkit.structures import MultiViewDataSample

H, W = 10, 12
# person 1: rows 0-3, cols 0-3 -> box [0, 0, 4, 4] (16 px)
# person 2: rows 5-8, cols 6-10 -> box [6, 5, 11, 9] (20 px)
BOX1 = [0.0, 0.0, 4.0, 4.0]
BOX2 = [6.0, 5.0, 11.0, 9.0]


def _gt(views=1):
    ids = torch.zeros(views, H, W, dtype=torch.long)
    ids[:, 0:4, 0:4] = 1
    ids[:, 5:9, 6:11] = 2
    boxes = torch.tensor([BOX1, BOX2]).repeat(views, 1, 1)
    return ids, boxes


def _perfect(ids, soft=0.9):
    """Soft masks [V, 2, H, W] equal to the GT instances."""
    people = torch.arange(1, 3).view(1, 2, 1, 1)
    return (ids.unsqueeze(1) == people).float() * soft


def _sample(pred_masks, pred_bboxes, gt_masks, gt_bboxes):
    sample = MultiViewDataSample(metainfo=dict(frame=0))
    sample.gt_masks = gt_masks
    sample.gt_bboxes = gt_bboxes
    if pred_masks is not None:
        sample.pred_masks = pred_masks
    if pred_bboxes is not None:
        sample.pred_bboxes = pred_bboxes
    return sample


def _evaluate(samples, **kwargs):
    metric = DecompositionMetric(**kwargs)
    metric.process({}, samples)
    for result in metric.results:  # compact: numbers only, no masks
        for view in result.get('views', []):
            assert all(isinstance(v, (int, float)) for v in view.values())
    return metric.evaluate(len(samples))


def test_registered_with_prefix():
    metric = METRICS.build(dict(type='DecompositionMetric'))
    assert isinstance(metric, DecompositionMetric)
    assert metric.prefix == 'decomposition'


def test_perfect_prediction_is_one():
    ids, boxes = _gt(views=2)
    out = _evaluate([_sample(_perfect(ids), boxes.clone(), ids, boxes)])
    # the two people do not overlap: no pair for the overlap-only IoU
    assert np.isnan(out.pop('decomposition/overlap_mask_iou'))
    assert out == {
        'decomposition/detection_rate': 1.0,
        'decomposition/mask_iou': 1.0,
        'decomposition/precision': 1.0,
        'decomposition/false_positive_rate': 0.0,
        'decomposition/crop_box_iou': 1.0,
        'decomposition/crop_detection_rate': 1.0,
        # 16 + 20 of 120 pixels per view, as boxes and as masks
        'decomposition/box_area': pytest.approx(0.15),
        'decomposition/mask_area': pytest.approx(0.15),
    }


def test_shifted_crop_box_known_iou():
    ids, boxes = _gt()
    crops = boxes.clone()
    crops[0, 0] = torch.tensor([2.0, 0.0, 6.0, 4.0])  # IoU 8 / 24 with BOX1
    out = _evaluate([_sample(_perfect(ids), crops, ids, boxes)])
    assert out['decomposition/crop_box_iou'] == pytest.approx((1 / 3 + 1) / 2)
    assert out['decomposition/crop_detection_rate'] == 0.5
    assert out['decomposition/detection_rate'] == 1.0
    assert out['decomposition/mask_iou'] == 1.0


def test_swapped_instance_order_is_still_matched():
    ids, boxes = _gt()
    masks = _perfect(ids).flip(1)
    crops = boxes.flip(1)
    out = _evaluate([_sample(masks, crops, ids, boxes)])
    assert np.isnan(out.pop('decomposition/overlap_mask_iou'))
    assert out.pop('decomposition/false_positive_rate') == 0.0
    for key in ('decomposition/box_area', 'decomposition/mask_area'):
        assert out.pop(key) == pytest.approx(0.15)
    assert all(v == 1.0 for v in out.values()), out


def test_missing_person_detection_half():
    ids, boxes = _gt()
    masks = _perfect(ids)
    masks[0, 1] = 0.1  # below the 0.5 threshold: slot 1 predicts nothing
    out = _evaluate([_sample(masks, boxes.clone(), ids, boxes)])
    assert out['decomposition/detection_rate'] == 0.5
    assert out['decomposition/mask_iou'] == 0.5
    # the empty slot predicts no instance: no false positive
    assert out['decomposition/precision'] == 1.0


def test_partial_mask_hand_values():
    ids, boxes = _gt()
    masks = _perfect(ids)
    masks[0, 0, :, 2:] = 0  # person 1 keeps cols 0-1: 8 of 16 px
    out = _evaluate([_sample(masks, boxes.clone(), ids, boxes)])
    # mask box [0,0,2,4] vs [0,0,4,4]: IoU 0.5 -> detected (>= 0.5)
    assert out['decomposition/detection_rate'] == 1.0
    assert out['decomposition/mask_iou'] == pytest.approx((0.5 + 1.0) / 2)
    strict = _evaluate([_sample(masks, boxes.clone(), ids, boxes)],
                       iou_thr=0.6)
    assert strict['decomposition/detection_rate'] == 0.5
    # the matched mask with box IoU 0.5 < 0.6 is a false positive
    assert strict['decomposition/precision'] == 0.5
    assert strict['decomposition/false_positive_rate'] == 0.5


def test_invisible_people_and_fewer_slots():
    ids, boxes = _gt(views=2)
    ids[1][ids[1] == 2] = 0  # person 2 not visible in view 1
    boxes[1, 1] = float('nan')
    masks = _perfect(ids)[:, :1]  # a single slot, predicting person 1
    out = _evaluate([_sample(masks, boxes[:, :1].clone(), ids, boxes)])
    # visible person-views: 2 in view 0, 1 in view 1; person 2 unmatched
    assert out['decomposition/detection_rate'] == pytest.approx(2 / 3)
    assert out['decomposition/mask_iou'] == pytest.approx(2 / 3)
    assert out['decomposition/crop_box_iou'] == pytest.approx(2 / 3)


def test_threshold_is_configurable():
    ids, boxes = _gt()
    soft = _perfect(ids, soft=0.3)
    low = _evaluate([_sample(soft, None, ids, boxes)], mask_thr=0.25)
    high = _evaluate([_sample(soft, None, ids, boxes)])
    assert np.isnan(low.pop('decomposition/overlap_mask_iou'))
    assert low.pop('decomposition/mask_area') == pytest.approx(0.15)
    assert high['decomposition/mask_area'] == 0.0
    assert low == {'decomposition/detection_rate': 1.0,
                   'decomposition/mask_iou': 1.0,
                   'decomposition/precision': 1.0,
                   'decomposition/false_positive_rate': 0.0}
    assert high['decomposition/detection_rate'] == 0.0


def test_gt_boxes_derived_from_masks_when_absent():
    ids, boxes = _gt()
    sample = dict(gt_masks=ids, pred_masks=_perfect(ids),
                  pred_bboxes=boxes.clone())
    out = _evaluate([sample])
    assert out['decomposition/crop_box_iou'] == 1.0
    assert out['decomposition/detection_rate'] == 1.0


def test_dicts_and_data_samples_through_evaluator():
    ids, boxes = _gt()
    masks = _perfect(ids)
    masks[0, 1] = 0.0
    samples = [_sample(masks, boxes.clone(), ids, boxes),
               _sample(_perfect(ids), boxes.clone(), ids, boxes).to_dict()]
    evaluator = Evaluator([DecompositionMetric()])
    # mmengine's Evaluator converts data elements with to_dict()
    evaluator.process(samples[:1], data_batch={})
    evaluator.process(samples[1:], data_batch={})
    out = evaluator.evaluate(2)
    assert out['decomposition/detection_rate'] == pytest.approx(3 / 4)
    assert out['decomposition/mask_iou'] == pytest.approx(3 / 4)


def test_resolution_mismatch_and_missing_fields():
    ids, boxes = _gt()
    metric = DecompositionMetric()
    with pytest.raises(ValueError, match='resize'):
        metric.process({}, [_sample(_perfect(ids)[..., :5], None, ids,
                                    boxes)])
    with pytest.raises(KeyError, match='pred_masks'):
        metric.process({}, [dict(gt_masks=ids)])
    with pytest.raises(ValueError, match='mask_thr'):
        DecompositionMetric(mask_thr=2)
    with pytest.raises(ValueError, match='min_mask_area'):
        DecompositionMetric(min_mask_area=0)


def test_no_visible_person_gives_nan():
    ids = torch.zeros(1, H, W, dtype=torch.long)
    boxes = torch.full((1, 2, 4), float('nan'))
    out = _evaluate([_sample(torch.zeros(1, 2, H, W), None, ids, boxes)])
    assert np.isnan(out['decomposition/detection_rate'])
    assert np.isnan(out['decomposition/precision'])  # nothing predicted
    painted = torch.zeros(1, 2, H, W)
    painted[0, 1, :2, :2] = 1.0  # a mask where nobody is
    out = _evaluate([_sample(painted, None, ids, boxes)])
    assert out['decomposition/precision'] == 0.0
    assert out['decomposition/false_positive_rate'] == 1.0


def _with_extra_slot(ids, extra):
    """Perfect masks of both people plus a third slot painting ``extra``."""
    masks = torch.cat([_perfect(ids), torch.zeros(1, 1, H, W)], dim=1)
    masks[0, 2][extra] = 0.9
    return masks


def test_precision_counts_a_second_mask_on_a_matched_person():
    ids, boxes = _gt()
    second = torch.zeros(H, W, dtype=torch.bool)
    second[0:2, 0:4] = True  # the upper half of person 1, who has slot 0
    out = _evaluate([_sample(_with_extra_slot(ids, second), None, ids, boxes)])
    # 3 instances, 2 true positives; recall and masks are unaffected
    assert out['decomposition/precision'] == pytest.approx(2 / 3)
    assert out['decomposition/false_positive_rate'] == pytest.approx(1 / 3)
    assert out['decomposition/detection_rate'] == 1.0
    assert out['decomposition/mask_iou'] == 1.0


def test_precision_counts_a_mask_on_no_person_unless_a_speck():
    ids, boxes = _gt()
    empty_region = torch.zeros(H, W, dtype=torch.bool)
    empty_region[6:10, 0:3] = True  # background only: 12 px
    out = _evaluate([_sample(_with_extra_slot(ids, empty_region), None, ids,
                             boxes)])
    assert out['decomposition/precision'] == pytest.approx(2 / 3)
    speck = torch.zeros(H, W, dtype=torch.bool)
    speck[9, 0:2] = True  # 2 px
    samples = [_sample(_with_extra_slot(ids, speck), None, ids, boxes)]
    assert _evaluate(samples)['decomposition/precision'] == \
        pytest.approx(2 / 3)
    assert _evaluate(samples, min_mask_area=3)['decomposition/precision'] == 1.0


def _overlapping_gt():
    """Person 1 (ids 1) hides the top-left corner of person 2."""
    ids = torch.zeros(1, H, W, dtype=torch.long)
    ids[:, 3:9, 4:11] = 2
    ids[:, 0:6, 0:6] = 1
    boxes = torch.tensor([[[0.0, 0.0, 6.0, 6.0], [4.0, 3.0, 11.0, 9.0]]])
    return ids, boxes


# pixel (x, y) of each person's two joints
HIDDEN = [[[2.5, 2.5], [1.5, 4.5]], [[4.5, 3.5], [8.5, 6.5]]]  # (4, 3): id 1
APART = [[[2.5, 2.5], [1.5, 4.5]], [[8.5, 6.5], [7.5, 7.5]]]  # on their own


def _depth_sample(ids, boxes, pred_depths, gt_depths, slot_order=(0, 1),
                  keypoints=HIDDEN):
    """Perfect masks in ``slot_order``; GT joints at ``keypoints`` at the GT
    depths (None: no joints, as without 3D poses)."""
    order = list(slot_order)
    sample = _sample(_perfect(ids)[:, order], boxes[:, order].clone(), ids,
                     boxes)
    if pred_depths is not None:
        sample.pred_depths = torch.tensor(pred_depths)[:, order]
    sample.gt_depths = torch.tensor(gt_depths)
    if keypoints is not None:
        sample.gt_keypoints_2d = torch.tensor([keypoints])
        depth = sample.gt_depths[..., None, None].expand(-1, -1, 2, 1)
        sample.gt_joints_cam = torch.cat(
            [torch.zeros(1, 2, 2, 2), depth], dim=-1)
    return sample


def test_depth_order_flips_with_swapped_predicted_depths():
    ids, boxes = _overlapping_gt()
    gt_depths = [[3000.0, 4500.0]]  # person 1, in front, is nearer
    right = _evaluate([_depth_sample(ids, boxes, [[0.2, 0.7]], gt_depths)])
    wrong = _evaluate([_depth_sample(ids, boxes, [[0.7, 0.2]], gt_depths)])
    assert right['decomposition/depth_order_pairs'] == 1
    assert right['decomposition/depth_order_accuracy'] == 1.0
    assert wrong['decomposition/depth_order_accuracy'] == 0.0
    assert right['decomposition/mask_iou'] == 1.0  # other metrics unchanged
    # slots in the other order: the depth of the matched slot is compared
    swapped = _evaluate([_depth_sample(ids, boxes, [[0.2, 0.7]], gt_depths,
                                       slot_order=(1, 0))])
    assert swapped['decomposition/depth_order_accuracy'] == 1.0
    assert not any(key.endswith('_box_pairs') for key in right)


def test_depth_order_cue_on_the_same_pairs():
    ids, boxes = _overlapping_gt()
    # person 2's box reaches lower (bottom 9 > 6): the cue calls it nearer;
    # here it is farther, so the cue is wrong and the prediction right
    out = _evaluate([_depth_sample(ids, boxes, [[0.2, 0.7]],
                                   [[3000.0, 4500.0]])])
    assert out['decomposition/depth_order_cue_accuracy'] == 0.0
    assert out['decomposition/depth_order_margin'] == 1.0
    both = _evaluate([
        _depth_sample(ids, boxes, [[0.2, 0.7]], [[3000.0, 4500.0]]),
        _depth_sample(ids, boxes, [[0.2, 0.7]], [[3000.0, 2000.0]]),
    ])
    # the cue is right on the second pair, the prediction on the first
    assert both['decomposition/depth_order_pairs'] == 2
    assert both['decomposition/depth_order_accuracy'] == 0.5
    assert both['decomposition/depth_order_cue_accuracy'] == 0.5
    assert both['decomposition/depth_order_margin'] == 0.0
    level = boxes.clone()
    level[0, 1, 3] = 6.0  # equal box bottoms: the cue cannot order them
    tie = _evaluate([_depth_sample(ids, level, [[0.2, 0.7]],
                                   [[3000.0, 2000.0]])])
    assert tie['decomposition/depth_order_cue_accuracy'] == 0.0


def test_depth_order_counts_pairs_over_samples():
    ids, boxes = _overlapping_gt()
    samples = [
        _depth_sample(ids, boxes, [[0.2, 0.7]], [[3000.0, 4500.0]]),
        _depth_sample(ids, boxes, [[0.2, 0.7]], [[3000.0, 2000.0]]),
        _depth_sample(ids, boxes, [[0.2, 0.7]], [[3000.0, 1000.0]]),
        # unknown GT depth (and so no joint in front): no pair
        _depth_sample(ids, boxes, [[0.2, 0.7]], [[3000.0, float('nan')]]),
    ]
    out = _evaluate(samples)
    assert out['decomposition/depth_order_pairs'] == 3
    assert out['decomposition/depth_order_accuracy'] == pytest.approx(1 / 3)


def test_depth_order_uses_occluding_pairs_only():
    ids, boxes = _overlapping_gt()
    # the boxes overlap, but no joint of either person is hidden
    apart = _depth_sample(ids, boxes, [[0.2, 0.7]], [[3000.0, 4500.0]],
                          keypoints=APART)
    out = _evaluate([apart])
    assert out['decomposition/depth_order_pairs'] == 0
    assert np.isnan(out['decomposition/depth_order_accuracy'])
    assert np.isnan(out['decomposition/depth_order_cue_accuracy'])
    hidden = _depth_sample(ids, boxes, [[0.7, 0.2]], [[3000.0, 4500.0]])
    out = _evaluate([apart, hidden])
    assert out['decomposition/depth_order_pairs'] == 1
    assert out['decomposition/depth_order_accuracy'] == 0.0
    # without joints (no 3D poses) the box pairs count, under other names
    boxed = _evaluate([_depth_sample(ids, boxes, [[0.2, 0.7]],
                                     [[3000.0, 4500.0]], keypoints=None)])
    assert 'decomposition/depth_order_accuracy' not in boxed
    assert boxed['decomposition/depth_order_pairs_box_pairs'] == 1
    assert boxed['decomposition/depth_order_accuracy_box_pairs'] == 1.0
    assert boxed['decomposition/depth_order_cue_accuracy_box_pairs'] == 0.0
    assert boxed['decomposition/depth_order_margin_box_pairs'] == 1.0


def test_depth_order_nan_without_overlapping_people():
    ids, boxes = _gt()  # disjoint people
    sample = _sample(_perfect(ids), boxes.clone(), ids, boxes)
    sample.pred_depths = torch.tensor([[0.7, 0.2]])
    sample.gt_depths = torch.tensor([[1000.0, 2000.0]])
    out = _evaluate([sample])
    assert np.isnan(out['decomposition/depth_order_accuracy_box_pairs'])
    assert out['decomposition/depth_order_pairs_box_pairs'] == 0
    assert out['decomposition/detection_rate'] == 1.0
    # predicted depths alone (no ground truth) leave the keys out
    del sample.gt_depths
    assert not any('depth_order' in key for key in _evaluate([sample]))
    sample.gt_depths = torch.tensor([1000.0, 2000.0])
    with pytest.raises(ValueError, match='gt_depths must be'):
        _evaluate([sample])


def test_depth_order_nan_without_predicted_depths():
    """A model without depth (NSD stage 1) predicts none: NaN, not 0."""
    ids, boxes = _overlapping_gt()
    gt_depths = [[3000.0, 4500.0]]
    metric = DecompositionMetric()
    logger = MMLogger.get_current_instance()
    with mock.patch.object(logger, 'warning') as warning:
        for _ in range(2):  # two validations, one warning
            metric.process({}, [_depth_sample(ids, boxes, None, gt_depths)])
            out = metric.evaluate(1)
    warning.assert_called_once()
    assert 'not available' in warning.call_args[0][0]
    assert np.isnan(out['decomposition/depth_order_accuracy'])
    assert np.isnan(out['decomposition/depth_order_margin'])
    assert out['decomposition/depth_order_cue_accuracy'] == 0.0
    assert out['decomposition/depth_order_pairs'] == 1
    # constant depths (what NSD handed over in stage 1) order no pair
    constant = _evaluate([_depth_sample(ids, boxes, [[0.0, 0.0]], gt_depths)])
    assert constant['decomposition/depth_order_accuracy'] == 0.0
    # a mix: the accuracy would cover other pairs than the cue: NaN
    mixed = _evaluate([_depth_sample(ids, boxes, [[0.2, 0.7]], gt_depths),
                       _depth_sample(ids, boxes, None, gt_depths)])
    assert np.isnan(mixed['decomposition/depth_order_accuracy'])
    assert mixed['decomposition/depth_order_pairs'] == 2


def test_overlap_mask_iou_only_counts_people_whose_boxes_meet():
    ids, boxes = _overlapping_gt()
    # add a third, isolated person at the bottom-left
    ids[:, 8:10, 0:2] = 3
    boxes = torch.cat([boxes, torch.tensor([[[0.0, 8.0, 2.0, 10.0]]])], dim=1)
    people = torch.arange(1, 4).view(1, 3, 1, 1)
    masks = (ids.unsqueeze(1) == people).float()
    masks[:, 1] = 0  # person 2 (overlapping) missed, person 3 (isolated) right
    out = _evaluate([_sample(masks, None, ids, boxes)])
    assert out['decomposition/overlap_mask_iou'] == pytest.approx(0.5)
    assert out['decomposition/mask_iou'] == pytest.approx(2 / 3)
    disjoint_ids, disjoint_boxes = _gt()
    alone = _evaluate([_sample(_perfect(disjoint_ids), None, disjoint_ids,
                               disjoint_boxes)])
    assert np.isnan(alone['decomposition/overlap_mask_iou'])


def test_without_gt_masks_the_joint_boxes_are_the_ground_truth():
    """Human3.6M-like samples: 3D poses but no instance masks."""
    joints = torch.tensor([[[[-300.0, -800.0, 4000.0], [300.0, 800.0, 4000.0]],
                            [[0.0, 0.0, -4000.0], [10.0, 10.0, -4000.0]]]])
    focal, center = 20.0, torch.tensor([W / 2, H / 2])
    keypoints = joints[..., :2] / joints[..., 2:] * focal + center
    person_box = torch.cat([keypoints[0, 0, 0], keypoints[0, 0, 1]])
    sample = dict(gt_joints_cam=joints, gt_keypoints_2d=keypoints,
                  img_shape=(H, W), pred_masks=torch.ones(1, 2, H, W),
                  pred_bboxes=torch.stack([person_box, person_box + 1])[None])
    out = _evaluate([sample])
    # person 1 is behind the camera: one person, found by slot 0
    assert out['decomposition/crop_box_iou'] == pytest.approx(1.0)
    assert out['decomposition/crop_detection_rate'] == 1.0
    assert 'decomposition/mask_iou' not in out


def _unlabelled(views=2):
    """Predictions on a sample without labels: slot 0's mask covers 12 of
    the 120 pixels, slot 1's none; boxes of 4 x 5 and 6 x 10 pixels."""
    masks = torch.zeros(views, 2, H, W)
    masks[:, 0, :3, :4] = 0.8
    masks[:, 1, :, :] = 0.3  # below the threshold everywhere
    boxes = torch.tensor([[0.0, 0.0, 4.0, 5.0],
                          [2.0, 0.0, 8.0, 10.0]]).repeat(views, 1, 1)
    return dict(pred_masks=masks, pred_bboxes=boxes, img_shape=(H, W))


def test_unlabelled_samples_give_the_slot_statistics_and_warn_once():
    metric = DecompositionMetric()
    with mock.patch.object(MMLogger.get_current_instance(),
                           'warning') as warning:
        metric.process({}, [_unlabelled(), _unlabelled(views=1)])
        out = metric.evaluate(2)
        metric.process({}, [_unlabelled()])
        metric.evaluate(1)
    assert out == {
        'decomposition/box_area': pytest.approx((20 + 60) / 2 / (H * W)),
        'decomposition/mask_area': pytest.approx(12 / 2 / (H * W)),
    }
    assert warning.call_count == 1
    assert '2 of 2 samples carry no gt_masks' in warning.call_args[0][0]


def test_labelled_metrics_ignore_the_unlabelled_samples():
    ids, boxes = _gt()
    labelled = _sample(_perfect(ids), boxes[:, :, :], ids, boxes)
    alone = _evaluate([labelled])
    mixed = _evaluate([labelled, _unlabelled()])
    for key, value in alone.items():
        if key not in ('decomposition/box_area', 'decomposition/mask_area'):
            assert mixed[key] == pytest.approx(value, nan_ok=True), key
    assert mixed['decomposition/detection_rate'] == 1.0
    # the slot statistics cover both samples: 2 + 4 slots
    assert mixed['decomposition/mask_area'] == pytest.approx(
        (16 + 20 + 2 * 12) / 6 / (H * W))


def test_keypoint_boxes_are_clipped_and_skip_people_behind():
    keypoints = np.array([[[2.0, 3.0], [8.0, 60.0], [np.nan, 1.0]],
                          [[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]],
                          [[-9.0, 1.0], [-5.0, 2.0], [-4.0, 3.0]]])
    depth = np.array([[1.0, 1.0, 1.0], [-1.0, -1.0, -1.0], [1.0, 1.0, 1.0]])
    joints = np.concatenate([np.zeros((3, 3, 2)), depth[..., None]], -1)
    boxes = keypoints_to_box(keypoints, joints, W, H)
    np.testing.assert_allclose(boxes[0], [2.0, 3.0, 8.0, H])
    assert np.isnan(boxes[1:]).all()


def test_matched_people_as_scored():
    """Slot -> GT person per view, as the metric matches them: swapped in
    view 1; in view 2 person 2 is not visible, slot 1 covers person 1 and
    slot 0 predicts nothing (-1)."""
    ids, boxes = _gt(views=3)
    masks = _perfect(ids)
    masks[1] = masks[1].flip(0)
    masks[2] = torch.stack([torch.zeros(H, W), masks[2, 0]])
    ids[2][ids[2] == 2] = 0
    boxes[2, 1] = float('nan')
    people = DecompositionMetric().matched_people(
        _sample(masks, None, ids, boxes))
    assert people.dtype == np.int64
    assert people.tolist() == [[0, 1], [1, 0], [-1, 0]]
