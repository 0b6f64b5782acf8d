"""Association of person slots across the views of one moment.

Algorithm (greedy agglomerative clustering with complete linkage):

1. every detection (view v, slot i) with a finite box and a score of at
   least ``min_score`` becomes a cluster of its own; its ray is the viewing
   ray through its box centre;
2. a set of detections of different views is *consistent* when the point
   nearest to their rays lies within ``max_ray_distance`` (mm) of each ray,
   in front of every camera, and the person heights their boxes imply at
   that point (box height x depth / focal length) differ by at most the
   factor ``max_size_ratio``: rays of two different people often cross by
   chance, but then at depths that do not fit both boxes' sizes;
3. two detections are *compatible* when they are consistent and their
   appearance cosine distance is at most ``max_appearance_distance``; their
   cost is the sum of the three discrepancies divided by their limits (the
   size ratio by its logarithm);
4. compatible pairs are visited by increasing cost; the clusters of the two
   detections are merged when they share no view, every cross pair is
   compatible and the merged cluster is consistent.

Geometry therefore vetoes a merge however similar the appearance is.

Limits: greedy, so not globally optimal; with two views only, two different
people of similar appearance can still pass for one when their rays cross
at a depth that fits both boxes; a box centre is not the image of a fixed
body point and box heights change with the pose and the view, so the limits
must absorb about half a body width and some 10-20 % of size; people far
from upright (lying) break the size cue; lens distortion is ignored (pass
boxes of undistorted images); a person seen by one view stays a group of
one view.
"""
from functools import lru_cache
from itertools import permutations, product
from math import factorial
from typing import NamedTuple

import numpy as np

from nsd_toolkit.structures.matching import match_instances
from nsd_toolkit.utils.geometry import triangulate_rays
from .rays import (box_centers, fit_rays, pixel_rays, ray_residuals,
                   unit_vectors)


class _Detections(NamedTuple):
    """Usable detections, D of them: view and slot [D], unit appearance
    [D, A], box-centre rays [D, 3], optical axes [D, 3] and box heights
    over the focal length [D]."""
    views: np.ndarray
    slots: np.ndarray
    vectors: np.ndarray
    origins: np.ndarray
    directions: np.ndarray
    axes: np.ndarray
    sizes: np.ndarray


def _detections(appearance, boxes, scores, min_score, K, R, t):
    views, slots, vectors, kept_boxes = [], [], [], []
    for view, (feats, view_boxes) in enumerate(zip(appearance, boxes)):
        view_boxes = np.asarray(view_boxes, np.float64).reshape(-1, 4)
        feats = np.asarray(feats, np.float64).reshape(len(view_boxes), -1)
        usable = np.isfinite(view_boxes).all(-1) & np.isfinite(feats).all(-1)
        if scores is not None:
            usable &= np.asarray(scores[view], np.float64) >= min_score
        index = np.flatnonzero(usable)
        views.append(np.full(len(index), view))
        slots.append(index)
        vectors.append(feats[index])
        kept_boxes.append(view_boxes[index])
    views, kept_boxes = np.concatenate(views), np.concatenate(kept_boxes)
    vectors = unit_vectors(np.concatenate(vectors))
    origins, directions = pixel_rays(box_centers(kept_boxes), K[views],
                                     R[views], t[views])
    sizes = (kept_boxes[:, 3] - kept_boxes[:, 1]) / K[views, 1, 1]
    return _Detections(views, np.concatenate(slots), vectors, origins,
                       directions, R[views, 2], sizes)


def consistency(origins, directions, axes, sizes):
    """Geometric discrepancies of sets of K detections (module docstring).

    Args:
        origins, directions: [..., K, 3] box-centre rays (unit directions).
        axes: [..., K, 3] optical axes (world) of their cameras.
        sizes: [..., K] box heights divided by the focal length (px / px).

    Returns:
        tuple: the largest distance (mm) from the rays' nearest point to a
        ray [...] and the ratio of the largest to the smallest implied
        person height [...]; both +inf where the point is behind a camera or
        undefined.
    """
    point, worst = fit_rays(origins, directions)
    depth = ((point[..., None, :] - origins) * axes).sum(-1)
    heights = sizes * depth
    ratio = heights.max(-1) / np.maximum(heights.min(-1), 1e-12)
    return worst, np.where(np.isfinite(worst), ratio, np.inf)


def pair_costs(detections, max_ray_distance, max_size_ratio,
               max_appearance_distance):
    """Cost [D, D] of joining each pair of detections: the sum of ray
    distance, log size ratio and appearance cosine distance over their
    limits; +inf for incompatible pairs (same view, a limit exceeded)."""
    def pairs(x):
        return np.stack(np.broadcast_arrays(x[:, None], x[None]), 2)

    d = detections
    ray, ratio = consistency(pairs(d.origins), pairs(d.directions),
                             pairs(d.axes), pairs(d.sizes))
    appearance = 1.0 - d.vectors @ d.vectors.T
    compatible = ((d.views[:, None] != d.views[None]) &
                  (ray <= max_ray_distance) & (ratio <= max_size_ratio) &
                  (appearance <= max_appearance_distance))
    cost = (ray / max_ray_distance + np.log(ratio) / np.log(max_size_ratio)
            + appearance / max_appearance_distance)
    return np.where(compatible, cost, np.inf)


