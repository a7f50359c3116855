"""Segment reductions (segment_*, unsorted_segment_*), bincount and confusion_matrix.

A segment sum's gradient gathers back per row; max/min share it among the tied rows.
"""

from __future__ import annotations

from nanotf._src import dtypes, errors
from nanotf._src.backend import np
from nanotf._src.dispatch import bind, primitive
from nanotf._src.ops import math as m
from nanotf._src.ops.array import _abstract, _fmt, _index_tensor, _int_scalar, reshape
from nanotf._src.ops.indexing import _gather
from nanotf._src.ops.scatter import _scatter_nd
from nanotf._src.tensor import Tensor, convert_to_tensor, tensor_of
from nanotf._src.tensor_shape import TensorShape

# =============================== segment reductions ===============================


def _segment_prim(op, ufunc, empty):
    @primitive(op)
    def prim(xp, data, ids, num, empty_zero):
        rest = data.shape[ids.ndim:]
        flat = ids.reshape(-1)
        d = data.reshape((-1,) + rest)
        keep = flat >= 0
        if not keep.all():
            flat, d = flat[keep], d[keep]
        if flat.size and flat.max() >= num:
            i = int(np.argmax(ids.reshape(-1) >= num))
            raise errors.invalid_argument(
                f"segment_ids[{i}] = {int(ids.reshape(-1)[i])} is out of range [0, {num})", op)
        fill = empty(data.dtype) if callable(empty) else empty
        out = xp.full((num,) + rest, fill, dtype=data.dtype)
        getattr(xp, ufunc).at(out, flat, d)
        if empty_zero and fill != 0:  # sorted segment ops leave empty segments at 0
            out[xp.bincount(flat, minlength=num) == 0] = 0
        return out

    return prim


_seg_sum = _segment_prim("UnsortedSegmentSum", "add", 0)
# TF fills empty max/min segments with the dtype's lowest/highest finite value
_seg_max = _segment_prim("UnsortedSegmentMax", "maximum",
                         lambda dt: np.finfo(dt).min if dt.kind == "f" else np.iinfo(dt).min)
_seg_min = _segment_prim("UnsortedSegmentMin", "minimum",
                         lambda dt: np.finfo(dt).max if dt.kind == "f" else np.iinfo(dt).max)
_seg_prod = _segment_prim("UnsortedSegmentProd", "multiply", 1)


def _kept(ids, ndim):
    """Whether each data row's id is kept (not negative), shaped to broadcast to rank `ndim`."""
    return reshape(m.greater_equal(ids, 0), ids._v.shape + (1,) * (ndim - ids._v.ndim))


def _gather_segments(g, ids):
    """`g[ids]` per data row, zero where an id is negative (dropped)."""
    got = bind(_gather, g, m.maximum(ids, 0), axis=0, batch_dims=0)
    return m.where(_kept(ids, got._v.ndim), got, m.zeros_like(got))


def _segment_minmax_vjp(g, out, data, ids, num, empty_zero):
    sel = m.logical_and(m.equal(data, _gather_segments(out, ids)), _kept(ids, data._v.ndim))
    nsel = bind(_seg_sum, m.cast(sel, g.dtype), ids, num=num, empty_zero=False)
    share = _gather_segments(m.divide_no_nan(g, nsel), ids)
    return m.where(sel, share, m.zeros_like(share))


def _segment_prod_vjp(g, out, data, ids, num, empty_zero):
    zero = m.equal(data, 0)
    nzero = bind(_seg_sum, m.cast(zero, g.dtype), ids, num=num, empty_zero=False)
    g = m.where(m.greater(nzero, 1), m.zeros_like(g), g)
    nonzero = m.where(zero, m.ones_like(data), data)
    nz_prod = bind(_seg_prod, nonzero, ids, num=num, empty_zero=False)
    others = m.where(zero, _gather_segments(nz_prod, ids),
                     m.divide_no_nan(_gather_segments(out, ids), nonzero))
    return m.multiply(_gather_segments(g, ids), others)


_seg_sum.defvjp(lambda g, out, data, ids, num, empty_zero: _gather_segments(g, ids), None)
_seg_max.defvjp(_segment_minmax_vjp, None)
_seg_min.defvjp(_segment_minmax_vjp, None)
_seg_prod.defvjp(_segment_prod_vjp, None)


