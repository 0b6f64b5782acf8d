"""Fusion of one moment's views into world-frame skeletons (numpy, mm).

Per person (a group of :func:`~nsd_toolkit.mocap.association.associate_views`):

1. the root is triangulated from its box centres (or given root pixels) by
   :func:`triangulate_robust`: every pair of views proposes a point by
   weighted linear triangulation (:func:`triangulate_point`); the point with
   the smallest truncated squared ray distance over all views (MSAC) wins,
   views within ``max_distance`` of it are inliers and the point is refit on
   them. A box on the wrong person thus neither pulls the root nor enters
   the fusion, as long as most views are right;
2. each inlier view's root-relative pose is rotated into the world frame and
   the views are averaged per joint by :func:`fuse_poses`: a weighted median
   starts an iteratively reweighted mean with Huber weights and rejection of
   residuals above ``outlier_mm``; views with most joints rejected, or whose
   body faces away from the fused body (front and back confused), are left
   out and the mean is refit;
3. with size ratios (:mod:`~nsd_toolkit.mocap.size`), the fused
   root-relative skeleton is scaled by their median over the inlier views
   (within ``1 +- max_size_change``);
4. without root pixels, the root is moved until the boxes of the fused
   skeleton's projected joints are centred on the observed box centres
   (:func:`root_from_boxes`); boxes of masks also hold the body's volume
   (head, feet, hands) around the joints, which shifts the root by a few
   centimetres.

Limits: rejecting a wrong view needs at least two right ones (two views
cannot outvote each other: both are kept and the joint's confidence drops);
a person seen by one view gets no 3D root; lens distortion is ignored.
"""
from itertools import combinations
from typing import NamedTuple

import numpy as np

from nsd_toolkit.evaluation.functional import (H36M_FACING_JOINTS,
                                               facing_directions)
from nsd_toolkit.utils.geometry import project_points

from .rays import box_centers, pixel_rays, ray_residuals, unit_vectors


class RobustPoint(NamedTuple):
    """Result of :func:`triangulate_robust`."""
    point: np.ndarray  #: [3] world (mm), NaN if fewer than two views agree
    inliers: np.ndarray  #: bool [V], the views within the distance


class FusedPose(NamedTuple):
    """Result of :func:`fuse_poses`."""
    joints: np.ndarray  #: [17, 3] world (mm), NaN where no view has the joint
    confidence: np.ndarray  #: [17] agreement of the views in [0, 1]
    inliers: np.ndarray  #: bool [V], views kept for most of their joints


def triangulate_point(points_2d, K, R, t, weights=None):
    """Weighted linear (DLT) triangulation of one point seen by V cameras.

    Solves the two DLT equations per view in normalised image coordinates
    ``(x, y) = K^-1 (u, v, 1)``: ``x (r3 X + t3) - (r1 X + t1) = 0`` (and
    with ``y``, ``r2``, ``t2``), whose residual is the point's offset from the
    ray at its depth (mm); ``weights`` multiply the squared residuals.

    Args:
        points_2d: [V, 2] pixels (NaN rows: views without the point).
        K, R, t: [V, 3, 3], [V, 3, 3], [V, 3] cameras.
        weights: [..., V] non-negative, default ones; leading dimensions
            solve several weightings at once.

    Returns:
        np.ndarray [..., 3]: the world point (mm); NaN where fewer than two
        views have a positive weight or the rays are (nearly) parallel.
    """
    K, R, t = (np.asarray(x, np.float64) for x in (K, R, t))
    points_2d = np.asarray(points_2d, np.float64)
    seen = np.isfinite(points_2d).all(-1)
    weights = np.ones(len(points_2d)) if weights is None else np.asarray(
        weights, np.float64)
    weights = np.where(seen, weights, 0.0)
    pixels = np.concatenate([np.where(seen[:, None], points_2d, 0.0),
                             np.ones((len(points_2d), 1))], -1)
    xy = (np.linalg.inv(K) @ pixels[..., None])[:, :2, 0]  # [V, 2]
    A = xy[..., None] * R[:, 2:3, :] - R[:, :2, :]  # [V, 2, 3]
    b = t[:, :2] - xy * t[:, 2:3]  # [V, 2]
    normal = np.einsum('...v,vki,vkj->...ij', weights, A, A)
    rhs = np.einsum('...v,vki,vk->...i', weights, A, b)
    solvable = ((weights > 0).sum(-1) >= 2) & (np.linalg.cond(normal) < 1e8)
    normal = np.where(solvable[..., None, None], normal, np.eye(3))
    point = np.linalg.solve(normal, rhs[..., None])[..., 0]
    return np.where(solvable[..., None], point, np.nan)


