"""Shape and movement ops: reshape, transpose, concat, slicing, gather/scatter, pad, tile, sorting,
segment reductions and clipping.

A movement op's gradient is the inverse movement; scatter and gather are each other's VJP.
"""

from __future__ import annotations

import builtins
import math as _math
from collections import namedtuple

from nanotf._src import dtypes, errors
from nanotf._src.backend import np
from nanotf._src.dispatch import bind, primitive, same_dtype
from nanotf._src.ops import math as m
from nanotf._src.tensor import Tensor, convert_to_tensor, tensor_of
from nanotf._src.tensor_shape import TensorShape

# `slice` and `range` are TF names defined below
_pyslice = builtins.slice
_pyrange = builtins.range
_TF_NAMES = {"float32": "float", "float64": "double", "float16": "half"}
_INDEX_TYPES = "int16, int32, int64"


def _tfname(dt) -> str:
    """TF's C++ name of a dtype, as its kernel messages print it ('float' for float32)."""
    name = dtypes.from_numpy(dt).name if not isinstance(dt, dtypes.DType) else dt.name
    return _TF_NAMES.get(name, name)


def _attr_error(attr: str, dt, allowed: str, op: str):
    return errors.invalid_argument(
        f"Value for attr '{attr}' of {_tfname(dt)} is not in the list of allowed values: {allowed}",
        op)


def _fmt(shape) -> str:
    """A shape as TF's kernels print it: `[2,3]` (`?` for unknown dims)."""
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


def _ints(v) -> list:
    """A shape-like value (list, tuple, TensorShape, Tensor, array) as a list of ints."""
    if isinstance(v, Tensor):
        return [int(d) for d in np.asarray(v._v).reshape(-1)]
    if isinstance(v, TensorShape):
        return v.as_list()
    if isinstance(v, (int, np.integer)):
        return [int(v)]
    out = []
    for d in v:
        if isinstance(d, Tensor):
            d = d._v
        if d is None:
            raise ValueError("Attempt to convert a value (None) with an unsupported type "
                             "(<class 'NoneType'>) to a Tensor.")
        if isinstance(d, (float, np.floating)):
            raise TypeError(f"Cannot convert {list(v)!r} to EagerTensor of dtype int32")
        out.append(int(d))
    return out


def _int_list(v, op: str, attr: str, allowed: str = "int32, int64") -> list:
    """An integer vector argument (list, int, Tensor) as Python ints; floats raise TF's error."""
    if isinstance(v, (list, tuple)) and all(type(d) is int for d in v):
        return list(v)
    if isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)):
        return [int(v)]
    t = v if isinstance(v, Tensor) else convert_to_tensor(v)
    if t._v.dtype.kind not in "iu":
        raise _attr_error(attr, t._v.dtype, allowed, op)
    return np.asarray(t._v).reshape(-1).tolist()


def _int_scalar(v) -> int:
    if isinstance(v, Tensor):
        return int(v._v)
    return int(v)


def _index_tensor(v, op: str, allowed: str = _INDEX_TYPES) -> Tensor:
    t = v if isinstance(v, Tensor) else convert_to_tensor(v)
    if t._v.dtype.kind not in "iu":
        raise _attr_error("Tindices", t._v.dtype, allowed, op)
    return t


def _same_dtype(op: str, *ts) -> None:
    """TF's error for tensors of different dtypes, with its C++ dtype names."""
    d0 = ts[0]._v.dtype
    for i, t in enumerate(ts[1:], 1):
        if t._v.dtype != d0:
            raise errors.invalid_argument(
                f"cannot compute {op} as input #{i}(zero-based) was expected to be a "
                f"{_tfname(d0)} tensor but is a {_tfname(t._v.dtype)} tensor", op)


def _abstract(shape, dtype):
    from nanotf._src.graph import AbstractArray  # late: graph imports the ops

    return AbstractArray(shape, dtype)


# =============================== reshape family ===============================


@primitive("Reshape")
def _reshape(xp, x, shape):
    return xp.reshape(x, shape)


_reshape.defvjp(lambda g, out, x, shape: _reshape(g, shape=x._v.shape))


def reshape(tensor, shape, name=None) -> Tensor:
    """Reshapes `tensor` to `shape`; one dim may be -1 (inferred).

    Example:
      >>> tf.reshape(tf.range(6), [2, -1]).shape
      TensorShape([2, 3])
    """
    x = tensor if isinstance(tensor, Tensor) else convert_to_tensor(tensor)
    if isinstance(shape, tuple) and all(type(d) is int for d in shape):
        dims = shape
    else:
        dims = tuple(_ints(shape))
    if x._symbolic:
        return bind(_reshape, x, shape=dims)
    size = x._v.size
    known = 1
    unknown = 0
    for d in dims:
        if d == -1:
            unknown += 1
        elif d < 0:
            raise errors.invalid_argument(f"Size {dims.index(d)} must be non-negative, not {d}",
                                          "Reshape")
        else:
            known *= d
    if unknown > 1:
        raise errors.invalid_argument(
            f"Only one input size may be -1, not both 0 and {dims.index(-1, dims.index(-1) + 1)}",
            "Reshape")
    if (unknown and (known == 0 or size % known)) or (not unknown and known != size):
        raise errors.invalid_argument(
            f"Input to reshape is a tensor with {size} values, but the requested shape "
            + (f"requires a multiple of {known}" if unknown else f"has {known}"), "Reshape")
    if x._v.shape == dims:
        return x
    return bind(_reshape, x, shape=dims)


def expand_dims(input, axis, name=None) -> Tensor:  # noqa: A002
    """Inserts a dimension of size 1 at `axis`.

    Example:
      >>> tf.expand_dims(tf.constant([1, 2]), 0).shape
      TensorShape([1, 2])
    """
    x = convert_to_tensor(input)
    nd = x._v.ndim
    a = int(axis[0] if isinstance(axis, (list, tuple)) else axis)
    if not -nd - 1 <= a <= nd:
        raise errors.invalid_argument(
            f"Tried to expand dim index {a} for tensor with {nd} dimensions.", "ExpandDims")
    if a < 0:
        a += nd + 1
    shape = list(x._v.shape)
    shape.insert(a, 1)
    return bind(_reshape, x, shape=tuple(shape))


def squeeze(input, axis=None, name=None) -> Tensor:  # noqa: A002
    """Removes dimensions of size 1 (all of them, or those in `axis`).

    Example:
      >>> tf.squeeze(tf.zeros([1, 2, 1])).shape
      TensorShape([2])
    """
    x = convert_to_tensor(input)
    shape = x._v.shape
    if axis is None:
        new = tuple(d for d in shape if d != 1)
    else:
        axes = [int(a) % max(len(shape), 1) for a in (axis if isinstance(axis, (list, tuple))
                                                      else [axis])]
        for a in axes:
            if shape[a] != 1:
                raise errors.invalid_argument(
                    f"Can not squeeze dim[{a}], expected a dimension of 1, got {shape[a]}",
                    "Squeeze")
        new = tuple(d for i, d in enumerate(shape) if i not in axes)
    return bind(_reshape, x, shape=new)


