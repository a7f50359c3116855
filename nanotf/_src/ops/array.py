"""Shape and movement ops: reshape, transpose, concat, slicing, gather, fill, ...

A movement op's gradient is the inverse movement.
"""

from __future__ import annotations

import builtins

from nanotf._src import dtypes, errors
from nanotf._src.backend import np
from nanotf._src.dispatch import bind, primitive, same_dtype
from nanotf._src.ops import math as m
from nanotf._src.tensor import Tensor, convert_to_tensor, tensor_of
from nanotf._src.tensor_shape import TensorShape

_pyslice = builtins.slice


def _ints(v) -> list:
    """A shape-like value (list, tuple, TensorShape, Tensor, array) as a list of ints."""
    if isinstance(v, Tensor):
        return [int(d) for d in np.asarray(v._v).reshape(-1)]
    if isinstance(v, TensorShape):
        return v.as_list()
    if isinstance(v, (int, np.integer)):
        return [int(v)]
    return [int(d) if not isinstance(d, Tensor) else int(d._v) for d in v]


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
    p = tuple(range(nd - 1, -1, -1)) if perm is None else tuple(i % nd if nd else 0
                                                                 for i in _ints(perm))
    if sorted(p) != list(range(nd)):
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
            raise errors.invalid_argument(f"Fill dimensions must be >= 0, got {list(shape)}",
                                          "Fill")
    return bind(_fill, v, shape=shape)


def zeros(shape, dtype=dtypes.float32, name=None) -> Tensor:
    """A tensor of zeros (float32 by default).

    Example: `tf.zeros([2, 3])`.
    """
    return fill(shape, 0, dtype=dtypes.as_dtype(dtype))


def ones(shape, dtype=dtypes.float32, name=None) -> Tensor:
    """A tensor of ones (float32 by default).

    Example: `tf.ones([2, 3])`.
    """
    return fill(shape, 1, dtype=dtypes.as_dtype(dtype))


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


# =============================== concat / stack ===============================


@primitive("ConcatV2")
def _concat(xp, *xs, axis):
    return xp.concatenate(xs, axis=axis)


def _concat_vjp(g, out, *xs, axis):
    sizes = [x._v.shape[axis] for x in xs]
    return list(bind(_split, g, axis=axis, sizes=tuple(sizes)))


_concat.defvjp(_concat_vjp)


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
    if not -nd <= a < max(nd, 1) or nd == 0:
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


@primitive("SplitV")
def _split(xp, x, axis, sizes):
    idx = np.cumsum(sizes)[:-1].tolist()
    return tuple(xp.split(x, idx, axis=axis))


_split.nout = -1  # variable: set per call below


def _split_vjp(g, out, x, axis, sizes):
    return [_concat(*g, axis=axis)]


_split.defvjp(_split_vjp)


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
    for x in xs[1:]:
        if x._v.shape != shape0:
            raise errors.invalid_argument(
                f"Shapes of all inputs must match: values[0].shape = {list(shape0)} != "
                f"values[{xs.index(x)}].shape = {list(x._v.shape)}", "Pack")
    nd = len(shape0) + 1
    a = int(axis)
    if not -nd <= a < nd:
        raise ValueError(f"Argument `axis` = {a} not in range [{-nd}, {nd})")
    a %= nd
    return concat([expand_dims(x, a) for x in xs], axis=a) if len(xs) > 1 \
        else expand_dims(xs[0], a)


# =============================== slicing ===============================


@primitive("StridedSlice")
def _strided_slice(xp, x, key):
    return x[key]


def _slice_vjp(g, out, x, key):
    return bind(_slice_grad, g, key=key, shape=x._v.shape)


_strided_slice.defvjp(_slice_vjp)


@primitive("StridedSliceGrad")
def _slice_grad(xp, g, key, shape):
    z = xp.zeros(shape, dtype=g.dtype)
    z[key] = g
    return z


_slice_grad.defvjp(lambda gg, out, g, key, shape: _strided_slice(gg, key=key))