def triangulate_robust(points_2d, K, R, t, weights=None, max_distance=300.0):
    """Triangulation that ignores views pointing at something else.

    Every pair of views proposes a point (:func:`triangulate_point`); the one
    minimising ``sum_v w_v min(d_v, max_distance)^2`` (``d_v``: distance in
    mm from the point to view v's ray, ``max_distance`` behind a camera)
    wins; the point is refit on its inliers (``d_v <= max_distance``) until
    they no longer change. Exhaustive over pairs: meant for a few views.

    Args:
        points_2d: [V, 2] pixels (NaN: view without the point).
        K, R, t: [V, 3, 3], [V, 3, 3], [V, 3] cameras.
        weights: [V] view weights (default ones).
        max_distance: inlier distance between point and ray (mm).

    Returns:
        RobustPoint: point [3] (NaN if no pair is solvable) and inliers [V].
    """
    num_views = len(points_2d)
    failed = RobustPoint(np.full(3, np.nan), np.zeros(num_views, bool))
    if num_views < 2:
        return failed
    weights = np.ones(num_views) if weights is None else np.asarray(
        weights, np.float64)
    pairs = np.array(list(combinations(range(num_views), 2)), np.int64)
    masks = np.zeros((len(pairs), num_views))
    masks[np.arange(len(pairs))[:, None], pairs] = 1.0
    hypotheses = triangulate_point(points_2d, K, R, t, masks * weights)
    origins, directions = pixel_rays(points_2d, K, R, t)

    def truncated(points):
        distance, in_front = ray_residuals(points, origins, directions)
        distance = np.where(in_front, distance, np.inf)
        return np.nan_to_num(distance, nan=np.inf)

    capped = np.minimum(truncated(hypotheses), max_distance)
    costs = np.where(np.isfinite(hypotheses).all(-1),
                     (weights * capped**2).sum(-1), np.inf)
    if not np.isfinite(costs).any():
        return failed
    point = hypotheses[np.argmin(costs)]
    inliers = truncated(point) <= max_distance
    for _ in range(num_views):
        refit = triangulate_point(points_2d, K, R, t, weights * inliers)
        refit_inliers = truncated(refit) <= max_distance
        if not np.isfinite(refit).all():
            break
        point, converged = refit, (refit_inliers == inliers).all()
        inliers = refit_inliers
        if converged:
            break
    return RobustPoint(point, inliers)


def weighted_median(values, weights):
    """Weighted median along the first axis.

    Args:
        values: [V, ...]; NaN entries are ignored.
        weights: [V, ...] non-negative, broadcasting with ``values``.

    Returns:
        np.ndarray [...]: the value where the cumulative weight reaches half
        (the mean of the two middle values on a tie); NaN where the weights
        sum to 0.
    """
    values = np.asarray(values, np.float64)
    weights = np.broadcast_to(weights, values.shape)
    weights = np.where(np.isfinite(values), weights, 0.0)
    order = np.argsort(values, axis=0)
    sorted_values = np.take_along_axis(values, order, 0)
    cumulative = np.take_along_axis(weights, order, 0).cumsum(0)
    half = cumulative[-1] / 2
    lower = (cumulative < half).sum(0)
    upper = (cumulative <= half).sum(0)
    last = len(values) - 1
    pick = [np.take_along_axis(sorted_values, np.minimum(i, last)[None], 0)[0]
            for i in (lower, upper)]
    median = np.where(upper > lower, (pick[0] + pick[1]) / 2, pick[0])
    return np.where(half > 0, median, np.nan)


