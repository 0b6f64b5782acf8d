"""A bounded in-memory cache that drops the least recently used entries."""
import collections


class LRUCache:
    """Values kept up to a total cost, the least recently used dropped first.

    Each entry has a cost (1 by default, e.g. its bytes); while the costs
    add up to more than ``max_cost`` the least recently read or written
    entries are dropped. A value costing more than ``max_cost`` is not kept.
    Not thread-safe; a process (or a data loader worker) holds its own.

    Args:
        max_cost (int): the largest total cost kept; 0 keeps nothing.
    """

    def __init__(self, max_cost):
        if max_cost < 0:
            raise ValueError(f'max_cost must be >= 0, got {max_cost}')
        self.max_cost = max_cost
        self.total_cost = 0
        self._entries = collections.OrderedDict()  # key -> (value, cost)

    def __len__(self):
        return len(self._entries)

    def get(self, key, default=None):
        """The value of ``key`` (now the most recently used), else
        ``default``."""
        entry = self._entries.get(key)
        if entry is None:
            return default
        self._entries.move_to_end(key)
        return entry[0]

    def put(self, key, value, cost=1):
        """Keep ``value`` under ``key`` (replacing an earlier one) unless it
        costs more than ``max_cost``; drop the least recently used entries
        until the total fits."""
        if key in self._entries:
            self.total_cost -= self._entries.pop(key)[1]
        if cost > self.max_cost:
            return
        self._entries[key] = (value, cost)
        self.total_cost += cost
        while self.total_cost > self.max_cost:
            self.total_cost -= self._entries.popitem(last=False)[1][1]

    def clear(self):
        """Drop every entry."""
        self._entries.clear()
        self.total_cost = 0
