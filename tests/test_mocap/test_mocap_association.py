from itertools import permutations, product

import numpy as np
import pytest
from mocap_fixtures import joint_boxes, ring_cameras, walking_bodies

from nsd_toolkit.mocap import (assign_groups, assign_views, associate_views,
                               consistency, fit_rays, pixel_rays)
from nsd_toolkit.mocap.rays import box_centers

ROOTS = ((300.0, -200.0), (-800.0, 600.0), (900.0, 900.0))


def _scene(num_views=3):
    """Boxes [P, V, 4] of three people and distinct appearances [P, 4]."""
    K, R, t = ring_cameras(num_views)
    bodies = walking_bodies(roots=ROOTS, headings=(0.4, 2.0, 4.0))[0]
    boxes = np.stack([joint_boxes(body, K, R, t) for body in bodies])
    appearance = np.array([[1.0, 0.2, 0.0, 0.0], [0.0, 1.0, 0.3, 0.0],
                           [0.1, 0.0, 0.0, 1.0]])
    return boxes, appearance, K, R, t


def _views(boxes, appearance, seen, noise=0.0):
    """Per view the slots of the people ``seen[v]`` (in that order), with
    appearance noise; returns appearance, boxes and the truth
    {(view, slot): person}."""
    rng = np.random.default_rng(0)
    feats, view_boxes, truth = [], [], {}
    for view, people in enumerate(seen):
        feats.append(appearance[people] +
                     noise * rng.standard_normal((len(people), 4)))
        view_boxes.append(boxes[people, view].reshape(-1, 4))
        truth.update({(view, slot): p for slot, p in enumerate(people)})
    return feats, view_boxes, truth


def _as_people(groups, truth):
    """Groups as sets of person ids (one per group when correct)."""
    return [{truth[(v, s)] for v, s in group.items()} for group in groups]


def test_two_people_with_shuffled_slots():
    boxes, appearance, K, R, t = _scene()
    feats, view_boxes, truth = _views(boxes, appearance,
                                      [[0, 1], [1, 0], [1, 0]], noise=0.05)
    groups = associate_views(feats, view_boxes, K, R, t)
    assert groups == [{0: 0, 1: 1, 2: 1}, {0: 1, 1: 0, 2: 0}]


def test_a_person_missing_in_one_view():
    boxes, appearance, K, R, t = _scene()
    feats, view_boxes, truth = _views(boxes, appearance,
                                      [[1, 0], [0], [0, 1]])
    groups = associate_views(feats, view_boxes, K, R, t)
    assert [sorted(g) for g in groups] == [[0, 1, 2], [0, 2]]
    assert _as_people(groups, truth) == [{0}, {1}]


def test_geometry_separates_people_of_the_same_appearance():
    boxes, _, K, R, t = _scene()
    same = np.ones((3, 4))
    feats, view_boxes, truth = _views(boxes, same,
                                      [[2, 0, 1], [1, 2, 0], [0, 1, 2]])
    groups = associate_views(feats, view_boxes, K, R, t)
    assert sorted(map(len, groups)) == [3, 3, 3]
    assert sorted(map(sorted, _as_people(groups, truth))) == [[0], [1], [2]]


def test_inconsistent_geometry_is_not_joined_despite_appearance():
    boxes, _, K, R, t = _scene()
    same = np.ones((3, 4))
    # person 0 in views 0 and 1; person 1, looking alike, in view 2 only
    feats, view_boxes, truth = _views(boxes, same, [[0], [0], [1]])
    origins, directions = pixel_rays(box_centers(boxes[[0, 0, 1], [0, 1, 2]]),
                                     K, R, t)
    assert fit_rays(origins, directions)[1] > 300  # the premise
    groups = associate_views(feats, view_boxes, K, R, t)
    assert groups == [{0: 0, 1: 0}, {2: 0}]
    # two views only: person 0 in view 0, person 2 in view 1; their rays
    # cross (a phantom point), at depths that do not fit both boxes' sizes
    feats, view_boxes, truth = _views(boxes, same, [[0], [2]])
    origins, directions = pixel_rays(box_centers(boxes[[0, 2], [0, 1]]),
                                     K[:2], R[:2], t[:2])
    assert fit_rays(origins, directions)[1] < 300  # the premise
    groups = associate_views(feats, view_boxes, K[:2], R[:2], t[:2])
    assert groups == [{0: 0}, {1: 0}]
    groups = associate_views(feats, view_boxes, K[:2], R[:2], t[:2],
                             max_size_ratio=3.0)
    assert groups == [{0: 0, 1: 0}]  # the phantom, without the size cue