def associate_views(appearance, boxes, K, R, t, scores=None, min_score=0.5,
                    max_ray_distance=300.0, max_size_ratio=1.3,
                    max_appearance_distance=0.5):
    """Group the slots of V views into people (module docstring).

    Args:
        appearance: per view [N_v, A] appearance vectors.
        boxes: per view [N_v, 4] xyxy pixel-edge boxes (NaN: empty slot).
        K, R, t: [V, 3, 3], [V, 3, 3], [V, 3] cameras.
        scores: per view [N_v] presence scores, or None (all used).
        min_score: slots scoring lower are left out.
        max_ray_distance: largest distance (mm) between a group's rays and
            their nearest point.
        max_size_ratio: largest ratio between the person heights a group's
            boxes imply.
        max_appearance_distance: largest cosine distance within a group.

    Returns:
        list[dict[int, int]]: people, each view -> slot, ordered by
        decreasing number of views then by their first (view, slot).
    """
    K, R, t = (np.asarray(x, np.float64) for x in (K, R, t))
    d = _detections(appearance, boxes, scores, min_score, K, R, t)
    cost = pair_costs(d, max_ray_distance, max_size_ratio,
                      max_appearance_distance)
    cluster = np.arange(len(d.views))
    for flat in np.argsort(cost, axis=None):
        a, b = np.unravel_index(flat, cost.shape)
        if not np.isfinite(cost[a, b]):
            break
        members_a = np.flatnonzero(cluster == cluster[a])
        members_b = np.flatnonzero(cluster == cluster[b])
        if cluster[a] == cluster[b] or not np.isfinite(
                cost[np.ix_(members_a, members_b)]).all():
            continue  # same cluster, shared view or an incompatible pair
        merged = np.concatenate([members_a, members_b])
        ray, ratio = consistency(d.origins[merged], d.directions[merged],
                                 d.axes[merged], d.sizes[merged])
        if ray <= max_ray_distance and ratio <= max_size_ratio:
            cluster[merged] = cluster[a]
    groups = [{int(d.views[i]): int(d.slots[i])
               for i in np.flatnonzero(cluster == label)}
              for label in np.unique(cluster)]
    return sorted(groups, key=lambda g: (-len(g), sorted(g.items())[0]))


def assignment_costs(slots, similarity, origins, directions,
                     geometry_weight):
    """Total cost of assignments of slots to people (:func:`assign_views`).

    Args:
        slots: int [C, V, N], the slot of person k in view v per candidate.
        similarity: [V, V, N, N] appearance similarity of slot pairs.
        origins, directions: [V, N, 3] the slots' rays.
        geometry_weight: cost per metre of ray distance.

    Returns:
        np.ndarray [C]: ``-(similarity summed over each person's view
        pairs) + geometry_weight * (distances in m of each person's rays to
        the point triangulated from all of them, summed)``; NaN rays (empty
        boxes) cost no distance.
    """
    num_views = slots.shape[1]
    first, second = np.triu_indices(num_views, 1)
    agreement = similarity[first[:, None], second[:, None],
                           slots[:, first], slots[:, second]]  # [C, P, N]
    cost = -agreement.sum((1, 2))
    if geometry_weight:
        views = np.arange(num_views)[:, None]
        rays = [x[views, slots].swapaxes(1, 2)  # [C, N, V, 3]
                for x in (origins, directions)]
        points = triangulate_rays(*rays)
        distance = ray_residuals(points, *rays)[0]  # [C, N, V]
        cost = cost + geometry_weight / 1000.0 * np.nan_to_num(
            distance).sum((1, 2))
    return cost


@lru_cache(maxsize=16)
def _all_assignments(num_views, num_slots):
    """int64 [N!^(V-1), V, N], read-only: every slot of each person per view,
    the first view's slot k being person k."""
    orders = list(permutations(range(num_slots)))
    candidates = np.array([(orders[0], ) + rest
                           for rest in product(orders,
                                               repeat=num_views - 1)],
                          np.int64).reshape(-1, num_views, num_slots)
    candidates.flags.writeable = False
    return candidates


def _exhaustive_assignment(similarity, origins, directions, geometry_weight,
                           max_assignments):
    """Slot of each person [V, N] minimising :func:`assignment_costs` over
    every assignment (the first view's slot k is person k), or None when
    there are more than ``max_assignments``."""
    num_views, num_slots = origins.shape[:2]
    if factorial(num_slots)**(num_views - 1) > max_assignments:
        return None
    candidates = _all_assignments(num_views, num_slots)
    costs = assignment_costs(candidates, similarity, origins, directions,
                             geometry_weight)
    return candidates[np.argmin(costs)]


