"""Indexing ops: `tensor[...]`, slice, strided_slice, gather, boolean_mask, where's indices.

A slice's gradient scatters into zeros; gather's adds up at the gathered indices.
Importing this module installs `Tensor.__getitem__`.
"""

from __future__ import annotations

import builtins
import math as _math

from nanotf._src import errors
from nanotf._src.backend import np
from nanotf._src.dispatch import bind, primitive
from nanotf._src.ops.array import _int_scalar, _ints, reshape
from nanotf._src.tensor import Tensor, convert_to_tensor, tensor_of
from nanotf._src.tensor_shape import TensorShape

_pyslice = builtins.slice  # `slice` is the TF op defined below

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
            dim = max(dim, nd - (n_real - done))
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


# =============================== gather ===============================


@primitive("GatherV2")
def _gather(xp, params, indices, axis, batch_dims):
    if indices.size and (indices.min() < 0 or indices.max() >= params.shape[axis]):
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
    gm = xp.moveaxis(g, list(range(axis, axis + indices.ndim)),
                     list(range(indices.ndim)))
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


# =============================== boolean_mask / where ===============================


@primitive("Where", nondiff=True)
def _where_nz(xp, c):
    return xp.argwhere(c).astype(np.int64)


def _where_indices(c: Tensor) -> Tensor:
    """The int64 coordinates of `c`'s nonzero entries (`tf.where` with one argument)."""
    return bind(_where_nz, c)


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
    a %= max(len(shp), 1)
    if k > 1:
        lead = _math.prod(covered) if None not in covered else -1
        x = reshape(x, shp[:a] + (lead,) + shp[a + k:])
    if mk._symbolic:
        idx = reshape(bind(_where_nz, reshape(mk, [-1])), [-1])
    else:
        idx = tensor_of(np.flatnonzero(np.asarray(mk._v)))
    return bind(_gather, x, idx, axis=a, batch_dims=0)


Tensor.__getitem__ = getitem