def _reweight(offsets, weights, estimate, outlier_mm, huber_mm):
    """Kept views (bool [V, 17]) and their Huber weights [V, 17] around the
    current estimate [17, 3]; a joint with no view within ``outlier_mm``
    keeps all its views."""
    distance = np.nan_to_num(np.linalg.norm(offsets - estimate, axis=-1))
    seen = weights > 0
    kept = seen & (distance <= outlier_mm)
    kept |= seen & ~kept.any(0)
    return kept, weights * kept * np.minimum(
        1.0, huber_mm / np.maximum(distance, 1e-12))


def _weighted_mean(offsets, weights):
    """Mean [17, 3] of offsets [V, 17, 3] under weights [V, 17] (NaN where
    the weights sum to 0)."""
    total = weights.sum(0)[:, None]
    summed = (weights[..., None] * np.nan_to_num(offsets)).sum(0)
    return np.where(total > 0, summed / np.maximum(total, 1e-12), np.nan)


def _robust_mean(offsets, weights, outlier_mm, huber_mm, iterations):
    """Per-joint robust mean [17, 3] of offsets [V, 17, 3] under weights
    [V, 17] (weighted median, then reweighting), with the last kept mask and
    Huber weights [V, 17]."""
    estimate = weighted_median(offsets, weights[..., None])
    for _ in range(iterations):
        kept, robust = _reweight(offsets, weights, estimate, outlier_mm,
                                 huber_mm)
        estimate = _weighted_mean(offsets, robust)
    return estimate, kept, robust


def _leave_one_out_agreement(offsets, weights, estimate, scale):
    """Per view and joint, ``exp(-d^2 / (2 scale^2))`` with ``d`` the
    distance to the weighted mean of the other views (0 without them);
    ``estimate`` [17, 3] is the weighted mean of all."""
    total = weights.sum(0)  # [17]
    others = total - weights  # [V, 17]
    rest = (total[:, None] * estimate - weights[..., None] *
            np.nan_to_num(offsets)) / np.maximum(others, 1e-12)[..., None]
    distance = np.linalg.norm(offsets - rest, axis=-1)
    agreement = np.nan_to_num(np.exp(-0.5 * (distance / scale)**2))
    return np.where(others > 1e-12, agreement, 0.0)


def _known_weights(offsets, weights):
    """Weights [V, 17], 0 where the joint of ``offsets`` [V, 17, 3] is
    unknown (NaN)."""
    return np.where(np.isfinite(offsets).all(-1), weights, 0.0)


def _facing_along(offsets, facing, facing_joints):
    """bool [V]: views [V, 17, 3] whose body faces within 90 degrees of the
    direction ``facing`` [3] (True where either is undefined)."""
    views = facing_directions(offsets, facing_joints)
    return ~((views @ facing) < 0)