@primitive("Transpose")
def _transpose(xp, x, perm):
    return xp.transpose(x, perm)


_transpose.defvjp(lambda g, out, x, perm: _transpose(g, perm=tuple(np.argsort(perm).tolist())))


def transpose(a, perm=None, conjugate=False, name="transpose") -> Tensor:
    """Permutes the dimensions of `a` (reverses them when `perm` is None).

    Example:
      >>> tf.transpose(tf.zeros([2, 3])).shape
      TensorShape([3, 2])
    """
    x = convert_to_tensor(a)
    nd = x._v.ndim
    p = tuple(_pyrange(nd - 1, -1, -1)) if perm is None else tuple(i % nd if nd else 0
                                                                   for i in _ints(perm))
    if sorted(p) != list(_pyrange(nd)):
        raise errors.invalid_argument(f"transpose expects a vector of size {nd}. But input(1) is "
                                      f"a vector of size {len(p)}", "Transpose")
    r = bind(_transpose, x, perm=p)
    return m.conj(r) if conjugate else r


@primitive("BroadcastTo")
def _broadcast_to(xp, x, shape):
    return xp.broadcast_to(x, shape)


_broadcast_to.defvjp(lambda g, out, x, shape: g)  # the engine sums g down to x's shape


def broadcast_to(input, shape, name=None) -> Tensor:  # noqa: A002
    """Broadcasts `input` to `shape`.

    Example:
      >>> tf.broadcast_to(tf.constant([1, 2]), [2, 2]).shape
      TensorShape([2, 2])
    """
    x = convert_to_tensor(input)
    shape = tuple(_ints(shape))
    if x._v.shape == shape:
        return x
    return bind(_broadcast_to, x, shape=shape)


# =============================== creation ===============================


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


def identity(input, name=None) -> Tensor:  # noqa: A002
    """Returns a tensor with the same value (a new tensor, differentiable).

    Example: `tf.identity(tf.constant(1.0))`.
    """
    return bind(_identity, convert_to_tensor(input))


@primitive("Identity", "unary")
def _identity(xp, x):
    return x


_identity.defvjp(lambda g, out, x: g)


@primitive("StopGradient", "unary", nondiff=True)
def stop_gradient(xp, x):
    """Returns `input` unchanged, but blocks gradients from flowing through it.

    Example: `tf.stop_gradient(x)` in a loss treats `x` as a constant.
    """
    return x


def shape(input, out_type=dtypes.int32, name=None) -> Tensor:  # noqa: A002
    """The shape of `input` as a 1-D int32 tensor.

    Example: `tf.shape(tf.zeros([2, 3]))` is [2, 3].
    """
    x = convert_to_tensor(input)
    if x._symbolic:
        return bind(_shape, x, out_type=dtypes.as_dtype(out_type)._np)
    return tensor_of(np.array(x._v.shape, dtype=dtypes.as_dtype(out_type)._np))


@primitive("Shape", "unary", nondiff=True)
def _shape(xp, x, out_type):
    return xp.array(x.shape, dtype=out_type)


def size(input, out_type=dtypes.int32, name=None) -> Tensor:  # noqa: A002
    """The number of elements of `input`, as a scalar int32 tensor.

    Example: `tf.size(tf.zeros([2, 3]))` is 6.
    """
    x = convert_to_tensor(input)
    return tensor_of(np.array(x._v.size, dtype=dtypes.as_dtype(out_type)._np))