def test_appearance_gate_and_scores():
    boxes, appearance, K, R, t = _scene()
    feats, view_boxes, _ = _views(boxes, appearance, [[0], [0], [0]])
    feats[2] = appearance[[1]]  # geometry agrees, appearance does not
    groups = associate_views(feats, view_boxes, K, R, t)
    assert groups == [{0: 0, 1: 0}, {2: 0}]
    feats[2] = appearance[[0]]
    scores = [np.array([0.9]), np.array([0.2]), np.array([0.9])]
    view_boxes[0] = np.concatenate([view_boxes[0], np.full((1, 4), np.nan)])
    feats[0] = np.concatenate([feats[0], appearance[[1]]])
    scores[0] = np.array([0.9, 0.9])
    groups = associate_views(feats, view_boxes, K, R, t, scores=scores)
    assert groups == [{0: 0, 2: 0}]  # low score and empty slot left out


def test_consistency_by_hand():
    origins = np.array([[-1000.0, 0.0, 0.0], [0.0, -1000.0, 100.0]])
    directions = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    sizes = np.array([1.7, 1.7 * 1.2])  # box heights / focal length
    ray, ratio = consistency(origins, directions, directions, sizes)
    np.testing.assert_allclose([ray, ratio], [50.0, 1.2])  # depths 1000 mm
    ray, ratio = consistency(origins, -directions, -directions, sizes)
    assert ray == ratio == np.inf  # behind both cameras


def test_a_cluster_must_stay_consistent_as_a_whole():
    K, R, t = ring_cameras()
    near = joint_boxes(walking_bodies()[0, 0], K, R, t)
    far = joint_boxes(walking_bodies(roots=((1900.0, -500.0), ),
                                     headings=(2.0, ))[0, 0], K, R, t)
    boxes = [near[[0]], near[[1]], far[[2]]]  # views 0, 1: near; view 2: far
    origins, directions = pixel_rays(box_centers(np.concatenate(boxes)),
                                     K, R, t)
    for pair in ([0, 2], [1, 2]):  # each view of `near` fits `far`'s box ...
        assert fit_rays(origins[pair], directions[pair])[1] < 150
    assert fit_rays(origins, directions)[1] > 500  # ... but not both at once
    groups = associate_views([np.ones((1, 4))] * 3, boxes, K, R, t,
                             max_size_ratio=2.0)
    assert groups == [{0: 0, 1: 0}, {2: 0}]


def _similarity(feats):
    """Cosine similarity [V, V, N, N] of slot appearances [V, N, A]."""
    feats = feats / np.linalg.norm(feats, axis=-1, keepdims=True)
    return np.einsum('via,wja->vwij', feats, feats)


def _permuted(boxes, appearance, orders):
    """Similarity [V, V, N, N] and boxes [V, N, 4] of the people listed per
    view in ``orders`` [V, N]; the truth: the person of each slot is
    ``orders[v][slot]``."""
    orders = np.asarray(orders)
    slot_boxes = np.stack(
        [boxes[order, view] for view, order in enumerate(orders)])
    return _similarity(appearance[orders]), slot_boxes


def _same_people(person, orders):
    """Whether ``person`` [V, N] groups the slots as ``orders`` does (the
    people's numbering is free)."""
    relabel = {}
    for found, true in zip(np.ravel(person), np.ravel(orders)):
        if relabel.setdefault(int(found), int(true)) != true:
            return False
    return True


@pytest.mark.parametrize('max_assignments', [4096, 0])
def test_assign_views_shuffled_slots(max_assignments):
    boxes, appearance, K, R, t = _scene()
    orders = [[2, 0, 1], [1, 2, 0], [0, 2, 1]]
    person = assign_views(*_permuted(boxes, appearance, orders), K, R, t,
                          max_assignments=max_assignments)
    assert person.dtype == np.int64
    assert (np.sort(person, axis=1) == np.arange(3)).all()  # permutations
    assert _same_people(person, orders)


