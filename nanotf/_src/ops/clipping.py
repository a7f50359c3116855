"""Clipping by norm: clip_by_norm, global_norm, clip_by_global_norm (composites, no primitives)."""

from __future__ import annotations

from nanotf._src.backend import np
from nanotf._src.dispatch import same_dtype
from nanotf._src.ops import math as m
from nanotf._src.ops.array import _attr_error
from nanotf._src.ops.movement import stack
from nanotf._src.tensor import Tensor, convert_to_tensor


def clip_by_norm(t, clip_norm, axes=None, name=None) -> Tensor:
    """Rescales `t` so its L2 norm (over `axes`, all by default) is at most `clip_norm`.

    Example:
      >>> tf.clip_by_norm([3., 4.], 1.)
      <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0.6, 0.8], dtype=float32)>
    """
    v = convert_to_tensor(t)
    l2sum = m.reduce_sum(m.multiply(v, v), axes, keepdims=True)
    pred = m.greater(l2sum, 0)
    # two-sided where: a zero tensor gets a zero (not NaN) gradient, as in TF
    l2norm = m.where(pred, m.sqrt(m.where(pred, l2sum, m.ones_like(l2sum))), l2sum)
    return m.divide(m.multiply(v, clip_norm), m.maximum(l2norm, clip_norm))


def _tensor_list(t_list, fn):
    if isinstance(t_list, (Tensor, str, bytes)) or not isinstance(t_list, (list, tuple)):
        raise TypeError(f"`{fn}` should be a sequence of tensors. Received {type(t_list)}.")
    return [None if t is None else convert_to_tensor(t) for t in t_list]


def global_norm(t_list, name=None) -> Tensor:
    """`sqrt(sum(l2norm(t) ** 2 for t in t_list))`, skipping None entries.

    Example: `tf.linalg.global_norm([tf.constant([3., 4.]), tf.constant([12.])])` is 13.0.
    """
    ts = [t for t in _tensor_list(t_list, "t_list") if t is not None]
    if not ts:
        return convert_to_tensor(0.0)
    for t in ts:
        if t._v.dtype.kind != "f":
            raise _attr_error("T", t._v.dtype, "half, bfloat16, float, double", "L2Loss")
    same_dtype("Pack", *ts)
    halves = stack([m.multiply(m.reduce_sum(m.square(t)), 0.5) for t in ts])
    return m.sqrt(m.multiply(m.reduce_sum(halves), 2.0))


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None) -> tuple:
    """Scales every tensor in `t_list` by `clip_norm / max(global_norm, clip_norm)`.

    Returns `(list_clipped, global_norm)`; an infinite or NaN norm makes every value NaN.

    Example:
      >>> clipped, norm = tf.clip_by_global_norm([tf.constant([3., 4.])], 1.)
      >>> norm.numpy()
      5.0
    """
    ts = _tensor_list(t_list, "t_list")
    un = global_norm(ts) if use_norm is None else convert_to_tensor(use_norm)
    cn = m.cast(clip_norm, un.dtype)
    scale = m.multiply(cn, m.minimum(m.divide(1.0, un), m.divide(1.0, cn)))
    with np.errstate(invalid="ignore"):  # NaN for a non-finite norm, as TF (no warning)
        scale = m.add(scale, m.subtract(un, un))
    return [None if t is None else m.multiply(t, m.cast(scale, t.dtype)) for t in ts], un