def _unsorted_args(data, segment_ids, num_segments, op):
    d = convert_to_tensor(data)
    ids = _index_tensor(segment_ids, op)
    num = _int_scalar(num_segments)
    if num < 0:
        raise errors.invalid_argument(f"Input num_segments == {num} must not be negative.", op)
    if d._v.shape[:ids._v.ndim] != ids._v.shape:
        raise errors.invalid_argument(f"data.shape = {_fmt(d._v.shape)} does not start with "
                                      f"segment_ids.shape = {_fmt(ids._v.shape)}", op)
    return d, ids, num


def _sorted_args(data, segment_ids, op):
    d = convert_to_tensor(data)
    ids = _index_tensor(segment_ids, op, "int32, int64")
    iv = np.asarray(ids._v)
    if iv.ndim != 1:
        raise errors.invalid_argument("segment_ids should be a vector.", op)
    if d._v.ndim == 0 or iv.shape[0] != d._v.shape[0]:
        raise errors.invalid_argument("segment_ids should be the same size as dimension 0 of "
                                      "input.", op)
    if iv.size and iv[0] < 0:
        raise errors.invalid_argument(
            f"Segment id {int(iv[0])} out of range [0, {int(iv[-1]) + 1}), possibly because "
            "'segment_ids' input is not sorted.", op)
    if iv.size > 1 and (np.diff(iv) < 0).any():
        raise errors.invalid_argument("segment ids are not increasing", op)
    return d, ids, int(iv[-1]) + 1 if iv.size else 0


def _segment_count(ids, num, data):
    """Entries per segment (at least 1) in `data`'s dtype, shaped to broadcast against a segment
    result."""
    iv = np.asarray(ids._v).reshape(-1)
    c = np.bincount(iv[iv >= 0], minlength=num)[:num]
    shp = (num,) + (1,) * (data._v.ndim - ids._v.ndim)
    return tensor_of(np.maximum(c, 1).astype(data.dtype._np).reshape(shp))


def _segment_mean(d, ids, num):
    s = bind(_seg_sum, d, ids, num=num, empty_zero=False)
    n = _segment_count(ids, num, d)
    if d.dtype.is_integer:  # TF truncates integer means toward zero
        return tensor_of((np.asarray(s._v) / n._v).astype(d._v.dtype))
    return m.divide(s, n)


def segment_sum(data, segment_ids, name=None) -> Tensor:
    """Sums the rows of `data` that share a (sorted) segment id.

    Example:
      >>> tf.math.segment_sum(tf.constant([1, 2, 3]), [0, 0, 1])
      <tf.Tensor: shape=(2,), dtype=int32, numpy=array([3, 3], dtype=int32)>
    """
    d, ids, num = _sorted_args(data, segment_ids, "SegmentSum")
    return bind(_seg_sum, d, ids, num=num, empty_zero=True)


def segment_mean(data, segment_ids, name=None) -> Tensor:
    """Averages the rows of `data` that share a (sorted) segment id (empty segments give 0).

    Example: `tf.math.segment_mean(tf.constant([1., 3., 5.]), [0, 0, 1])` is [2., 5.].
    """
    return _segment_mean(*_sorted_args(data, segment_ids, "SegmentMean"))


def segment_max(data, segment_ids, name=None) -> Tensor:
    """Maximum over the rows of `data` that share a (sorted) segment id (empty segments give 0).

    Example: `tf.math.segment_max(tf.constant([1., 3., 5.]), [0, 0, 1])` is [3., 5.].
    """
    d, ids, num = _sorted_args(data, segment_ids, "SegmentMax")
    return bind(_seg_max, d, ids, num=num, empty_zero=True)


def segment_min(data, segment_ids, name=None) -> Tensor:
    """Minimum over the rows of `data` that share a (sorted) segment id (empty segments give 0).

    Example: `tf.math.segment_min(tf.constant([1., 3., 5.]), [0, 0, 1])` is [1., 5.].
    """
    d, ids, num = _sorted_args(data, segment_ids, "SegmentMin")
    return bind(_seg_min, d, ids, num=num, empty_zero=True)


