"""`tf.nest`: flatten and rebuild nested structures of lists, tuples, namedtuples and dicts."""

from __future__ import annotations

from typing import Any, Callable


def is_nested(structure) -> bool:
    """Whether `structure` is a list, tuple or dict (something nest descends into)."""
    return isinstance(structure, (list, tuple, dict)) or _is_attrs(structure)


is_sequence = is_nested


def _is_attrs(x) -> bool:
    return hasattr(type(x), "__attrs_attrs__")


def _items(structure):
    if isinstance(structure, dict):
        return [structure[k] for k in _sorted_keys(structure)]
    if _is_attrs(structure):
        return [getattr(structure, a.name) for a in type(structure).__attrs_attrs__]
    return list(structure)


def _sorted_keys(d):
    try:
        return sorted(d)
    except TypeError:
        return list(d)


def flatten(structure, expand_composites: bool = False) -> list:
    """The leaves of `structure`, depth first (dicts by sorted key).

    Example:
      >>> tf.nest.flatten({'b': 2, 'a': (1, [3])})
      [1, 3, 2]
    """
    if not is_nested(structure):
        return [structure]
    out = []
    for item in _items(structure):
        out.extend(flatten(item))
    return out


def _rebuild(structure, leaves: list, pos: int):
    if not is_nested(structure):
        return leaves[pos], pos + 1
    vals = []
    for item in _items(structure):
        v, pos = _rebuild(item, leaves, pos)
        vals.append(v)
    return _sequence_like(structure, vals), pos


def _sequence_like(structure, vals):
    if isinstance(structure, dict):
        keyed = dict(zip(_sorted_keys(structure), vals))
        return type(structure)((k, keyed[k]) for k in structure) if type(structure) is not dict \
            else {k: keyed[k] for k in structure}
    if isinstance(structure, tuple) and hasattr(structure, "_fields"):
        return type(structure)(*vals)
    if _is_attrs(structure):
        return type(structure)(*vals)
    if isinstance(structure, tuple):
        return tuple(vals)
    return list(vals) if type(structure) is list else type(structure)(vals)


def pack_sequence_as(structure, flat_sequence, expand_composites: bool = False):
    """Rebuilds `structure` with the leaves taken in order from `flat_sequence`."""
    flat_sequence = list(flat_sequence)
    n = len(flatten(structure))
    if n != len(flat_sequence):
        raise ValueError(f"Could not pack sequence. Structure had {n} atoms, but flat_sequence "
                         f"had {len(flat_sequence)} items.")
    if not is_nested(structure):
        return flat_sequence[0]
    return _rebuild(structure, flat_sequence, 0)[0]


def map_structure(func: Callable, *structure, **kwargs) -> Any:
    """Applies `func` to corresponding leaves of one or more structures of the same shape."""
    if not structure:
        raise ValueError("Must provide at least one structure")
    for s in structure[1:]:
        assert_same_structure(structure[0], s)
    flats = [flatten(s) for s in structure]
    return pack_sequence_as(structure[0], [func(*xs) for xs in zip(*flats)])


def assert_same_structure(nest1, nest2, check_types: bool = True, expand_composites=False):
    """Raises ValueError (or TypeError) unless the two structures nest the same way."""
    if is_nested(nest1) != is_nested(nest2):
        raise ValueError(f"The two structures don't have the same nested structure.\n\n"
                         f"First structure: {nest1!r}\n\nSecond structure: {nest2!r}")
    if not is_nested(nest1):
        return
    if check_types and type(nest1) is not type(nest2) and not (
            isinstance(nest1, (list, tuple)) and isinstance(nest2, (list, tuple))
            and not hasattr(nest1, "_fields") and not hasattr(nest2, "_fields")
            and type(nest1) in (list, tuple) and type(nest2) in (list, tuple)
            and type(nest1) is type(nest2)):
        if type(nest1) is not type(nest2):
            raise TypeError(f"The two structures don't have the same sequence type. Input "
                            f"structure has type {type(nest1)}, while shallow structure has type "
                            f"{type(nest2)}.")
    a, b = _items(nest1), _items(nest2)
    if len(a) != len(b):
        raise ValueError(f"The two structures don't have the same number of elements.\n\n"
                         f"First structure: {nest1!r}\n\nSecond structure: {nest2!r}")
    if isinstance(nest1, dict) and set(nest1) != set(nest2):
        raise ValueError(f"The two dictionaries don't have the same set of keys: "
                         f"{sorted(nest1)} vs {sorted(nest2)}")
    for x, y in zip(a, b):
        assert_same_structure(x, y, check_types)