def rank(input, name=None) -> Tensor:  # noqa: A002
    """The number of dimensions of `input`, as a scalar int32 tensor.

    Example: `tf.rank(tf.zeros([2, 3]))` is 2.
    """
    x = convert_to_tensor(input)
    return tensor_of(np.array(x._v.ndim, dtype=np.int32))


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
        n = -(-builtins.abs(int(lim) - int(s)) // builtins.abs(int(d)))
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
        best = builtins.max(names, key=lambda n: _RANGE_ORDER.index(n) if n in _RANGE_ORDER
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
    steps = builtins.max(n - 1, 1)
    # TF's formula, kept for bit-identical values: start + delta * [1 .. n-2], then both ends
    delta = m.truediv(m.subtract(e, s), m.cast(steps, e.dtype))
    s, e = m.cast(s, delta.dtype), m.cast(e, delta.dtype)
    nd = s._v.ndim
    ax = axis % nd
    rshape = [1] * nd
    rshape[ax] = builtins.max(n - 2, 0)
    ramp = tensor_of(np.arange(1, steps, dtype=delta.dtype._np).reshape(rshape))
    out = concat([s, m.add(s, m.multiply(delta, ramp)), e], axis=ax)
    if out._v.shape[ax] != n:
        key = tuple(_pyslice(None, n) if i == ax else _pyslice(None) for i in _pyrange(nd))
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
            _same_dtype("Mul", x, xs[0])
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


# =============================== concat / split / stack ===============================


@primitive("ConcatV2")
def _concat(xp, *xs, axis):
    return xp.concatenate(xs, axis=axis)


def _concat_vjp(g, out, *xs, axis):
    sizes = [x._v.shape[axis] for x in xs]
    return list(bind(_split, g, axis=axis, sizes=tuple(sizes)))


_concat.vjps = _concat_vjp  # one rule for all inputs (variadic)


def concat(values, axis, name="concat") -> Tensor:
    """Joins tensors along an existing dimension `axis`.

    Example:
      >>> tf.concat([tf.zeros([1, 2]), tf.ones([1, 2])], axis=0).shape
      TensorShape([2, 2])
    """
    xs = [convert_to_tensor(v) for v in values]
    if not xs:
        raise ValueError("List argument 'values' to 'ConcatV2' Op with length 0 shorter than "
                         "minimum length 1.")
    same_dtype("ConcatV2", *xs)
    nd = xs[0]._v.ndim
    a = int(axis)
    if not -nd <= a < builtins.max(nd, 1) or nd == 0:
        raise errors.invalid_argument(
            f"ConcatOp : Expected concatenating dimensions in the range [{-nd}, {nd}), but got "
            f"{a}", "ConcatV2")
    a %= nd
    for x in xs[1:]:
        s0, s1 = xs[0]._v.shape, x._v.shape
        if len(s0) != len(s1) or any(p != q for i, (p, q) in enumerate(zip(s0, s1)) if i != a):
            raise errors.invalid_argument(
                f"ConcatOp : Dimension mismatch in concatenation: shapes "
                f"{list(s0)} vs. {list(s1)} along axis {a}", "ConcatV2")
    if len(xs) == 1:
        return xs[0]
    return bind(_concat, *xs, axis=a)


@primitive("SplitV", nout=-1)
def _split(xp, x, axis, sizes):
    idx = np.cumsum(sizes)[:-1].tolist()
    return tuple(xp.split(x, idx, axis=axis))


_split.defvjp(lambda g, out, x, axis, sizes: _concat(*g, axis=axis))


def split(value, num_or_size_splits, axis=0, num=None, name="split") -> list:
    """Splits `value` along `axis` into equal parts (an int) or parts of given sizes (a list).

    One size may be -1: it takes what the others leave.

    Example:
      >>> [t.shape[0] for t in tf.split(tf.range(6), [1, -1, 2])]
      [1, 3, 2]
    """
    x = convert_to_tensor(value)
    s = num_or_size_splits
    if isinstance(s, Tensor) and s._v.ndim == 0:
        raise ValueError("Rank-0 tensors are not supported as the num_or_size_splits argument to "
                         f"split. Argument provided: {s!s}")
    nd = x._v.ndim
    a = _int_scalar(axis)
    if isinstance(s, (int, np.integer)):
        op = "Split"
    else:
        op = "SplitV"
        sizes = _int_list(s, op, "Tlen", "int8, int32, int64")
    if not -nd <= a < nd:
        raise errors.invalid_argument(
            f"-input rank(-{nd}) <= split_dim < input rank ({nd}), but got {a}", op)
    a %= nd
    n = x._v.shape[a]
    if op == "Split":
        k = int(s)
        if k < 1:
            raise errors.invalid_argument(f"Value for attr 'num_split' of {k} must be at least "
                                          "minimum 1", op)
        if n % k:
            raise errors.invalid_argument(
                "Number of ways to split should evenly divide the split dimension, but got "
                f"split_dim {a} (size = {n}) and num_split {k}", op)
        sizes = [n // k] * k
    else:
        sizes = _split_sizes(sizes, n)
    if len(sizes) == 1:
        return [identity(x)]
    return list(bind(_split, x, axis=a, sizes=tuple(sizes)))


def _split_sizes(sizes: list, n: int) -> list:
    free = -1
    for i, v in enumerate(sizes):
        if v == -1:
            if free >= 0:
                raise errors.invalid_argument("There can only be one -1 in the input.", "SplitV")
            free = i
        elif v < 0:
            raise errors.invalid_argument(f"Split size at index {i} must be >= 0. Got: {v}",
                                          "SplitV")
    known = builtins.sum(v for v in sizes if v != -1)
    if known != n and (free < 0 or known > n):
        raise errors.invalid_argument(
            "Determined shape must either match input shape along split_dim exactly if fully "
            "specified, or be less than the size of the input along split_dim if not fully "
            f"specified.  Got: {known}", "SplitV")
    if free >= 0:
        sizes = list(sizes)
        sizes[free] = n - known
    return sizes


def stack(values, axis=0, name="stack") -> Tensor:
    """Stacks tensors of equal shape along a new dimension `axis`.

    Example:
      >>> tf.stack([tf.constant([1, 2]), tf.constant([3, 4])]).shape
      TensorShape([2, 2])
    """
    xs = [convert_to_tensor(v) for v in values]
    if not xs:
        raise ValueError("values must not be empty")
    shape0 = xs[0]._v.shape
    for i, x in enumerate(xs[1:], 1):
        if x._v.shape != shape0:
            raise errors.invalid_argument(
                f"Shapes of all inputs must match: values[0].shape = {_fmt(shape0)} != "
                f"values[{i}].shape = {_fmt(x._v.shape)}", "Pack")
    nd = len(shape0) + 1
    a = int(axis)
    if not -nd <= a < nd:
        raise ValueError(f"Argument `axis` = {a} not in range [{-nd}, {nd})")
    a %= nd
    return concat([expand_dims(x, a) for x in xs], axis=a) if len(xs) > 1 \
        else expand_dims(xs[0], a)


@primitive("Unpack", nout=-1)
def _unpack(xp, x, axis):
    return tuple(xp.moveaxis(x, axis, 0).copy())  # copies: a Variable's array may change later


_unpack.defvjp(lambda g, out, x, axis: stack(list(g), axis=axis))


def unstack(value, num=None, axis=0, name="unstack") -> list:
    """Splits `value` along `axis` into a list of tensors of one less rank.

    Example:
      >>> [t.numpy().tolist() for t in tf.unstack(tf.constant([[1, 2], [3, 4]]), axis=1)]
      [[1, 3], [2, 4]]
    """
    x = convert_to_tensor(value)
    nd = x._v.ndim
    a = _int_scalar(axis)
    if not -nd <= a < nd:
        raise ValueError(f"Argument `axis` = {a} not in range [{-nd}, {nd})")
    a %= nd
    n = x._v.shape[a]
    if n is None:
        raise ValueError(f"Cannot infer argument `num` from shape {x.shape}")
    if num is not None and int(num) != n:
        raise errors.invalid_argument(
            f"Input shape axis {a} must equal {int(num)}, got shape {_fmt(x._v.shape)}", "Unpack")
    if n == 1:
        return [squeeze(x, a)]
    return list(bind(_unpack, x, axis=a)) if n else []


# =============================== slicing ===============================


def _decode(key):
    """A hashable slicing key (slices stored as 3-tuples) as a NumPy index."""
    return tuple(_pyslice(*k) if type(k) is tuple else k for k in key)


@primitive("StridedSlice")
def _strided_slice(xp, x, key):
    return x[_decode(key)]


def _slice_vjp(g, out, x, key):
    return bind(_slice_grad, g, key=key, shape=x._v.shape)


_strided_slice.defvjp(_slice_vjp)


@primitive("StridedSliceGrad")
def _slice_grad(xp, g, key, shape):
    z = xp.zeros(shape, dtype=g.dtype)
    z[_decode(key)] = g
    return z


_slice_grad.defvjp(lambda gg, out, g, key, shape: _strided_slice(gg, key=key))

_BAD_INDEX = ("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
              "tf.int32/tf.int64 tensors are valid indices, got ")


def _norm_key(key, shape):
    """Validates a __getitem__ key and encodes it hashably (a slice becomes a 3-tuple)."""
    if type(key) is not tuple:
        key = tuple(key) if isinstance(key, list) else (key,)
    nd = len(shape)
    n_real = 0
    for k in key:
        if k is not None and k is not Ellipsis:
            n_real += 1
    if nd == 0 and n_real:
        raise errors.invalid_argument("Attempting to slice scalar input.", "StridedSlice")
    out = []
    dim = done = 0
    ellipsis = False
    for k in key:
        if k is None:
            out.append(None)
            continue
        if k is Ellipsis:
            if ellipsis:
                raise errors.invalid_argument("Multiple ellipses in slice spec not allowed",
                                              "StridedSlice")
            ellipsis = True
            out.append(k)
            dim = builtins.max(dim, nd - (n_real - done))
            continue
        done += 1
        if dim >= nd:
            raise errors.invalid_argument(
                f"Index out of range using input dim {dim}; input has only {nd} dims",
                "StridedSlice")
        if type(k) is _pyslice:
            step = None if k.step is None else _index(k.step)
            if step == 0:
                raise errors.invalid_argument(f"strides[{dim}] must be non-zero", "StridedSlice")
            out.append((None if k.start is None else _index(k.start),
                        None if k.stop is None else _index(k.stop), step))
        else:
            i = _index(k)
            n = shape[dim]
            if n is not None and not -n <= i < n:
                raise errors.invalid_argument(
                    f"slice index {i + n if i < 0 else i} of dimension {dim} out of bounds.",
                    "StridedSlice")
            out.append(i)
        dim += 1
    return tuple(out)


def _index(v) -> int:
    if isinstance(v, Tensor):
        if v._v.dtype.kind not in "iu" or v._v.ndim:
            raise TypeError(_BAD_INDEX + repr(v))
        return int(v._v)
    try:
        return v.__index__()
    except (AttributeError, TypeError):
        raise TypeError(_BAD_INDEX + repr(v)) from None


def getitem(tensor, key) -> Tensor:
    """`tensor[key]`: ints, slices (negative steps too), `...`, `tf.newaxis`, scalar int tensors.

    A bool tensor or NumPy bool array key selects with `tf.boolean_mask`.

    Example:
      >>> tf.constant([[1, 2, 3], [4, 5, 6]])[:, ::-2]
      <tf.Tensor: shape=(2, 2), dtype=int32, numpy=
      array([[3, 1],
             [6, 4]], dtype=int32)>
    """
    x = tensor if isinstance(tensor, Tensor) else convert_to_tensor(tensor)
    if isinstance(key, (bool, np.bool_)) or (isinstance(key, (Tensor, np.ndarray))
                                             and key.dtype == np.bool_):
        return boolean_mask(x, key)
    r = bind(_strided_slice, x, key=_norm_key(key, x._v.shape))
    if x._is_variable and not r._symbolic and getattr(r._v, "base", None) is not None:
        r._v = r._v.copy()  # a snapshot: the variable's array is updated in place
    return r


def slice(input_, begin, size, name=None) -> Tensor:  # noqa: A001
    """Extracts a slice of `size` starting at `begin` (-1 in `size` means 'to the end').

    Example: `tf.slice(tf.range(5), [1], [3])` is [1, 2, 3].
    """
    x = convert_to_tensor(input_)
    b, s = _ints(begin), _ints(size)
    for i, (bi, si, n) in enumerate(zip(b, s, x._v.shape)):
        if n is None:
            continue
        if not 0 <= bi <= n:
            raise errors.invalid_argument(f"Expected begin[{i}] in [0, {n}], but got {bi}",
                                          "Slice")
        if si != -1 and not 0 <= si <= n - bi:
            raise errors.invalid_argument(f"Expected size[{i}] in [0, {n - bi}], but got {si}",
                                          "Slice")
    key = tuple((bi, None if si == -1 else bi + si, None) for bi, si in zip(b, s))
    return bind(_strided_slice, x, key=key)


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0,
                  new_axis_mask=0, shrink_axis_mask=0, var=None, name=None) -> Tensor:
    """Strided slice with TF's bit masks (the op behind `tensor[...]`).

    Example: `tf.strided_slice(tf.range(6), [1], [5], [2])` is [1, 3].
    """
    x = convert_to_tensor(input_)
    b, e = _ints(begin), _ints(end)
    st = _ints(strides) if strides is not None else [1] * len(b)
    key = []
    for i, (bi, ei, si) in enumerate(zip(b, e, st)):
        bit = 1 << i
        if ellipsis_mask & bit:
            key.append(Ellipsis)
        elif new_axis_mask & bit:
            key.append(None)
        elif shrink_axis_mask & bit:
            key.append(bi)
        else:
            key.append(_pyslice(None if begin_mask & bit else bi, None if end_mask & bit else ei,
                                si))
    return getitem(x, tuple(key))


@primitive("ReverseV2")
def _reverse(xp, x, axis):
    return xp.flip(x, axis)


_reverse.defvjp(lambda g, out, x, axis: _reverse(g, axis=axis))


def reverse(tensor, axis, name=None) -> Tensor:
    """Reverses the dimensions listed in `axis` (a 1-D list).

    Example:
      >>> tf.reverse(tf.constant([[1, 2, 3]]), [1])
      <tf.Tensor: shape=(1, 3), dtype=int32, numpy=array([[3, 2, 1]], dtype=int32)>
    """
    x = convert_to_tensor(tensor)
    if isinstance(axis, (int, np.integer)) or (isinstance(axis, Tensor) and not axis._v.ndim):
        raise errors.invalid_argument("'dims' must be 1-dimension, not 0", "ReverseV2")
    nd = x._v.ndim
    axes = []
    for i, a in enumerate(_int_list(axis, "ReverseV2", "Tidx")):
        if not -nd <= a < nd:
            raise errors.invalid_argument(
                f"'axis'[{i}] = {a} is out of valid range [0, {nd - 1}", "ReverseV2")
        a %= nd
        if a in axes:
            raise errors.invalid_argument(f"axis {a} specified more than once.", "ReverseV2")
        axes.append(a)
    if not axes:
        return identity(x)
    return bind(_reverse, x, axis=tuple(axes))


@primitive("Roll")
def _roll(xp, x, shift, axis):
    return xp.roll(x, shift, axis)


_roll.defvjp(lambda g, out, x, shift, axis: _roll(g, shift=tuple(-s for s in shift), axis=axis))


def roll(input, shift, axis, name=None) -> Tensor:  # noqa: A002
    """Rolls elements along `axis` by `shift` (scalars or equal-length lists; shifts add up).

    Example:
      >>> tf.roll([0, 1, 2, 3, 4], shift=2, axis=0)
      <tf.Tensor: shape=(5,), dtype=int32, numpy=array([3, 4, 0, 1, 2], dtype=int32)>
    """
    x = convert_to_tensor(input)
    sh = _int_list(shift, "Roll", "Tshift")
    ax = _int_list(axis, "Roll", "Taxis")
    if len(sh) != len(ax):
        raise errors.invalid_argument("shift and axis must have the same size", "Roll")
    nd = x._v.ndim
    total: dict = {}
    for s, a in zip(sh, ax):
        if not -nd <= a < nd:
            raise errors.invalid_argument(f"axis {a} is out of range", "Roll")
        total[a % nd] = total.get(a % nd, 0) + s
    return bind(_roll, x, shift=tuple(total.values()), axis=tuple(total))


# =============================== tile / pad / repeat ===============================


@primitive("Tile")
def _tile(xp, x, multiples):
    return xp.tile(x, multiples)


def _tile_vjp(g, out, x, multiples):
    split_shape = []
    for k, d in zip(multiples, x._v.shape):
        split_shape += [k, d]
    return m.reduce_sum(reshape(g, split_shape), axis=tuple(_pyrange(0, len(split_shape), 2)))


_tile.defvjp(_tile_vjp)


def tile(input, multiples, name=None) -> Tensor:  # noqa: A002
    """Repeats `input` `multiples[i]` times along dimension i.

    Example:
      >>> tf.tile(tf.constant([[1, 2]]), [2, 2])
      <tf.Tensor: shape=(2, 4), dtype=int32, numpy=
      array([[1, 2, 1, 2],
             [1, 2, 1, 2]], dtype=int32)>
    """
    x = convert_to_tensor(input)
    mult = _int_list(multiples, "Tile", "Tmultiples")
    nd = x._v.ndim
    if len(mult) != nd:
        raise errors.invalid_argument(
            f"Expected multiples argument to be a vector of length {nd} but got length "
            f"{len(mult)}", "Tile")
    for i, k in enumerate(mult):
        if k < 0:
            raise errors.invalid_argument(f"Expected multiples[{i}] >= 0, but got {k}", "Tile")
    return bind(_tile, x, multiples=tuple(mult))


@primitive("PadV2")
def _pad(xp, x, c, paddings):
    shape = tuple(d + a + b for d, (a, b) in zip(x.shape, paddings))
    out = xp.full(shape, c, dtype=x.dtype)
    out[tuple(_pyslice(a, a + d) for d, (a, _) in zip(x.shape, paddings))] = x
    return out


def _pad_vjp(g, out, x, c, paddings):
    key = tuple((a, a + d, None) for d, (a, _) in zip(x._v.shape, paddings))
    return _strided_slice(g, key=key)


_pad.defvjp(_pad_vjp, None)


@primitive("MirrorPad")
def _mirror_pad(xp, x, paddings, mode):
    return xp.pad(x, paddings, mode="reflect" if mode == "REFLECT" else "symmetric")


_mirror_pad.defvjp(lambda g, out, x, paddings, mode:
                   _mirror_pad_grad(g, paddings=paddings, mode=mode))


@primitive("MirrorPadGrad")
def _mirror_pad_grad(xp, g, paddings, mode):
    off = 1 if mode == "REFLECT" else 0  # REFLECT skips the edge element, SYMMETRIC repeats it
    for ax, (a, b) in enumerate(paddings):
        if not (a or b):
            continue
        gm = xp.moveaxis(g, ax, 0)
        n = gm.shape[0] - a - b
        c = gm[a:a + n].copy()
        if a:
            c[off:off + a] += gm[:a][::-1]
        if b:
            c[n - off - b:n - off] += gm[a + n:][::-1]
        g = xp.moveaxis(c, 0, ax)
    return g


_mirror_pad_grad.defvjp(lambda gg, out, g, paddings, mode:
                        _mirror_pad(gg, paddings=paddings, mode=mode))


def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None) -> Tensor:
    """Pads `tensor`: `paddings[i] = [before, after]` for dimension i.

    `mode` is "CONSTANT" (with `constant_values`), "REFLECT" (mirror without the edge) or
    "SYMMETRIC" (mirror with the edge), case-insensitive.

    Example:
      >>> tf.pad(tf.constant([[1, 2]]), [[0, 0], [1, 1]])
      <tf.Tensor: shape=(1, 4), dtype=int32, numpy=array([[0, 1, 2, 0]], dtype=int32)>
    """
    x = convert_to_tensor(tensor)
    md = str(mode).upper()
    if md not in ("CONSTANT", "REFLECT", "SYMMETRIC"):
        raise ValueError('Value of argument `mode` expected to be one of "CONSTANT", "REFLECT", '
                         f'or "SYMMETRIC". Received `mode` = {mode}')
    op = "Pad" if md == "CONSTANT" else "MirrorPad"
    p = paddings if isinstance(paddings, Tensor) else convert_to_tensor(paddings)
    if p._v.dtype.kind not in "iu":
        raise _attr_error("Tpaddings", p._v.dtype, "int32, int64", op)
    pv = np.asarray(p._v)
    nd = x._v.ndim
    if pv.shape != (nd, 2):
        raise errors.invalid_argument(
            f"The first dimension of paddings must be the rank of inputs{_fmt(pv.shape)} "
            f"{_fmt(x._v.shape)}", op)
    pads = tuple((int(a), int(b)) for a, b in pv.tolist())
    for (a, b), d in zip(pads, x._v.shape):
        if a < 0 or b < 0:
            raise errors.invalid_argument(f"Paddings must be non-negative: {a} {b}", op)
        if d is None:
            continue
        if md == "REFLECT" and (a >= d or b >= d):
            raise errors.invalid_argument(
                f"paddings must be less than the dimension size: {a}, {b} not less than {d}", op)
        if md == "SYMMETRIC" and (a > d or b > d):
            raise errors.invalid_argument(
                f"paddings must be no greater than the dimension size: {a}, {b} greater than {d}",
                op)
    if md != "CONSTANT":
        return bind(_mirror_pad, x, paddings=pads, mode=md)
    c = constant_values if isinstance(constant_values, Tensor) \
        else convert_to_tensor(constant_values, dtype=x.dtype)
    return bind(_pad, x, c, paddings=pads)


def repeat(input, repeats, axis=None, name=None) -> Tensor:  # noqa: A002
    """Repeats each element `repeats` times along `axis` (the flattened input when None).

    Example:
      >>> tf.repeat([1, 2, 3], 2)
      <tf.Tensor: shape=(6,), dtype=int32, numpy=array([1, 1, 2, 2, 3, 3], dtype=int32)>
    """
    x = convert_to_tensor(input)
    if axis is None:
        x = reshape(x, [-1])
        ax = 0
    else:
        ax = _int_scalar(axis) % builtins.max(x._v.ndim, 1)
    r = np.asarray(_int_list(repeats, "Tile", "Tmultiples"), dtype=np.int64)
    n = x._v.shape[ax]
    if r.size == 1:
        r = np.full(n, r[0])
    elif r.size != n:
        raise ValueError(f"Dimensions {n} and {r.size} are not compatible")
    if r.size and r.min() < 0:
        raise errors.invalid_argument(f"Expected multiples[1] >= 0, but got {int(r.min())}",
                                      "Tile")
    idx = tensor_of(np.repeat(np.arange(n, dtype=np.int64), r))
    return bind(_gather, x, idx, axis=ax, batch_dims=0)


# =============================== gather ===============================


@primitive("GatherV2")
def _gather(xp, params, indices, axis, batch_dims):
    if indices.size and (indices.min() < -0 or indices.max() >= params.shape[axis]):
        bad = indices[(indices < 0) | (indices >= params.shape[axis])].reshape(-1)[0]
        raise IndexError(f"indices = {int(bad)} is not in [0, {params.shape[axis]})")
    if batch_dims:
        return _batched_take(xp, params, indices, axis, batch_dims)
    return xp.take(params, indices, axis=axis)


def _batched_take(xp, params, indices, axis, batch_dims):
    lead = params.shape[:batch_dims]
    n = int(np.prod(lead)) if lead else 1
    p = params.reshape((n,) + params.shape[batch_dims:])
    ix = indices.reshape((n,) + indices.shape[batch_dims:])
    outs = [xp.take(p[i], ix[i], axis=axis - batch_dims) for i in _pyrange(n)]
    r = xp.stack(outs) if outs else xp.zeros((0,), params.dtype)
    return r.reshape(lead + r.shape[1:])


def _gather_vjp(g, out, params, indices, axis, batch_dims):
    return bind(_gather_grad, g, indices, axis=axis, batch_dims=batch_dims,
                shape=params._v.shape)


_gather.defvjp(_gather_vjp, None)


@primitive("GatherGrad")
def _gather_grad(xp, g, indices, axis, batch_dims, shape):
    z = xp.zeros(shape, dtype=g.dtype)
    if batch_dims:
        lead = shape[:batch_dims]
        n = int(np.prod(lead)) if lead else 1
        zz = z.reshape((n,) + shape[batch_dims:])
        gg = g.reshape((n,) + g.shape[batch_dims:])
        ix = indices.reshape((n,) + indices.shape[batch_dims:])
        for i in _pyrange(n):
            zi = xp.moveaxis(zz[i], axis - batch_dims, 0)
            xp.add.at(zi, ix[i].reshape(-1),
                      xp.moveaxis(gg[i], axis - batch_dims, 0).reshape(
                          (-1,) + zi.shape[1:]) if ix[i].ndim != 1 else
                      xp.moveaxis(gg[i], axis - batch_dims, 0))
        return z
    zm = xp.moveaxis(z, axis, 0)
    gm = xp.moveaxis(g, list(_pyrange(axis, axis + indices.ndim)),
                     list(_pyrange(indices.ndim)))
    xp.add.at(zm, indices.reshape(-1), gm.reshape((-1,) + zm.shape[1:]))
    return z


_gather_grad.defvjp(lambda gg, out, g, indices, axis, batch_dims, shape:
                    _gather(gg, indices, axis=axis, batch_dims=batch_dims), None)


def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None) -> Tensor:
    """Gathers slices of `params` along `axis` at `indices`.

    Example:
      >>> tf.gather(tf.constant([10, 20, 30]), [2, 0])
      <tf.Tensor: shape=(2,), dtype=int32, numpy=array([30, 10], dtype=int32)>
    """
    p = convert_to_tensor(params)
    ix = convert_to_tensor(indices)
    if ix._v.dtype.kind not in "iu":
        raise TypeError(f"Value passed to parameter 'indices' has DataType {ix.dtype.name} not in "
                        f"list of allowed values: int16, int32, int64")
    bd = int(batch_dims)
    if bd < 0:
        bd += ix._v.ndim
    a = bd if axis is None else int(axis)
    if a < 0:
        a += p._v.ndim
    return bind(_gather, p, ix, axis=a, batch_dims=bd)