def fuse_poses(poses_cam, R, root_world, weights=None, outlier_mm=150.0,
               huber_mm=50.0, scale_mm=50.0, iterations=5,
               facing_joints=H36M_FACING_JOINTS, facing=None):
    """Robust average of per-view root-relative poses in the world frame.

    Each view's pose is rotated into the world frame (``R^T x``); per joint a
    weighted median starts an iteratively reweighted mean with weights
    ``w * min(1, huber_mm / d)``, views farther than ``outlier_mm`` from the
    estimate dropped (all kept if that would drop every view). Views kept
    for fewer than half the joints they see are outliers: the mean is refit
    without them. Then views whose body faces away from the estimate's
    (more than 90 degrees between the facing directions) are outliers too,
    as long as two views are left: a pose model that mistakes a person's
    front for their back (a third of the single views of people unseen in
    training) gives whole skeletons turned or mirrored, which the per-joint
    rejection only partly removes. A ``facing`` given from elsewhere (the
    person's facing over time, :func:`~nsd_toolkit.mocap.track_facing`)
    replaces the estimate's as the reference.

    Args:
        poses_cam: [V, 17, 3] root-relative joints (mm) in each view's
            camera frame (NaN: unknown).
        R: [V, 3, 3] world-to-camera rotations, or None for poses given
            in the world frame.
        root_world: [3] world position of the root (mm).
        weights: [V] or [V, 17] visibilities (default ones).
        outlier_mm, huber_mm: rejection and Huber thresholds (mm).
        scale_mm: distance at which two views agree to ``exp(-1/2)``.
        iterations: reweighting steps (at least 1).
        facing_joints: the (left hip, right hip, thorax) joints that give a
            body's facing direction (:func:`~nsd_toolkit.evaluation.
            functional.facing_directions`); None keeps views whatever way
            they face.
        facing: [3] world direction the views' bodies must face within 90
            degrees of; None (default): the estimate's facing.

    Returns:
        FusedPose: joints [17, 3] world (mm); confidence [17], the
        visibility-weighted mean over views of their agreement with the other
        kept views (0 for a joint seen by one view); inliers [V], views kept
        for at least half the joints they see and, with ``facing_joints``,
        facing the estimate's way (or ``facing``).
    """
    poses_cam = np.asarray(poses_cam, np.float64)
    offsets = poses_cam if R is None else poses_cam @ np.asarray(
        R, np.float64)  # rows: R^T x
    weights = np.ones(len(poses_cam)) if weights is None else weights
    weights = np.broadcast_to(
        np.asarray(weights, np.float64).reshape(len(poses_cam), -1),
        poses_cam.shape[:2])
    weights = _known_weights(offsets, weights)
    estimate, kept, robust = _robust_mean(offsets, weights, outlier_mm,
                                          huber_mm, iterations)
    seen = (weights > 0).sum(1)
    inliers = (seen > 0) & (2 * kept.sum(1) >= seen)

    def refit():  # the mean without the outlier views
        return _robust_mean(offsets, weights * inliers[:, None], outlier_mm,
                            huber_mm, iterations)

    if (inliers < (seen > 0)).any():
        estimate, _, robust = refit()
    if facing_joints is not None:
        if facing is None:
            facing = facing_directions(estimate[None], facing_joints)[0]
        along = _facing_along(offsets, facing, facing_joints)
        if (inliers & ~along).any() and (inliers & along).sum() >= 2:
            inliers &= along
            estimate, _, robust = refit()
    agreement = _leave_one_out_agreement(offsets, robust, estimate, scale_mm)
    confidence = (weights * agreement).sum(0) / np.maximum(weights.sum(0),
                                                           1e-12)
    return FusedPose(estimate + np.asarray(root_world), confidence, inliers)


def reprojection_residual(point, pixels, K, R, t):
    """Mean distance (pixels) between a world point's [3] projections and
    the pixels [V, 2] it was triangulated from: how well the V views
    agree."""
    projected = project_points(np.asarray(point)[None], K, R, t)[:, 0]
    return float(np.linalg.norm(projected - pixels, axis=-1).mean())


def root_from_boxes(centres, relative, K, R, t, weights=None, iterations=6):
    """Root whose skeleton's joint boxes are centred on the box centres.

    Starting from the triangulated box centres, each step shifts every
    view's box centre by the offset between the centre of the projected
    joints' box and the projected root, then triangulates again.

    Args:
        centres: [V, 2] box centres (pixel-centre coordinates).
        relative: [17, 3] root-relative world joints (mm).
        K, R, t: [V, 3, 3], [V, 3, 3], [V, 3] cameras.
        weights: [V] view weights (default ones).
        iterations: correction steps.

    Returns:
        np.ndarray [3]: the root (mm).
    """
    root = triangulate_point(centres, K, R, t, weights)
    for _ in range(iterations):
        pixels = project_points(root + relative, K, R, t)  # [V, 17, 2]
        box_centre = (np.nanmin(pixels, 1) + np.nanmax(pixels, 1)) / 2
        shift = box_centre - project_points(root[None], K, R, t)[:, 0]
        root = triangulate_point(centres - shift, K, R, t, weights)
    return root


