"""Bitwise ops on integer tensors (`tf.bitwise`), also behind the int `&`, `|`, `^` and `~`."""

from __future__ import annotations

from nanotf._src import dtypes, errors
from nanotf._src.dispatch import primitive

_INT_TYPES = "int8, int16, int32, int64, uint8, uint16, uint32, uint64"
_TF_NAMES = {"float32": "float", "float64": "double", "float16": "half"}


def _check(x, op: str) -> None:
    if x.dtype.kind not in "iu":
        name = dtypes.from_numpy(x.dtype).name
        raise errors.invalid_argument(
            f"Value for attr 'T' of {_TF_NAMES.get(name, name)} is not in the list of allowed "
            f"values: {_INT_TYPES}", op)


@primitive("BitwiseAnd", "binary", nondiff=True)
def bitwise_and(xp, x, y):
    """Elementwise bitwise AND of two integer tensors.

    Example:
      >>> tf.bitwise.bitwise_and(tf.constant([5, 3]), 6)
      <tf.Tensor: shape=(2,), dtype=int32, numpy=array([4, 2], dtype=int32)>
    """
    _check(x, "BitwiseAnd")
    return xp.bitwise_and(x, y)


@primitive("BitwiseOr", "binary", nondiff=True)
def bitwise_or(xp, x, y):
    """Elementwise bitwise OR of two integer tensors.

    Example: `tf.bitwise.bitwise_or(tf.constant([5, 3]), 6)` is [7, 7].
    """
    _check(x, "BitwiseOr")
    return xp.bitwise_or(x, y)


@primitive("BitwiseXor", "binary", nondiff=True)
def bitwise_xor(xp, x, y):
    """Elementwise bitwise XOR of two integer tensors.

    Example: `tf.bitwise.bitwise_xor(tf.constant([5, 3]), 6)` is [3, 5].
    """
    _check(x, "BitwiseXor")
    return xp.bitwise_xor(x, y)


@primitive("Invert", "unary", nondiff=True)
def invert(xp, x):
    """Flips every bit of an integer tensor (`~x`).

    Example:
      >>> tf.bitwise.invert(tf.constant([5, 0]))
      <tf.Tensor: shape=(2,), dtype=int32, numpy=array([-6, -1], dtype=int32)>
    """
    _check(x, "Invert")
    return xp.invert(x)


def _shift_amount(xp, x, y):
    # TF clamps the shift into [0, bits - 1] rather than leaving it undefined
    return xp.clip(y, 0, x.dtype.itemsize * 8 - 1).astype(x.dtype, copy=False)


@primitive("LeftShift", "binary", nondiff=True)
def left_shift(xp, x, y):
    """Shifts the bits of `x` left by `y` (shifts clamp to [0, bits - 1]; overflow wraps).

    Example: `tf.bitwise.left_shift(tf.constant([1, 3]), 2)` is [4, 12].
    """
    _check(x, "LeftShift")
    return xp.left_shift(x, _shift_amount(xp, x, y))


@primitive("RightShift", "binary", nondiff=True)
def right_shift(xp, x, y):
    """Shifts the bits of `x` right by `y` (arithmetic for signed types; clamped as left_shift).

    Example: `tf.bitwise.right_shift(tf.constant([-16, 16]), 2)` is [-4, 4].
    """
    _check(x, "RightShift")
    return xp.right_shift(x, _shift_amount(xp, x, y))