@pytest.mark.parametrize('max_assignments', [4096, 0])
def test_assign_views_geometry_resolves_an_ambiguous_first_view(max_assignments):
    """In view 0 both slots look alike (an occluded, mixed crop); the rays
    tell them apart, whichever order view 0 lists the people in, where
    appearance alone can only guess."""
    boxes, appearance, K, R, t = _scene(num_views=4)
    guessed = []
    for first in ([0, 1], [1, 0]):
        orders = [first, [0, 1], [1, 0], [0, 1]]
        similarity, slot_boxes = _permuted(boxes, appearance, orders)
        similarity[0, :] = similarity[:, 0] = 0.5  # view 0 says nothing
        assert _same_people(
            assign_views(similarity, slot_boxes, K, R, t,
                         max_assignments=max_assignments), orders)
        guessed.append(_same_people(
            assign_views(similarity, slot_boxes, K, R, t, geometry_weight=0,
                         max_assignments=max_assignments), orders))
    assert guessed.count(True) == 1


@pytest.mark.parametrize('max_assignments', [4096, 0])
def test_assign_views_rays_overrule_a_misleading_view(max_assignments):
    """View 0's slots look more like the other person (mixed crops); the
    other views agree with each other and with the rays."""
    boxes, appearance, K, R, t = _scene(num_views=4)
    orders = np.array([[0, 1], [1, 0], [0, 1], [1, 0]])
    slot_boxes = _permuted(boxes, appearance, orders)[1]
    feats = appearance[orders]
    feats[0] = 0.4 * appearance[[0, 1]] + 0.6 * appearance[[1, 0]]
    similarity = _similarity(feats)
    alone = assign_views(similarity, slot_boxes, K, R, t, geometry_weight=0,
                         max_assignments=max_assignments)
    assert not _same_people(alone, orders)  # the premise: appearance errs
    person = assign_views(similarity, slot_boxes, K, R, t,
                          max_assignments=max_assignments)
    assert _same_people(person, orders)


def _total_cost(slots, similarity, origins, directions, geometry_weight):
    """The documented cost of one assignment, slots [V, N], by loops."""
    num_views, num_people = slots.shape
    cost = 0.0
    for k in range(num_people):
        for a in range(num_views):
            for b in range(a + 1, num_views):
                cost -= similarity[a, b, slots[a, k], slots[b, k]]
        rays = [x[np.arange(num_views), slots[:, k]]
                for x in (origins, directions)]
        point = fit_rays(*rays)[0]
        for origin, direction in zip(*rays):
            offset = point - origin
            across = offset - (offset @ direction) * direction
            cost += geometry_weight / 1000.0 * np.linalg.norm(across)
    return cost


@pytest.mark.parametrize('seed', range(3))
def test_assign_views_exact_search_finds_the_least_cost(seed):
    """Three people in three views with noisy appearance and boxes: the
    exact search returns the assignment of least total cost, found here by
    trying all 36 by hand."""
    boxes, appearance, K, R, t = _scene()
    rng = np.random.default_rng(seed)
    orders = np.array([rng.permutation(3) for _ in range(3)])
    similarity, slot_boxes = _permuted(boxes, appearance, orders)
    similarity = similarity + 0.3 * rng.standard_normal(similarity.shape)
    slot_boxes = slot_boxes + 4.0 * rng.standard_normal(slot_boxes.shape)
    origins, directions = (x.swapaxes(0, 1) for x in pixel_rays(
        box_centers(slot_boxes).swapaxes(0, 1), K, R, t))
    candidates = [np.array([(0, 1, 2), *rest]) for rest in
                  product(permutations(range(3)), repeat=2)]
    costs = [_total_cost(c, similarity, origins, directions, 2.0)
             for c in candidates]
    best = np.argsort(candidates[int(np.argmin(costs))], axis=1)
    person = assign_views(similarity, slot_boxes, K, R, t)
    np.testing.assert_array_equal(person, best)


def test_assign_groups_in_the_grouping_format():
    """Every slot in one group per person, even where appearance alone
    would err; the groups ordered by their first view's slot."""
    boxes, appearance, K, R, t = _scene(num_views=4)
    orders = np.array([[2, 0, 1], [1, 2, 0], [0, 2, 1], [2, 1, 0]])
    slot_boxes = _permuted(boxes, appearance, orders)[1]
    groups = assign_groups(appearance[orders], slot_boxes, K, R, t)
    assert [group[0] for group in groups] == [0, 1, 2]
    for group in groups:
        assert sorted(group) == [0, 1, 2, 3]
        assert len({orders[view, slot] for view, slot in group.items()}) == 1
