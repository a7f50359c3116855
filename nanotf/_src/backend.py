"""The array backend: the only module that imports numpy (or cupy).

Everything else receives the array module as `xp` (from `xp_of`) or uses the `np` re-exported here, so the
same op code runs on NumPy and, where installed and chosen, CuPy.
"""

from __future__ import annotations

import numpy as np

try:  # cupy is optional and absent in the normal case
    import cupy as _cupy  # type: ignore
except Exception:  # pragma: no cover - depends on the machine
    _cupy = None

__all__ = ["np", "xp_of", "asnumpy", "cupy_available", "is_cupy"]


def cupy_available() -> bool:
    """Whether CuPy imported on this machine."""
    return _cupy is not None


def is_cupy(a) -> bool:
    """Whether `a` is a CuPy array."""
    return _cupy is not None and isinstance(a, _cupy.ndarray)


def xp_of(*arrays):
    """The array module (numpy or cupy) that owns `arrays`."""
    if _cupy is not None:
        for a in arrays:
            if isinstance(a, _cupy.ndarray):
                return _cupy
    return np


def asnumpy(a):
    """`a` as a NumPy array (copied from the device if it lives there)."""
    if _cupy is not None and isinstance(a, _cupy.ndarray):
        return _cupy.asnumpy(a)
    return np.asarray(a)