def _fuse_views(person, outlier_mm, facing_joints, facing=None):
    """The scaled root-relative world joints [17, 3], confidence [17] and
    kept views (list) of a person's ``view_poses`` (:func:`fuse_person`)."""
    fused = fuse_poses(person['view_poses'], None, np.zeros(3),
                       person['view_weights'], outlier_mm=outlier_mm,
                       facing_joints=facing_joints, facing=facing)
    return (fused.joints * person['scale'], fused.confidence,
            np.flatnonzero(fused.inliers).tolist())


def refit_person(person, facing, outlier_mm=150.0,
                 facing_joints=H36M_FACING_JOINTS):
    """A fused person (:func:`fuse_person`) fused again with the views whose
    body faces within 90 degrees of ``facing`` [3] (world): the joints
    around the same root, their confidence and the kept views are new. A
    person whose every view was kept and faces that way is returned as it
    is (the fusion would give it again)."""
    poses = person['view_poses']
    seen = np.flatnonzero(
        (_known_weights(poses, person['view_weights']) > 0).any(1))
    if person['views'] == seen.tolist() and _facing_along(
            poses[seen], facing, facing_joints).all():
        return person
    relative, confidence, views = _fuse_views(person, outlier_mm,
                                              facing_joints, facing)
    return dict(person, joints=relative + person['root'],
                confidence=confidence, views=views)


def _pose_evidence(inlier_rows, kept, poses_cam, R, joint_weights,
                   outlier_mm, size_ratios, max_size_change, facing_joints,
                   appearance):
    """The root-relative world joints [17, 3] and the items of a person of
    :func:`fuse_person` that do not depend on its root, from the root's
    inlier views ``kept`` (``inlier_rows(per_view)``: their slots' rows of a
    per-view input)."""
    view_poses = np.full((len(R), 17, 3), np.nan)
    view_poses[kept] = inlier_rows(poses_cam) @ R[kept]
    view_weights = np.zeros((len(R), 17))
    view_weights[kept] = joint_weights
    scale = 1.0
    if size_ratios is not None:
        ratio = inlier_rows(size_ratios)
        if np.isfinite(ratio).any():
            scale = float(np.clip(np.nanmedian(ratio), 1 - max_size_change,
                                  1 + max_size_change))
    person = dict(view_poses=view_poses, view_weights=view_weights,
                  scale=scale)
    relative, person['confidence'], person['views'] = _fuse_views(
        person, outlier_mm, facing_joints)
    if appearance is not None:
        person['appearance'] = unit_vectors(inlier_rows(appearance)).mean(0)
    return relative, person


