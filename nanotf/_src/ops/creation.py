"""Creation ops: fill, zeros, ones, eye, range, linspace, meshgrid, one_hot, sequence_mask."""

from __future__ import annotations

import builtins

from nanotf._src import dtypes, errors
from nanotf._src.backend import np
from nanotf._src.dispatch import bind, primitive, same_dtype
from nanotf._src.ops import math as m
from nanotf._src.ops.array import _abstract, _attr_error, _ints, broadcast_to, expand_dims, reshape
from nanotf._src.ops.indexing import getitem
from nanotf._src.ops.movement import concat
from nanotf._src.tensor import Tensor, convert_to_tensor, tensor_of

# =============================== fill / zeros / ones / eye ===============================


@primitive("Fill", nondiff=True)
def _fill(xp, value, shape):
    return xp.full(shape, value, dtype=value.dtype)


def fill(dims, value, name=None, dtype=None) -> Tensor:
    """A tensor of shape `dims` filled with `value`.

    Example:
      >>> tf.fill([2], 7)
      <tf.Tensor: shape=(2,), dtype=int32, numpy=array([7, 7], dtype=int32)>
    """
    v = convert_to_tensor(value, dtype=dtype)
    shape = tuple(_ints(dims))
    for d in shape:
        if d < 0:
            raise errors.invalid_argument(f"Dimension {d} must be >= 0", "Fill")
    return bind(_fill, v, shape=shape)


def zeros(shape, dtype=dtypes.float32, name=None, layout=None) -> Tensor:
    """A tensor of zeros (float32 by default); `shape` may be a list, TensorShape or int tensor.

    Example: `tf.zeros([2, 3])`.
    """
    d = dtypes.as_dtype(dtype)
    return fill(shape, b"" if d == dtypes.string else False if d.is_bool else 0, dtype=d)


def ones(shape, dtype=dtypes.float32, name=None, layout=None) -> Tensor:
    """A tensor of ones (float32 by default); `shape` may be a list, TensorShape or int tensor.

    Example: `tf.ones([2, 3])`.
    """
    d = dtypes.as_dtype(dtype)
    return fill(shape, True if d.is_bool else 1, dtype=d)


def eye(num_rows, num_columns=None, batch_shape=None, dtype=dtypes.float32, name=None) -> Tensor:
    """An identity matrix (or a batch of them).

    Example: `tf.eye(2)` is [[1., 0.], [0., 1.]].
    """
    d = dtypes.as_dtype(dtype)
    a = np.eye(int(num_rows), None if num_columns is None else int(num_columns), dtype=d._np)
    if batch_shape is not None:
        a = np.broadcast_to(a, tuple(_ints(batch_shape)) + a.shape).copy()
    return tensor_of(a)


# =============================== range / linspace / meshgrid ===============================


def _num(v) -> str:
    """A scalar as TF's C++ kernels print it (`5`, `5.5`)."""
    v = v.item() if hasattr(v, "item") else v
    return str(int(v)) if isinstance(v, (int, np.integer)) or float(v).is_integer() else f"{v:g}"