def _nd_rows(xp, shape, indices, batch_dims, op, what):
    """Flat row numbers (into `shape` with its indexed leading dims merged) of gather_nd-style
    index tuples, checking bounds; returns (rows, trailing shape)."""
    q = indices.shape[-1]
    dims = shape[batch_dims:batch_dims + q]
    rest = shape[batch_dims + q:]
    idx = indices.astype(np.int64, copy=False)
    lim = np.array(dims, dtype=np.int64)
    bad = (idx < 0) | (idx >= lim)
    if bad.any():
        row = int(np.argmax(bad.reshape(-1, q).any(1)))
        vals = ", ".join(str(v) for v in idx.reshape(-1, q)[row].tolist())
        raise errors.invalid_argument(
            f"indices[{row}] = [{vals}] does not index into {what} {_fmt(shape)}"
            + (", node name: GatherNd" if op == "GatherNd" else ""), op)
    strides = np.ones(q, dtype=np.int64)
    for i in _pyrange(q - 2, -1, -1):
        strides[i] = strides[i + 1] * dims[i + 1]
    rows = idx @ strides if q else np.zeros(indices.shape[:-1], np.int64)
    if batch_dims:
        nb = int(np.prod(shape[:batch_dims]))
        per = int(np.prod(dims)) if q else 1
        b = np.arange(nb, dtype=np.int64).reshape(shape[:batch_dims]
                                                  + (1,) * (rows.ndim - batch_dims))
        rows = rows + b * per
    return rows, rest


