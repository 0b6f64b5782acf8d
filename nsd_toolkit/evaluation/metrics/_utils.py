"""Helpers shared by the metrics."""
from typing import Any


def get_field(sample: Any, key: str, default=None):
    """Field of a MultiViewDataSample or of its ``to_dict()`` form."""
    if isinstance(sample, dict):
        return sample.get(key, default)
    return sample.get(key, default) if hasattr(sample, 'get') else getattr(
        sample, key, default)
