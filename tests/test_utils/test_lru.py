"""The bounded least-recently-used cache."""
import pytest

from nsd_toolkit.utils.lru import LRUCache


def test_the_least_recently_used_entries_go_first():
    cache = LRUCache(max_cost=3)
    for key in 'abc':
        cache.put(key, key.upper())
    assert cache.get('a') == 'A'  # now the most recent: b is the oldest
    cache.put('d', 'D')
    assert cache.get('b') is None and len(cache) == 3
    assert [cache.get(key) for key in 'acd'] == ['A', 'C', 'D']


def test_costs_add_up_to_the_budget():
    cache = LRUCache(max_cost=10)
    cache.put('a', 1, cost=4)
    cache.put('b', 2, cost=4)
    cache.put('c', 3, cost=4)  # 12 > 10: a goes
    assert cache.get('a', 'gone') == 'gone' and cache.total_cost == 8
    cache.put('b', 20, cost=1)  # replaced, with its new cost
    assert cache.get('b') == 20 and cache.total_cost == 5
    cache.put('huge', 0, cost=11)  # more than the budget: not kept
    assert cache.get('huge') is None and cache.total_cost == 5
    assert cache.get('c') == 3
    cache.clear()
    assert len(cache) == 0 and cache.total_cost == 0


def test_a_zero_budget_keeps_nothing_and_a_negative_one_is_refused():
    cache = LRUCache(0)
    cache.put('a', 1)
    assert cache.get('a') is None
    with pytest.raises(ValueError, match='max_cost must be >= 0'):
        LRUCache(-1)