@primitive("GatherNd")
def _gather_nd(xp, params, indices, batch_dims):
    rows, rest = _nd_rows(xp, params.shape, indices, batch_dims, "GatherNd", "param shape")
    return params.reshape((-1,) + rest)[rows]


_gather_nd.defvjp(lambda g, out, params, indices, batch_dims:
                  _scatter_nd(indices, g, shape=params._v.shape, batch_dims=batch_dims), None)


@primitive("ScatterNd")
def _scatter_nd(xp, indices, updates, shape, batch_dims):
    rows, rest = _nd_rows(xp, shape, indices, batch_dims, "ScatterNd", "shape")
    out = xp.zeros((int(np.prod(shape[:len(shape) - len(rest)])),) + rest, dtype=updates.dtype)
    xp.add.at(out, rows.reshape(-1), updates.reshape((-1,) + rest))
    return out.reshape(shape)


_scatter_nd.defvjp(None, lambda g, out, indices, updates, shape, batch_dims:
                   _gather_nd(g, indices, batch_dims=batch_dims))


def gather_nd(params, indices, batch_dims=0, name=None, bad_indices_policy="") -> Tensor:
    """Gathers slices of `params` addressed by the index tuples in the last axis of `indices`.

    Example:
      >>> tf.gather_nd(tf.constant([[1, 2], [3, 4]]), [[1, 0], [0, 1]])
      <tf.Tensor: shape=(2,), dtype=int32, numpy=array([3, 2], dtype=int32)>
    """
    p = convert_to_tensor(params)
    ix = _index_tensor(indices, "GatherNd")
    bd = _int_scalar(batch_dims)
    if ix._v.ndim == 0:
        raise errors.invalid_argument("indices must be at least a vector", "GatherNd")
    if bd and bd >= ix._v.ndim:
        raise ValueError(f"Argument `batch_dims` = {bd} must be less than rank(`indices`) = "
                         f"{ix._v.ndim}")
    q = ix._v.shape[-1]
    if q > p._v.ndim - bd:
        raise errors.invalid_argument("index innermost dimension length must be <= params rank; "
                                      f"saw: {q} vs. {p._v.ndim - bd}", "GatherNd")
    if bd and ix._v.shape[:bd] != p._v.shape[:bd]:
        raise errors.invalid_argument(
            f"batch dimensions of params {_fmt(p._v.shape)} and indices {_fmt(ix._v.shape)} "
            "must match", "GatherNd")
    return bind(_gather_nd, p, ix, batch_dims=bd)


