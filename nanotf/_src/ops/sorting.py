"""Sorting and searching: sort, argsort, top_k, in_top_k, unique, searchsorted.

sort and top_k gather along the sorted indices, so their gradient scatters back to them.
"""

from __future__ import annotations

from collections import namedtuple

from nanotf._src import dtypes, errors
from nanotf._src.backend import np
from nanotf._src.dispatch import bind, primitive, same_dtype
from nanotf._src.ops import math as m
from nanotf._src.ops.array import _attr_error, _fmt, _int_scalar
from nanotf._src.tensor import Tensor, convert_to_tensor

# =============================== sort / argsort / top_k ===============================


@primitive("ArgSort", nondiff=True)
def _argsort(xp, x, axis, descending, k, out):
    if descending:  # ~x reverses integer order without overflowing at the dtype's minimum
        x = ~x if x.dtype.kind in "iu" else -x
    idx = xp.argsort(x, axis=axis, kind="stable")  # TF breaks ties by the lower index
    if k is not None:
        idx = idx[..., :k]
    return idx.astype(out, copy=False)


@primitive("TakeAlongAxis")
def _take_along(xp, x, idx, axis):
    return xp.take_along_axis(x, idx, axis=axis)


_take_along.defvjp(lambda g, out, x, idx, axis:
                   _put_along(g, idx, axis=axis, shape=x._v.shape), None)


@primitive("PutAlongAxis")
def _put_along(xp, g, idx, axis, shape):
    z = xp.zeros(shape, dtype=g.dtype)
    xp.put_along_axis(z, idx, g, axis=axis)  # indices are distinct along the axis here
    return z


_put_along.defvjp(lambda gg, out, g, idx, axis, shape: _take_along(gg, idx, axis=axis), None)

_SORT_TYPES = ("bfloat16, half, float, double, int8, int16, int32, int64, complex64, complex128")


def _sort_args(values, axis, direction):
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError("Argument `direction` should be one of ASCENDING, DESCENDING. Received: "
                         f"direction={direction}")
    x = convert_to_tensor(values)
    if x._v.dtype.kind not in "iuf":
        raise _attr_error("T", x._v.dtype, _SORT_TYPES, "Neg")
    nd = x._v.ndim
    a = _int_scalar(axis)
    if not -nd <= a < nd:
        raise errors.invalid_argument(
            f"slice index {a + nd if a < 0 else a} of dimension 0 out of bounds.",
            "StridedSlice")
    return x, a % nd, direction == "DESCENDING"


def sort(values, axis=-1, direction="ASCENDING", name=None) -> Tensor:
    """Sorts `values` along `axis` ("ASCENDING" or "DESCENDING"); differentiable.

    Example:
      >>> tf.sort([3, 1, 2], direction="DESCENDING")
      <tf.Tensor: shape=(3,), dtype=int32, numpy=array([3, 2, 1], dtype=int32)>
    """
    x, a, desc = _sort_args(values, axis, direction)
    idx = bind(_argsort, x, axis=a, descending=desc, k=None, out=np.dtype(np.int64))
    return bind(_take_along, x, idx, axis=a)


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None) -> Tensor:
    """The int32 indices that sort `values` along `axis` (ties keep their order: always stable).

    Example:
      >>> tf.argsort([3., 1., 2.])
      <tf.Tensor: shape=(3,), dtype=int32, numpy=array([1, 2, 0], dtype=int32)>
    """
    x, a, desc = _sort_args(values, axis, direction)
    return bind(_argsort, x, axis=a, descending=desc, k=None, out=np.dtype(np.int32))


TopKV2 = namedtuple("TopKV2", ["values", "indices"])
_TOPK_TYPES = ("float, double, int32, uint8, int16, int8, int64, bfloat16, uint16, half, "
               "uint32, uint64")


def top_k(input, k=1, sorted=True, index_type=dtypes.int32, name=None) -> TopKV2:  # noqa: A002
    """The `k` largest entries along the last axis and their indices (ties: lower index first).

    With `sorted=False` the order is unspecified in TF; here it is always descending.

    Example:
      >>> tf.math.top_k([1., 3., 2.], k=2).indices
      <tf.Tensor: shape=(2,), dtype=int32, numpy=array([1, 2], dtype=int32)>
    """
    x = convert_to_tensor(input)
    if x._v.dtype.kind not in "iuf":
        raise _attr_error("T", x._v.dtype, _TOPK_TYPES, "TopKV2")
    kk = _int_scalar(k)
    if x._v.ndim == 0:
        raise errors.invalid_argument(f"input must be >= 1-D, got shape {_fmt(x._v.shape)}",
                                      "TopKV2")
    if kk < 0:
        raise errors.invalid_argument(f"Need k >= 0, got {kk}", "TopKV2")
    n = x._v.shape[-1]
    if n is not None and n < kk:
        raise errors.invalid_argument(f"input must have at least k columns. Had {n}, needed {kk}",
                                      "TopKV2")
    a = x._v.ndim - 1
    idx = bind(_argsort, x, axis=a, descending=True, k=kk,
               out=dtypes.as_dtype(index_type)._np)
    return TopKV2(bind(_take_along, x, idx, axis=a), idx)


# =============================== in_top_k / unique / searchsorted ===============================


@primitive("InTopKV2", nondiff=True)
def _in_top_k(xp, pred, targets, k):
    c = pred.shape[1]
    t = targets.astype(np.int64)
    ok = (t >= 0) & (t < c)
    tv = pred[xp.arange(pred.shape[0]), xp.where(ok, t, 0)]
    # as TF's kernel: any non-finite prediction in a row makes its answer False
    ok &= xp.isfinite(pred).all(axis=1)
    return ok & ((pred > tv[:, None]).sum(axis=1) < k[()])


