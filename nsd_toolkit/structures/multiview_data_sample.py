"""Typed data sample of one synchronised multi-view moment."""
from mmengine.structures import BaseDataElement


class MultiViewDataSample(BaseDataElement):
    """Ground truth and predictions of one moment seen by V cameras.

    Metainfo (set by the dataset): ``seq`` (str), ``frame`` (int), ``cameras``
    (list of V camera names), ``img_shape`` ((H, W) after transforms),
    ``ori_shape`` ((H, W) on disk), ``num_people`` (int, people in the scene).

    Data fields, all optional, V views, N people, J = 17 joints:

    - ``gt_masks``: LongTensor [V, H, W], instance ids (0 background, i + 1 person i).
    - ``gt_bboxes``: Tensor [V, N, 4] xyxy pixels of each person's mask box
      (NaN rows for people not visible in a view).
    - ``gt_joints_3d``: Tensor [N, J, 3] world frame, calibration units (mm).
    - ``gt_joints_cam``: Tensor [V, N, J, 3] the joints in each view's camera
      frame (x right, y down, z forward; calibration units).
    - ``gt_keypoints_2d``: Tensor [V, N, J, 2] their pixels in the
      (transformed) image, lens distortion applied.
    - ``gt_depths``: Tensor [V, N] camera-space depth (z, calibration units)
      of each person in each view: mean over its finite joints, NaN if none.
    - ``pred_bboxes``: Tensor [V, N, 4] xyxy pixels of the crop boxes of B.
    - ``pred_depths``: Tensor [V, N] relative depth of each slot.
    - ``pred_masks``: Tensor [V, N, H, W] soft instance masks in [0, 1].
    - ``pred_silhouettes``: Tensor [V, N, H, W] each slot's whole soft
      silhouette in [0, 1] before occlusion.
    - ``pred_joints_3d``: Tensor [V, N, J, 3] root-relative 3D pose of each
      slot in the view's camera frame (calibration units, mm).
    """

    def _typed_property(name: str):  # noqa: N805 - property factory

        def getter(self):
            return getattr(self, f'_{name}')

        def setter(self, value):
            self.set_field(value, f'_{name}', dtype=None)

        def deleter(self):
            delattr(self, f'_{name}')

        return property(getter, setter, deleter)

    gt_masks = _typed_property('gt_masks')
    gt_bboxes = _typed_property('gt_bboxes')
    gt_joints_3d = _typed_property('gt_joints_3d')
    gt_joints_cam = _typed_property('gt_joints_cam')
    gt_keypoints_2d = _typed_property('gt_keypoints_2d')
    gt_depths = _typed_property('gt_depths')
    pred_bboxes = _typed_property('pred_bboxes')
    pred_depths = _typed_property('pred_depths')
    pred_masks = _typed_property('pred_masks')
    pred_silhouettes = _typed_property('pred_silhouettes')
    pred_joints_3d = _typed_property('pred_joints_3d')

    del _typed_property