def _check_updates(ix, upd, shape, op):
    q = ix._v.shape[-1] if ix._v.ndim else 0
    want = ix._v.shape[:-1] + tuple(shape[q:])
    if upd._v.shape != want:
        if op == "ScatterNd":
            k = ix._v.ndim - 1
            raise errors.invalid_argument(
                f"Dimensions [0,{k}) of indices[shape={_fmt(ix._v.shape)}] must match "
                f"dimensions [0,{k}) of updates[shape={_fmt(upd._v.shape)}]", op)
        raise errors.invalid_argument(
            "Outer dimensions of indices and update must match. Indices shape: "
            f"{_fmt(ix._v.shape)}, updates shape:{_fmt(upd._v.shape)}", op)
    if q > len(shape):
        raise errors.invalid_argument("Index innermost dimension length must be <= output rank; "
                                      f"saw: {q} vs. {len(shape)}", op)


def scatter_nd(indices, updates, shape, bad_indices_policy="", name=None) -> Tensor:
    """A zero tensor of `shape` with `updates` added at the index tuples in `indices`.

    Duplicate indices add up.

    Example:
      >>> tf.scatter_nd([[1], [3]], [5., 6.], [4])
      <tf.Tensor: shape=(4,), dtype=float32, numpy=array([0., 5., 0., 6.], dtype=float32)>
    """
    ix = _index_tensor(indices, "ScatterNd")
    upd = convert_to_tensor(updates)
    shp = tuple(_int_list(shape, "ScatterNd", "Tindices"))
    _check_updates(ix, upd, shp, "ScatterNd")
    if not int(np.prod(shp)) and ix._v.size:
        raise errors.invalid_argument("Indices and updates specified for empty output.  indices "
                                      f"shape: {_fmt(ix._v.shape)}", "ScatterNd")
    return bind(_scatter_nd, ix, upd, shape=shp, batch_dims=0)