def _norm_key(key, shape):
    """Validates a __getitem__ key (ints, slices, Ellipsis, newaxis, scalar int tensors)."""
    if not isinstance(key, tuple):
        key = (key,)
    out = []
    dim = 0
    for k in key:
        if k is None or k is Ellipsis:
            out.append(k)
            if k is Ellipsis:
                dim = len(shape) - sum(1 for q in key if q is not None and q is not Ellipsis) + 0
            continue
        if isinstance(k, _pyslice):
            out.append(_pyslice(*(None if v is None else _index(v) for v in (k.start, k.stop,
                                                                            k.step))))
            if k.step is not None and _index(k.step) == 0:
                raise ValueError("slice step cannot be zero")
            dim += 1
            continue
        if isinstance(k, (bool, np.bool_)) or (isinstance(k, Tensor) and k.dtype.is_bool):
            raise TypeError("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) "
                            "and scalar tf.int32/tf.int64 tensors are valid indices, got "
                            f"{k!r}")
        if isinstance(k, (list, np.ndarray)) or (isinstance(k, Tensor) and k._v.ndim):
            raise TypeError("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) "
                            "and scalar tf.int32/tf.int64 tensors are valid indices, got "
                            f"{k!r}")
        i = _index(k)
        if dim < len(shape):
            n = shape[dim]
            if not -n <= i < n:
                raise errors.invalid_argument(
                    f"slice index {i} of dimension {dim} out of bounds.", "StridedSlice")
        else:
            raise errors.invalid_argument(
                f"Index out of range using input dim {dim}; input has only {len(shape)} dims",
                "StridedSlice")
        out.append(i)
        dim += 1
    return tuple(out)


def _index(v) -> int:
    if isinstance(v, Tensor):
        if v._v.dtype.kind not in "iu":
            raise TypeError(f"Only integer scalar tensors are valid slice bounds, got {v!r}")
        return int(v._v)
    try:
        return v.__index__()
    except AttributeError:
        raise TypeError("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and "
                        f"scalar tf.int32/tf.int64 tensors are valid indices, got {v!r}") from None


def getitem(tensor, key) -> Tensor:
    """`tensor[key]`: NumPy-style basic indexing with gradients.

    Example:
      >>> tf.constant([[1, 2, 3], [4, 5, 6]])[:, ::2]
      <tf.Tensor: shape=(2, 2), dtype=int32, numpy=array([[1, 3], [4, 6]], dtype=int32)>
    """
    x = tensor if isinstance(tensor, Tensor) else convert_to_tensor(tensor)
    return bind(_strided_slice, x, key=_norm_key(key, x._v.shape))


def slice(input_, begin, size, name=None) -> Tensor:  # noqa: A001
    """Extracts a slice of `size` starting at `begin` (-1 in `size` means 'to the end').

    Example: `tf.slice(tf.range(5), [1], [3])` is [1, 2, 3].
    """
    x = convert_to_tensor(input_)
    b, s = _ints(begin), _ints(size)
    key = tuple(_pyslice(bi, None if si == -1 else bi + si) for bi, si in zip(b, s))
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
    outs = [xp.take(p[i], ix[i], axis=axis - batch_dims) for i in range(n)]
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
        for i in range(n):
            zi = xp.moveaxis(zz[i], axis - batch_dims, 0)
            xp.add.at(zi, ix[i].reshape(-1),
                      xp.moveaxis(gg[i], axis - batch_dims, 0).reshape(
                          (-1,) + zi.shape[1:]) if ix[i].ndim != 1 else
                      xp.moveaxis(gg[i], axis - batch_dims, 0))
        return z
    zm = xp.moveaxis(z, axis, 0)
    gm = xp.moveaxis(g, list(range(axis, axis + indices.ndim)), list(range(indices.ndim)))
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


# =============================== where / one_hot ===============================


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


def _install_getitem():
    Tensor.__getitem__ = getitem


_install_getitem()