def assign_views(similarity, boxes, K, R, t, geometry_weight=2.0,
                 max_rounds=10, max_assignments=4096):
    """One person per slot in every view, consistent over all the views.

    Where :func:`associate_views` groups an unknown number of people, this
    assigns the N slots of each of V views to N people (a permutation per
    view), as NSD's triangulated depths need.

    Exact when there are at most ``max_assignments`` assignments
    (``N!^(V-1)``: 8 for two people in four views, 216 for three): the one
    of least :func:`assignment_costs` is taken, every view pair and every
    ray counting at once. Otherwise a local search: each view's slots
    matched to the first view's by appearance (Hungarian), then, view by
    view until no assignment changes (at most ``max_rounds`` passes), the
    view's slots are re-matched to the people at the cost

        - (summed similarity to the person's slots in the other views)
        + geometry_weight * (distance in m between the slot's box-centre
          ray and the person's point triangulated from the other views)

    so every view pair counts, not only pairs with the first view, and two
    slots whose appearance is ambiguous (an occluded, mixed crop) are told
    apart by where their rays meet the others'. Each pass solves V
    Hungarian problems of N x N: linear in V, cubic in N. The local search
    can stop at an assignment where two views are swapped together (no
    single view's change lowers the cost): on the two-person validation
    sequence of unseen people it did so in 2 of 250 moments, which the
    exact search resolves (docs/benchmarks.md).

    Args:
        similarity: [V, V, N, N] appearance similarity, ``[v, w, i, j]`` of
            slot i of view v and slot j of view w (e.g. cosine).
        boxes: [V, N, 4] xyxy pixel-edge boxes of the slots.
        K, R, t: [V, 3, 3], [V, 3, 3], [V, 3] cameras (mm).
        geometry_weight: cost per metre of ray distance (0: appearance only).
        max_rounds: most passes over the views of the local search.
        max_assignments: largest number of assignments searched exactly
            (0: always the local search).

    Returns:
        int64 [V, N]: the person (0..N-1) of each slot; every row is a
        permutation.
    """
    similarity = np.asarray(similarity, np.float64)
    num_views, num_slots = similarity.shape[0], similarity.shape[-1]
    origins, directions = (x.swapaxes(0, 1) for x in pixel_rays(
        box_centers(boxes).swapaxes(0, 1), K, R, t))  # [V, N, 3] each
    exact = _exhaustive_assignment(similarity, origins, directions,
                                   geometry_weight, max_assignments)
    if exact is not None:
        return np.argsort(exact, axis=1)
    person = np.empty((num_views, num_slots), np.int64)
    for view in range(num_views):
        pairs = match_instances(similarity[view, 0], maximize=True)
        person[view, pairs[:, 0]] = pairs[:, 1]
    for _ in range(max_rounds):
        changed = False
        for view in range(num_views):
            others = np.delete(np.arange(num_views), view)
            slot_of = np.argsort(person[others], axis=1)  # [V - 1, N]
            # [N slots of view, N people]: similarity to each person's slots
            agreement = np.take_along_axis(
                similarity[view, others], slot_of[:, None, :], 2).sum(0)
            cost = -agreement
            if geometry_weight:
                points = triangulate_rays(
                    origins[others[:, None], slot_of].swapaxes(0, 1),
                    directions[others[:, None], slot_of].swapaxes(0, 1))
                distance = ray_residuals(points, origins[view],
                                         directions[view])[0]  # [N, N]
                cost = cost + geometry_weight / 1000.0 * np.nan_to_num(
                    distance.T)
            pairs = match_instances(cost, maximize=False)
            assigned = person[view].copy()
            assigned[pairs[:, 0]] = pairs[:, 1]
            changed |= not np.array_equal(assigned, person[view])
            person[view] = assigned
        if not changed:
            break
    return person


def assign_groups(appearance, boxes, K, R, t, geometry_weight=2.0):
    """:func:`assign_views` in :func:`associate_views`' output format.

    For captures where every view's N slots are the same N people (models
    without presence scores, all people in view): no slot is left alone and
    no gate splits a person, at the price of forcing a wrong slot into a
    group where a person is missing from a view.

    Args:
        appearance: [V, N, A] appearance vectors (cosine similarity).
        boxes: [V, N, 4] xyxy pixel-edge boxes.
        K, R, t: [V, 3, 3], [V, 3, 3], [V, 3] cameras.
        geometry_weight: see :func:`assign_views`.

    Returns:
        list[dict[int, int]]: N people, each view -> slot, ordered by their
        slot in the first view.
    """
    vectors = unit_vectors(appearance)
    person = assign_views(np.einsum('via,wja->vwij', vectors, vectors),
                          np.asarray(boxes, np.float64), K, R, t,
                          geometry_weight=geometry_weight)
    slots = np.argsort(person, axis=1)  # [V, N]: the slot of each person
    groups = [{view: int(slot) for view, slot in enumerate(slots[:, k])}
              for k in range(person.shape[1])]
    return sorted(groups, key=lambda group: group[0])