def _tensor_scatter_prim(op, mode):
    @primitive(op)
    def prim(xp, tensor, indices, updates):
        rows, rest = _nd_rows(xp, tensor.shape, indices, 0, op, "shape")
        out = tensor.copy().reshape((-1,) + rest)
        r, u = rows.reshape(-1), updates.reshape((-1,) + rest)
        if mode == "update":
            out[r] = u
        else:
            getattr(xp, mode).at(out, r, u)
        return out.reshape(tensor.shape)

    return prim


_scatter_update = _tensor_scatter_prim("TensorScatterUpdate", "update")
_scatter_add = _tensor_scatter_prim("TensorScatterAdd", "add")
_scatter_sub = _tensor_scatter_prim("TensorScatterSub", "subtract")
_scatter_max = _tensor_scatter_prim("TensorScatterMax", "maximum")
_scatter_min = _tensor_scatter_prim("TensorScatterMin", "minimum")
_scatter_update.defvjp(
    lambda g, out, t, ix, u: _scatter_update(g, ix, m.zeros_like(u)), None,
    lambda g, out, t, ix, u: _gather_nd(g, ix, batch_dims=0))
_scatter_add.defvjp(lambda g, out, t, ix, u: g, None,
                    lambda g, out, t, ix, u: _gather_nd(g, ix, batch_dims=0))
_scatter_sub.defvjp(lambda g, out, t, ix, u: g, None,
                    lambda g, out, t, ix, u: m.negative(_gather_nd(g, ix, batch_dims=0)))


def _scatter_minmax_vjps(g, out, t, ix, u):
    # as TF: ties between the tensor and the updates share the gradient equally
    xi = m.cast(m.equal(t, out), g.dtype)
    yi = m.cast(m.equal(u, _gather_nd(out, ix, batch_dims=0)), g.dtype)
    share = m.add(xi, _scatter_nd(ix, yi, shape=t._v.shape, batch_dims=0))
    return [m.divide_no_nan(m.multiply(g, xi), share), None,
            m.multiply(_gather_nd(m.divide_no_nan(g, share), ix, batch_dims=0), yi)]


_scatter_max.vjps = _scatter_minmax_vjps
_scatter_min.vjps = _scatter_minmax_vjps


def _tensor_scatter(prim, tensor, indices, updates):
    t = convert_to_tensor(tensor)
    ix = _index_tensor(indices, prim.name, "int16, int32, int64, uint16")
    u = updates if isinstance(updates, Tensor) else convert_to_tensor(updates, dtype=t.dtype)
    if u._v.dtype != t._v.dtype:
        _same_dtype(prim.name, t, t, u)
    _check_updates(ix, u, t._v.shape, prim.name)
    return bind(prim, t, ix, u)


def tensor_scatter_nd_update(tensor, indices, updates, name=None) -> Tensor:
    """A copy of `tensor` with the slices at `indices` replaced by `updates`.

    Example:
      >>> tf.tensor_scatter_nd_update([1, 2, 3], [[1]], [9])
      <tf.Tensor: shape=(3,), dtype=int32, numpy=array([1, 9, 3], dtype=int32)>
    """
    return _tensor_scatter(_scatter_update, tensor, indices, updates)


def tensor_scatter_nd_add(tensor, indices, updates, bad_indices_policy="", name=None) -> Tensor:
    """A copy of `tensor` with `updates` added at `indices` (duplicates add up).

    Example: `tf.tensor_scatter_nd_add(tf.ones([3]), [[0], [0]], [1., 2.])` is [4., 1., 1.].
    """
    return _tensor_scatter(_scatter_add, tensor, indices, updates)


def tensor_scatter_nd_sub(tensor, indices, updates, bad_indices_policy="", name=None) -> Tensor:
    """A copy of `tensor` with `updates` subtracted at `indices`.

    Example: `tf.tensor_scatter_nd_sub(tf.ones([3]), [[1]], [1.])` is [1., 0., 1.].
    """
    return _tensor_scatter(_scatter_sub, tensor, indices, updates)


