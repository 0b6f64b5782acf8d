"""Checks of component arguments at build time."""
import numbers

__all__ = ['check_positive_ints']


def check_positive_ints(owner: str, **values) -> None:
    """Raise ``ValueError`` naming ``owner`` and the argument unless each
    value (an int, or a non-empty sequence of ints) holds integers >= 1."""
    for key, value in values.items():
        sequence = isinstance(value, (list, tuple))
        items = list(value) if sequence else [value]
        valid = items and all(
            isinstance(item, numbers.Integral) and not isinstance(item, bool)
            and item >= 1 for item in items)
        if not valid:
            kind = 'integers' if sequence else 'an integer'
            raise ValueError(
                f'{owner}: {key} must be {kind} >= 1, got {value!r}')