def fuse_person(group, boxes, poses_cam, K, R, t, weights=None, root_2d=None,
                appearance=None, max_distance=300.0, outlier_mm=150.0,
                size_ratios=None, max_size_change=0.25,
                facing_joints=H36M_FACING_JOINTS, fused_poses=None):
    """World skeleton of one associated person (:func:`fuse_moment`).

    Args:
        group: dict view -> slot.
        Others: as in :func:`fuse_moment`.

    Returns:
        dict or None: an item of :func:`fuse_moment`; None when fewer than
        two views agree on the root.
    """
    views = np.array(sorted(group), np.int64)

    def gather(per_view):
        return np.stack([np.asarray(per_view[v], np.float64)[group[v]]
                         for v in views])

    pixels = box_centers(gather(boxes)) if root_2d is None else gather(root_2d)
    # [V', 17] visibilities of the group's views (ones without weights)
    joint_weights = np.ones((len(views), 17)) if weights is None else \
        np.broadcast_to(gather(weights).reshape(len(views), -1),
                        (len(views), 17))
    root_weights = None if weights is None else joint_weights.mean(-1)
    cams = K[views], R[views], t[views]
    centre, inliers = triangulate_robust(pixels, *cams, root_weights,
                                         max_distance)
    if inliers.sum() < 2:
        return None
    kept = views[inliers]
    key = (tuple(sorted(group.items())), tuple(kept))
    if fused_poses is not None and key in fused_poses:
        relative, evidence = fused_poses[key]
    else:
        relative, evidence = _pose_evidence(
            lambda per_view: gather(per_view)[inliers], kept, poses_cam, R,
            joint_weights[inliers], outlier_mm, size_ratios, max_size_change,
            facing_joints, appearance)
        if fused_poses is not None:
            fused_poses[key] = relative, evidence
    root = centre if root_2d is not None else root_from_boxes(
        pixels[inliers], relative, *(c[inliers] for c in cams),
        None if weights is None else root_weights[inliers])
    return dict(evidence, joints=relative + root, root=root,
                root_residual_px=reprojection_residual(
                    centre, pixels[inliers], *(c[inliers] for c in cams)))


def fuse_moment(groups, boxes, poses_cam, K, R, t, weights=None, root_2d=None,
                appearance=None, max_distance=300.0, outlier_mm=150.0,
                size_ratios=None, max_size_change=0.25,
                facing_joints=H36M_FACING_JOINTS, fused_poses=None):
    """World skeletons of every associated person of one moment.

    Args:
        groups: list of dict view -> slot
            (:func:`~nsd_toolkit.mocap.association.associate_views`).
        boxes: per view [N_v, 4] xyxy pixel-edge boxes.
        poses_cam: per view [N_v, 17, 3] root-relative poses (mm) in the
            view's camera frame.
        K, R, t: [V, 3, 3], [V, 3, 3], [V, 3] cameras.
        weights: per view [N_v] or [N_v, 17] visibilities, or None.
        root_2d: per view [N_v, 2] pixels of the root joint, or None to
            triangulate box centres (module docstring, step 3).
        appearance: per view [N_v, A] appearance vectors, or None.
        max_distance: root inlier distance from a view's ray (mm).
        outlier_mm: per-joint rejection distance of :func:`fuse_poses`.
        size_ratios: per view [N_v] how much larger each slot's person is
            than the pose model's skeleton (:func:`~nsd_toolkit.mocap.
            size_ratios`; NaN: unknown), or None to keep the skeletons'
            size.
        max_size_change: the applied median ratio is clipped to
            ``1 +- max_size_change``.
        facing_joints: :func:`fuse_poses`' facing joints (None: views are
            not checked for the way their body faces).
        fused_poses: a dict shared by calls on the same moment with other
            root pixels: a person whose root has the same inlier views there
            reuses its fused pose; None fuses every pose.

    Returns:
        list[dict]: per person seen by at least two agreeing views: joints
        [17, 3] world (mm), confidence [17], views (sorted view indices whose
        root and pose were kept), root [3] world (mm), root_residual_px
        (:func:`reprojection_residual` of the triangulated root, before
        :func:`root_from_boxes` moves it, and its inlier pixels), the
        evidence of the pose for :func:`refit_person` (``view_poses`` [V, 17, 3]: the
        root's inlier views' root-relative poses in the world frame, NaN
        rows for the other views; ``view_weights`` [V, 17]; ``scale``: the
        size factor applied) and, with ``appearance``, appearance [A] (mean
        unit vector of the root's inlier views).
    """
    K, R, t = (np.asarray(x, np.float64) for x in (K, R, t))
    people = (fuse_person(group, boxes, poses_cam, K, R, t, weights, root_2d,
                          appearance, max_distance, outlier_mm, size_ratios,
                          max_size_change, facing_joints, fused_poses)
              for group in groups)
    return [person for person in people if person is not None]