def segment_prod(data, segment_ids, name=None) -> Tensor:
    """Product over the rows of `data` that share a (sorted) segment id (empty segments give 1).

    Example: `tf.math.segment_prod(tf.constant([2., 3., 5.]), [0, 0, 1])` is [6., 5.].
    """
    d, ids, num = _sorted_args(data, segment_ids, "SegmentProd")
    return bind(_seg_prod, d, ids, num=num, empty_zero=False)


def unsorted_segment_sum(data, segment_ids, num_segments, name=None) -> Tensor:
    """Sums `data` entries per segment id in `[0, num_segments)`; negative ids are dropped.

    Example:
      >>> tf.math.unsorted_segment_sum(tf.constant([1, 2, 3]), [1, 0, 1], 2)
      <tf.Tensor: shape=(2,), dtype=int32, numpy=array([2, 4], dtype=int32)>
    """
    d, ids, num = _unsorted_args(data, segment_ids, num_segments, "UnsortedSegmentSum")
    return bind(_seg_sum, d, ids, num=num, empty_zero=False)


def unsorted_segment_mean(data, segment_ids, num_segments, name=None) -> Tensor:
    """Averages `data` entries per segment id (empty segments give 0).

    Example: `tf.math.unsorted_segment_mean(tf.constant([1., 3.]), [1, 1], 2)` is [0., 2.].
    """
    return _segment_mean(*_unsorted_args(data, segment_ids, num_segments, "UnsortedSegmentSum"))


def unsorted_segment_sqrt_n(data, segment_ids, num_segments, name=None) -> Tensor:
    """Sums `data` entries per segment id and divides by sqrt(count).

    Example: `tf.math.unsorted_segment_sqrt_n(tf.constant([1., 3.]), [0, 0], 1)` is [2.828427].
    """
    d, ids, num = _unsorted_args(data, segment_ids, num_segments, "UnsortedSegmentSum")
    s = bind(_seg_sum, d, ids, num=num, empty_zero=False)
    return m.divide(s, m.sqrt(_segment_count(ids, num, d)))


def unsorted_segment_max(data, segment_ids, num_segments, name=None) -> Tensor:
    """Maximum of `data` entries per segment id (empty segments give the dtype's lowest value).

    Example: `tf.math.unsorted_segment_max(tf.constant([1., 3.]), [0, 0], 1)` is [3.].
    """
    d, ids, num = _unsorted_args(data, segment_ids, num_segments, "UnsortedSegmentMax")
    return bind(_seg_max, d, ids, num=num, empty_zero=False)


def unsorted_segment_min(data, segment_ids, num_segments, name=None) -> Tensor:
    """Minimum of `data` entries per segment id (empty segments give the dtype's highest value).

    Example: `tf.math.unsorted_segment_min(tf.constant([1., 3.]), [0, 0], 1)` is [1.].
    """
    d, ids, num = _unsorted_args(data, segment_ids, num_segments, "UnsortedSegmentMin")
    return bind(_seg_min, d, ids, num=num, empty_zero=False)


def unsorted_segment_prod(data, segment_ids, num_segments, name=None) -> Tensor:
    """Product of `data` entries per segment id (empty segments give 1).

    Example: `tf.math.unsorted_segment_prod(tf.constant([2., 3.]), [0, 0], 1)` is [6.].
    """
    d, ids, num = _unsorted_args(data, segment_ids, num_segments, "UnsortedSegmentProd")
    return bind(_seg_prod, d, ids, num=num, empty_zero=False)


# =============================== bincount / confusion_matrix ===============================


@primitive("DenseBincount", nondiff=True)
def _bincount(xp, arr, *w, minlength, maxlength, binary, dtype, axis):
    a = arr.astype(np.int64)
    if a.size and a.min() < 0:
        raise errors.invalid_argument("Input arr must be non-negative!", "DenseBincount")
    size = int(a.max()) + 1 if a.size else 0
    if minlength is not None:
        size = max(size, minlength)
    if maxlength is not None:
        size = min(size, maxlength)
    rows = a.shape[0] if axis == -1 and a.ndim == 2 else 1
    flat = a.reshape(rows, -1)
    keep = flat < size
    pos = (flat + xp.arange(rows)[:, None] * size)[keep]
    out_dt = w[0].dtype if w else dtype
    out = xp.zeros(rows * size, dtype=out_dt)
    if w:
        xp.add.at(out, pos, w[0].reshape(rows, -1)[keep])
    else:
        out += xp.bincount(pos, minlength=rows * size).astype(out_dt)
    if binary:
        out = (out != 0).astype(out_dt)
    return out.reshape((rows, size) if axis == -1 and a.ndim == 2 else (size,))


