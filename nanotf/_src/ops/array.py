"""Shape ops (reshape, expand_dims, squeeze, transpose, broadcast_to, identity, shape queries)
and the argument helpers every array family shares.

The other families build on these: `creation` (fill, range, one_hot, ...), `movement` (concat,
split, stack, reverse, tile, pad, ...), `indexing` (slicing, gather, boolean_mask), `scatter`
(gather_nd, scatter_nd, tensor_scatter_*), `sorting`, `segment` (segment reductions, bincount)
and `clipping`. A movement op's gradient is the inverse movement.
"""

from __future__ import annotations

from nanotf._src import dtypes, errors
from nanotf._src.backend import np
from nanotf._src.dispatch import bind, primitive
from nanotf._src.ops import math as m
from nanotf._src.tensor import Tensor, convert_to_tensor, tensor_of
from nanotf._src.tensor_shape import TensorShape

_INDEX_TYPES = "int16, int32, int64"


def _attr_error(attr: str, dt, allowed: str, op: str):
    """TF's error for an argument whose dtype the kernel does not accept."""
    return errors.invalid_argument(f"Value for attr '{attr}' of {dtypes.kernel_name(dt)} is not "
                                   f"in the list of allowed values: {allowed}", op)


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
    return bind(_expand_dims, x, axis=a)


@primitive("ExpandDims")
def _expand_dims(xp, x, axis):
    return xp.expand_dims(x, axis)


@primitive("Squeeze")
def _squeeze(xp, x, axis):
    return xp.squeeze(x, axis=axis)


def _unsqueeze(g, axis):
    for a in sorted(axis):
        g = _expand_dims(g, axis=a)
    return g


# expand/squeeze by axis (not by target shape) so they also work on unknown dims
_expand_dims.defvjp(lambda g, out, x, axis: _squeeze(g, axis=(axis,)))
_squeeze.defvjp(lambda g, out, x, axis: _unsqueeze(g, axis))


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
        return bind(_squeeze, x, axis=tuple(sorted(set(axes))))
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


# =============================== identity and shape queries ===============================


@primitive("Identity", "unary")
def _identity(xp, x):
    return x


_identity.defvjp(lambda g, out, x: g)


def identity(input, name=None) -> Tensor:  # noqa: A002
    """Returns a tensor with the same value (a new tensor, differentiable).

    Example: `tf.identity(tf.constant(1.0))`.
    """
    return bind(_identity, convert_to_tensor(input))


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


# linalg and nn reach these as `arr.concat`, `arr.eye`, `arr.gather`; imported last because
# their modules build on the ops above.
from nanotf._src.ops.creation import eye, fill, ones, zeros  # noqa: E402,F401
from nanotf._src.ops.indexing import gather  # noqa: E402,F401
from nanotf._src.ops.movement import concat  # noqa: E402,F401