def in_top_k(targets, predictions, k, name=None) -> Tensor:
    """Whether each `targets[i]` is among the `k` largest `predictions[i]` (ties count as in).

    Example:
      >>> tf.math.in_top_k([2, 0], [[0.1, 0.5, 0.9], [0.2, 0.7, 0.1]], 1)
      <tf.Tensor: shape=(2,), dtype=bool, numpy=array([ True, False])>
    """
    p = convert_to_tensor(predictions, dtype=dtypes.float32)
    t = convert_to_tensor(targets)
    if t._v.dtype.kind not in "i":
        raise _attr_error("T", t._v.dtype, "int32, int64", "InTopKV2")
    kt = convert_to_tensor(k, dtype=t.dtype) if not isinstance(k, Tensor) else m.cast(k, t.dtype)
    if p._v.ndim != 2:
        raise errors.invalid_argument(f"predictions must be 2-dimensional, got shape "
                                      f"{_fmt(p._v.shape)}", "InTopKV2")
    if t._v.ndim != 1 or t._v.shape[0] != p._v.shape[0]:
        raise errors.invalid_argument(
            f"First dimension of predictions {p._v.shape[0]} must match length of targets "
            f"{t._v.shape[0] if t._v.ndim else 1}", "InTopKV2")
    return bind(_in_top_k, p, t, kt)


Unique = namedtuple("Unique", ["y", "idx"])
UniqueWithCounts = namedtuple("UniqueWithCounts", ["y", "idx", "count"])


@primitive("UniqueWithCounts", nout=3, nondiff=True)
def _unique(xp, x, out_idx):
    kw = {"equal_nan": False} if x.dtype.kind in "fc" else {}
    u, first, inv, cnt = xp.unique(x, return_index=True, return_inverse=True,
                                   return_counts=True, **kw)
    order = xp.argsort(first, kind="stable")  # TF lists values by first appearance
    rank_ = xp.empty_like(order)
    rank_[order] = xp.arange(order.size)
    return u[order], rank_[inv.reshape(-1)].astype(out_idx), cnt[order].astype(out_idx)


def unique(x, out_idx=dtypes.int32, name=None) -> Unique:
    """The distinct values of 1-D `x` in order of first appearance, and each entry's index in them.

    Example:
      >>> tf.unique([1, 1, 2, 4, 4]).y
      <tf.Tensor: shape=(3,), dtype=int32, numpy=array([1, 2, 4], dtype=int32)>
    """
    y, idx, _ = _unique_call(x, out_idx, "Unique")
    return Unique(y, idx)


def unique_with_counts(x, out_idx=dtypes.int32, name=None) -> UniqueWithCounts:
    """As `tf.unique`, plus how often each distinct value occurs.

    Example: `tf.unique_with_counts([5, 3, 5]).count` is [2, 1].
    """
    return UniqueWithCounts(*_unique_call(x, out_idx, "UniqueWithCounts"))


def _unique_call(x, out_idx, op):
    t = convert_to_tensor(x)
    if t._v.ndim != 1:
        raise errors.invalid_argument("unique expects a 1D vector.", op)
    return bind(_unique, t, out_idx=dtypes.as_dtype(out_idx)._np)


@primitive("LowerBound", nondiff=True)
def _searchsorted(xp, seq, vals, side, out):
    if seq.ndim == 1:
        return xp.searchsorted(seq, vals, side=side).astype(out)
    n, k = seq.shape[-1], vals.shape[-1]
    s2, v2 = seq.reshape(-1, n), vals.reshape(-1, k)
    b = s2.shape[0]
    if b <= 16:
        r = xp.stack([xp.searchsorted(s2[i], v2[i], side=side) for i in range(b)])
    else:  # one stable merge of all rows: count the sequence entries sorted before each value
        rows = xp.concatenate([xp.repeat(xp.arange(b), n), xp.repeat(xp.arange(b), k)])
        left = side == "left"
        tie = xp.concatenate([xp.full(b * n, left), xp.full(b * k, not left)])
        order = xp.lexsort((tie, xp.concatenate([s2.ravel(), v2.ravel()]), rows))
        is_seq = xp.concatenate([xp.ones(b * n, np.int64), xp.zeros(b * k, np.int64)])
        before = xp.empty(b * (n + k), np.int64)
        before[order] = xp.cumsum(is_seq[order])
        r = before[b * n:] - xp.repeat(xp.arange(b), k) * n
    return r.reshape(vals.shape).astype(out)


def searchsorted(sorted_sequence, values, side="left", out_type=dtypes.int32,
                 name=None) -> Tensor:
    """Where `values` would be inserted into the innermost rows of `sorted_sequence`.

    Example:
      >>> tf.searchsorted([0., 1., 2.], [0.5, 2.])
      <tf.Tensor: shape=(2,), dtype=int32, numpy=array([1, 2], dtype=int32)>
    """
    if side not in ("left", "right"):
        raise ValueError(f"Argument `side` must be either 'right' or 'left'. Received: `side` = "
                         f"'{side}'.")
    op = "LowerBound" if side == "left" else "UpperBound"
    s = convert_to_tensor(sorted_sequence)
    v = convert_to_tensor(values)
    if v._v.ndim == 0:
        raise errors.invalid_argument("slice index -1 of dimension 0 out of bounds.",
                                      "StridedSlice")
    same_dtype(op, s, v)
    if s._v.shape[:-1] != v._v.shape[:-1]:
        raise errors.invalid_argument("Leading dim_size of both tensors must match.", op)
    return bind(_searchsorted, s, v, side=side, out=dtypes.as_dtype(out_type)._np)