_bincount.shape_fn = lambda ins, attrs: [_abstract(
    (ins[0]._v.shape[0], None) if attrs["axis"] == -1 and ins[0]._v.ndim == 2 else (None,),
    ins[1]._v.dtype if len(ins) > 1 else attrs["dtype"])]


def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=dtypes.int32, name=None,
             axis=None, binary_output=False) -> Tensor:
    """Counts occurrences of each value in the non-negative int tensor `arr`.

    With `weights`, sums the weights instead (the output takes their dtype); `axis=-1` counts each
    row of a 2-D `arr` separately.

    Example:
      >>> tf.math.bincount([1, 1, 3])
      <tf.Tensor: shape=(4,), dtype=int32, numpy=array([0, 2, 0, 1], dtype=int32)>
    """
    a = convert_to_tensor(arr)
    if axis not in (None, 0, -1):
        raise errors.invalid_argument(f"Unsupported axis value {axis}; only None, 0 and -1 are "
                                      "supported", "DenseBincount")
    ins = [a]
    if weights is not None:
        if binary_output:
            raise ValueError("Arguments `binary_output` and `weights` are mutually exclusive. "
                             "Please specify only one.")
        wt = convert_to_tensor(weights)
        if wt._v.shape != a._v.shape:
            raise errors.invalid_argument(
                f"`weights` must be the same shape as `arr` or a length-0 `Tensor`, in which case "
                f"it acts as all weights equal to 1. Received weights shape: "
                f"{_fmt(wt._v.shape)}, arr shape: {_fmt(a._v.shape)}", "DenseBincount")
        ins.append(wt)
    return bind(_bincount, *ins, minlength=None if minlength is None else int(minlength),
                maxlength=None if maxlength is None else int(maxlength),
                binary=bool(binary_output), dtype=dtypes.as_dtype(dtype)._np,
                axis=-1 if axis == -1 else None)


def confusion_matrix(labels, predictions, num_classes=None, weights=None, dtype=dtypes.int32,
                     name=None) -> Tensor:
    """The `[n, n]` matrix counting (label, prediction) pairs: rows are labels.

    `num_classes` defaults to the largest label or prediction + 1; `weights` are cast to `dtype`.

    Example:
      >>> tf.math.confusion_matrix([0, 1, 1], [0, 1, 0])
      <tf.Tensor: shape=(2, 2), dtype=int32, numpy=
      array([[1, 0],
             [1, 1]], dtype=int32)>
    """
    lab = np.asarray(m.cast(labels, dtypes.int64)._v)
    pre = np.asarray(m.cast(predictions, dtypes.int64)._v)
    if lab.shape != pre.shape:
        raise errors.invalid_argument(
            f"Shapes of all inputs must match: values[0].shape = {_fmt(lab.shape)} != "
            f"values[1].shape = {_fmt(pre.shape)}", "Pack")
    for what, v in (("labels", lab), ("predictions", pre)):
        if v.size and v.min() < 0:
            raise errors.invalid_argument(f"`{what}` contains negative values.  Condition x >= 0 "
                                          "did not hold element-wise.")
    if num_classes is None:
        n = int(max(lab.max(), pre.max())) + 1 if lab.size else 0
    else:
        n = _int_scalar(num_classes)
        for what, v in (("labels", lab), ("predictions", pre)):
            if v.size and v.max() >= n:
                raise errors.invalid_argument(f"`{what}` out of bound  Condition x < y did not "
                                              "hold.")
    dt = dtypes.as_dtype(dtype)
    if weights is None:
        w = tensor_of(np.ones(lab.shape, dtype=dt._np))
    else:
        w = m.cast(convert_to_tensor(weights), dt)
        if w._v.shape != lab.shape:
            raise ValueError(f"Shapes {TensorShape(lab.shape)} and {TensorShape(w._v.shape)} are "
                             "incompatible")
    ix = tensor_of(np.stack([lab.reshape(-1), pre.reshape(-1)], axis=1))
    return bind(_scatter_nd, ix, reshape(w, [-1]), shape=(n, n), batch_dims=0)