@primitive("Range", nondiff=True)
def _range(xp, start, limit, delta):
    s, lim, d = start[()], limit[()], delta[()]
    if d == 0:
        raise errors.invalid_argument(f"Requires delta != 0: {_num(d)}", "Range")
    if d > 0 and s > lim:
        raise errors.invalid_argument(
            f"Requires start <= limit when delta > 0: {_num(s)}/{_num(lim)}", "Range")
    if d < 0 and s < lim:
        raise errors.invalid_argument(
            f"Requires start >= limit when delta < 0: {_num(s)}/{_num(lim)}", "Range")
    dt = start.dtype
    if dt.kind in "iu":
        n = -(-abs(int(lim) - int(s)) // abs(int(d)))
    else:
        n = int(np.ceil(np.abs((lim - s) / d)))
    # TF computes start + i * delta in the output dtype (no accumulated rounding)
    return (s + xp.arange(n, dtype=dt) * d).astype(dt, copy=False)


_range.shape_fn = lambda ins, attrs: [_abstract((None,), ins[0]._v.dtype)]
_RANGE_ORDER = ("int32", "int64", "float16", "bfloat16", "float32", "float64")
_RANGE_TYPES = ("bfloat16, half, float, double, int8, int16, int32, int64, uint16, uint32, "
                "uint64")


def range(start, limit=None, delta=1, dtype=None, name="range") -> Tensor:  # noqa: A001
    """A 1-D tensor `[start, start + delta, ...]` stopping before `limit`.

    With `dtype=None` the dtype is the widest of the arguments' (int32 < int64 < float32 <
    float64), so `tf.range(5)` is int32 and `tf.range(5.)` float32.

    Example:
      >>> tf.range(1, 10, 3)
      <tf.Tensor: shape=(3,), dtype=int32, numpy=array([1, 4, 7], dtype=int32)>
    """
    if limit is None:
        start, limit = 0, start
    args = (start, limit, delta)
    if dtype is None and all(type(a) is int and -2**31 <= a < 2**31 for a in args):
        # the common tf.range(n): int32 scalars without the general conversion
        return bind(_range, *[tensor_of(np.array(a, np.int32)) for a in args])
    if dtype is not None:
        dt = dtypes.as_dtype(dtype)
        ts = [m.cast(a, dt) if isinstance(a, Tensor) else convert_to_tensor(a, dtype=dt)
              for a in args]
    else:
        ts = [a if isinstance(a, Tensor) else convert_to_tensor(a) for a in args]
        names = [t.dtype.name for t in ts]
        best = max(names, key=lambda n: _RANGE_ORDER.index(n) if n in _RANGE_ORDER
                            else -1)
        dt = dtypes.as_dtype(best)
        ts = [m.cast(t, dt) for t in ts]
    if dt.name not in _RANGE_ORDER and dt.name not in ("int8", "int16", "uint16", "uint32",
                                                       "uint64"):
        raise _attr_error("Tidx", dt, _RANGE_TYPES, "Range")
    return bind(_range, *ts)


def linspace(start, stop, num, name=None, axis=0) -> Tensor:
    """`num` evenly spaced values from `start` to `stop` inclusive (integers give float64).

    `start` and `stop` may be tensors: the values then run along `axis`.

    Example:
      >>> tf.linspace(0., 1., 5).numpy()
      array([0.  , 0.25, 0.5 , 0.75, 1.  ], dtype=float32)
    """
    s = convert_to_tensor(start)
    e = convert_to_tensor(stop, dtype=s.dtype)
    nt = num if isinstance(num, Tensor) else convert_to_tensor(num)
    if not nt.dtype.is_integer:
        raise TypeError(f"Argument `tensor` (name: num) must be of type integer. Received "
                        f"`tensor` = {num} of dtype: {nt.dtype}")
    n = int(nt._v)
    if n < 0:
        raise errors.invalid_argument("Requires start <= limit when delta > 0: 1/-1", "Range")
    s, e = expand_dims(s, axis), expand_dims(e, axis)
    steps = max(n - 1, 1)
    # TF's formula, kept for bit-identical values: start + delta * [1 .. n-2], then both ends
    delta = m.truediv(m.subtract(e, s), m.cast(steps, e.dtype))
    s, e = m.cast(s, delta.dtype), m.cast(e, delta.dtype)
    nd = s._v.ndim
    ax = axis % nd
    rshape = [1] * nd
    rshape[ax] = max(n - 2, 0)
    ramp = tensor_of(np.arange(1, steps, dtype=delta.dtype._np).reshape(rshape))
    out = concat([s, m.add(s, m.multiply(delta, ramp)), e], axis=ax)
    if out._v.shape[ax] != n:
        key = tuple(slice(None, n) if i == ax else slice(None) for i in builtins.range(nd))
        out = getitem(out, key)
    return out


def meshgrid(*args, **kwargs) -> list:
    """Coordinate grids from 1-D coordinate vectors ('xy' Cartesian or 'ij' matrix indexing).

    Example:
      >>> x, y = tf.meshgrid([1, 2, 3], [4, 5])
      >>> x.shape
      TensorShape([2, 3])
    """
    indexing = kwargs.pop("indexing", "xy")
    kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"'{next(iter(kwargs))}' is an invalid keyword argument for this function")
    if indexing not in ("xy", "ij"):
        raise ValueError(f"Argument `indexing` parameter must be either 'xy' or 'ij', got "
                         f"'{indexing}'")
    xs = [reshape(convert_to_tensor(a), [-1]) for a in args]
    if not xs:
        return []
    for x in xs[1:]:
        if x._v.dtype != xs[0]._v.dtype:  # TF multiplies each grid by ones of the first's dtype
            same_dtype("Mul", x, xs[0])
    n = len(xs)
    full = [x._v.shape[0] for x in xs]
    swap = indexing == "xy" and n > 1
    if swap:
        full[0], full[1] = full[1], full[0]
    out = []
    for i, x in enumerate(xs):
        s = [1] * n
        s[(1 - i if i < 2 else i) if swap else i] = -1
        out.append(broadcast_to(reshape(x, s), full))
    return out