def tensor_scatter_nd_max(tensor, indices, updates, bad_indices_policy="", name=None) -> Tensor:
    """A copy of `tensor` holding the maximum of itself and `updates` at `indices`.

    Example: `tf.tensor_scatter_nd_max(tf.zeros([2]), [[1]], [3.])` is [0., 3.].
    """
    return _tensor_scatter(_scatter_max, tensor, indices, updates)


def tensor_scatter_nd_min(tensor, indices, updates, bad_indices_policy="", name=None) -> Tensor:
    """A copy of `tensor` holding the minimum of itself and `updates` at `indices`.

    Example: `tf.tensor_scatter_nd_min(tf.zeros([2]), [[1]], [-3.])` is [0., -3.].
    """
    return _tensor_scatter(_scatter_min, tensor, indices, updates)


def boolean_mask(tensor, mask, axis=None, name="boolean_mask") -> Tensor:
    """The entries of `tensor` where `mask` is true; `mask` covers dims `axis .. axis+mask.ndim`.

    A non-bool mask selects its nonzero entries, as TF does (e.g. a one-hot float mask).

    Example:
      >>> tf.boolean_mask(tf.constant([[1, 2], [3, 4]]), [True, False])
      <tf.Tensor: shape=(1, 2), dtype=int32, numpy=array([[1, 2]], dtype=int32)>
    """
    x = convert_to_tensor(tensor)
    mk = mask if isinstance(mask, Tensor) else convert_to_tensor(mask)
    k = mk._v.ndim
    if k == 0:
        raise ValueError("mask cannot be scalar.")
    a = 0 if axis is None else _int_scalar(axis)
    shp = x._v.shape
    covered = shp[a:a + k]
    if covered != mk._v.shape and not TensorShape(covered).is_compatible_with(
            TensorShape(mk._v.shape)):
        raise ValueError(f"Shapes {TensorShape(covered)} and {TensorShape(mk._v.shape)} are "
                         "incompatible")
    a %= builtins.max(len(shp), 1)
    if k > 1:
        lead = _math.prod(covered) if None not in covered else -1
        x = reshape(x, shp[:a] + (lead,) + shp[a + k:])
    if mk._symbolic:
        idx = reshape(bind(_where_nz, reshape(mk, [-1])), [-1])
    else:
        idx = tensor_of(np.flatnonzero(np.asarray(mk._v)))
    return bind(_gather, x, idx, axis=a, batch_dims=0)


# =============================== where / one_hot / sequence_mask ===============================


@primitive("Where", nondiff=True)
def _where_nz(xp, c):
    return xp.argwhere(c).astype(np.int64)


def _where_indices(c: Tensor) -> Tensor:
    return bind(_where_nz, c)


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


# =============================== sorting and searching ===============================


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
        r = xp.stack([xp.searchsorted(s2[i], v2[i], side=side) for i in _pyrange(b)])
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
    _same_dtype(op, s, v)
    if s._v.shape[:-1] != v._v.shape[:-1]:
        raise errors.invalid_argument("Leading dim_size of both tensors must match.", op)
    return bind(_searchsorted, s, v, side=side, out=dtypes.as_dtype(out_type)._np)


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


def _gather_segments(g, ids):
    """`g[ids]` per data row, zero where an id is negative (dropped)."""
    safe = m.maximum(ids, 0)
    got = bind(_gather, g, safe, axis=0, batch_dims=0)
    keep = reshape(m.greater_equal(ids, 0), ids._v.shape + (1,) * (got._v.ndim - ids._v.ndim))
    return m.where(keep, got, m.zeros_like(got))


def _segment_minmax_vjp(g, out, data, ids, num, empty_zero):
    sel = m.logical_and(m.equal(data, _gather_segments(out, ids)),
                        reshape(m.greater_equal(ids, 0), ids._v.shape
                                + (1,) * (data._v.ndim - ids._v.ndim)))
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


def _segment_count(ids, num, data, dtype):
    """Entries per segment, shaped to broadcast against a segment result, at least 1."""
    iv = np.asarray(ids._v).reshape(-1)
    c = np.bincount(iv[iv >= 0], minlength=num)[:num]
    shp = (num,) + (1,) * (data._v.ndim - ids._v.ndim)
    return tensor_of(np.maximum(c, 1).astype(dtype._np).reshape(shp))


def _segment_mean(d, ids, num, op):
    s = bind(_seg_sum, d, ids, num=num, empty_zero=False)
    n = _segment_count(ids, num, d, d.dtype)
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
    return _segment_mean(*_sorted_args(data, segment_ids, "SegmentMean"), "SegmentMean")


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
    return _segment_mean(*_unsorted_args(data, segment_ids, num_segments, "UnsortedSegmentSum"),
                         "UnsortedSegmentMean")


def unsorted_segment_sqrt_n(data, segment_ids, num_segments, name=None) -> Tensor:
    """Sums `data` entries per segment id and divides by sqrt(count).

    Example: `tf.math.unsorted_segment_sqrt_n(tf.constant([1., 3.]), [0, 0], 1)` is [2.828427].
    """
    d, ids, num = _unsorted_args(data, segment_ids, num_segments, "UnsortedSegmentSum")
    s = bind(_seg_sum, d, ids, num=num, empty_zero=False)
    return m.divide(s, m.sqrt(_segment_count(ids, num, d, d.dtype)))


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


# =============================== counting ===============================


@primitive("DenseBincount", nondiff=True)
def _bincount(xp, arr, *w, minlength, maxlength, binary, dtype, axis):
    a = arr.astype(np.int64)
    if a.size and a.min() < 0:
        raise errors.invalid_argument("Input arr must be non-negative!", "DenseBincount")
    size = int(a.max()) + 1 if a.size else 0
    if minlength is not None:
        size = builtins.max(size, minlength)
    if maxlength is not None:
        size = builtins.min(size, maxlength)
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
        n = int(builtins.max(lab.max(), pre.max())) + 1 if lab.size else 0
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


# =============================== clipping and checks ===============================


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
    _same_dtype("Pack", *ts)
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


def ensure_shape(x, shape, name=None) -> Tensor:
    """Returns `x` after checking its shape is compatible with `shape` (None dims match any).

    Example: `tf.ensure_shape(tf.zeros([2, 3]), [None, 3])` passes.
    """
    t = convert_to_tensor(x)
    want = TensorShape(shape)
    if not want.is_compatible_with(TensorShape(t._v.shape)):
        raise errors.invalid_argument(
            f"Shape of tensor input {_fmt(t._v.shape)} is not compatible with expected shape "
            f"{_fmt(want.as_list())}.", "EnsureShape")
    return identity(t)


def _install_getitem():
    Tensor.__getitem__ = getitem


_install_getitem()