# =============================== one_hot / sequence_mask ===============================


@primitive("OneHot", nondiff=True)
def _one_hot(xp, indices, on, off, depth, axis):
    idx = indices.astype(np.int64)
    r = (idx[..., None] == xp.arange(depth)).astype(on.dtype)
    out = xp.where(r.astype(bool), on, off).astype(on.dtype)
    if axis != -1 and axis != idx.ndim:
        out = xp.moveaxis(out, -1, axis)
    return out


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None,
            name=None) -> Tensor:
    """One-hot encodes `indices` into vectors of length `depth` (float32 by default).

    Out-of-range indices give all-`off_value` rows, as in TF.

    Example:
      >>> tf.one_hot([0, 2], depth=3)
      <tf.Tensor: shape=(2, 3), dtype=float32, numpy=
      array([[1., 0., 0.],
             [0., 0., 1.]], dtype=float32)>
    """
    ix = convert_to_tensor(indices)
    if ix._v.dtype.kind not in "iu":
        raise TypeError(f"Value passed to parameter 'indices' has DataType {ix.dtype.name} not in "
                        f"list of allowed values: uint8, int8, int32, int64")
    if dtype is not None:
        dt = dtypes.as_dtype(dtype)
    elif on_value is not None:
        dt = convert_to_tensor(on_value).dtype
    elif off_value is not None:
        dt = convert_to_tensor(off_value).dtype
    else:
        dt = dtypes.float32
    on = convert_to_tensor(1 if on_value is None else on_value, dtype=dt)
    off = convert_to_tensor(0 if off_value is None else off_value, dtype=dt)
    ax = -1 if axis is None else int(axis)
    return bind(_one_hot, ix, on, off, depth=int(depth), axis=ax)


@primitive("SequenceMask", nondiff=True)
def _sequence_mask(xp, lengths, maxlen, dtype):
    lim = maxlen[()]
    if lim < 0:
        raise errors.invalid_argument(f"Requires start <= limit when delta > 0: 0/{_num(lim)}",
                                      "Range")
    row = xp.arange(0, lim, 1, dtype=maxlen.dtype)
    r = row < lengths.astype(maxlen.dtype)[..., None]
    return r if dtype == np.bool_ else r.astype(dtype)


_sequence_mask.shape_fn = lambda ins, attrs: [_abstract(
    tuple(ins[0]._v.shape) + (None if ins[1]._symbolic else int(ins[1]._v),), attrs["dtype"])]


def sequence_mask(lengths, maxlen=None, dtype=dtypes.bool, name=None) -> Tensor:
    """A mask `[..., maxlen]` that is true in the first `lengths[...]` positions of each row.

    `maxlen` defaults to the largest length.

    Example:
      >>> tf.sequence_mask([1, 3], 4)
      <tf.Tensor: shape=(2, 4), dtype=bool, numpy=
      array([[ True, False, False, False],
             [ True,  True,  True, False]])>
    """
    ln = convert_to_tensor(lengths)
    if maxlen is None:
        mx = m.maximum(m.reduce_max(ln), 0)
    else:
        mx = convert_to_tensor(maxlen)
        if mx._v.ndim != 0:
            raise ValueError(f"Argument `maxlen` must be scalar for sequence_mask, received "
                             f"`maxlen` = {maxlen} with shape '{mx.shape}' instead")
    return bind(_sequence_mask, ln, mx, dtype=dtypes.as_dtype(dtype)._np)
