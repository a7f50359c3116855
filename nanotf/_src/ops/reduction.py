"""Reductions (reduce_*), argmax/argmin, cumsum/cumprod and count_nonzero.

Primitive blocks first (impl, then its VJP rule, written in nanotf ops), public wrappers after.
"""

from __future__ import annotations

import math as _math

from nanotf._src import dtypes, errors
from nanotf._src.backend import np
from nanotf._src.dispatch import bind, primitive
from nanotf._src.ops.arithmetic import (
    _realdiv,
    add,
    cast,
    equal,
    greater,
    multiply,
    not_equal,
    ones_like,
    square,
    subtract,
    where,
    zeros_like,
)
from nanotf._src.ops.elementary import exp, is_finite, log, sqrt
from nanotf._src.tensor import Tensor, convert_to_tensor

_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)  # builtin dtypes: `is` tests suffice

# =============================== reductions ===============================


def _axes(axis, ndim):
    if axis is None:
        return None
    if isinstance(axis, Tensor):
        axis = axis.numpy().tolist()
    elif hasattr(axis, "tolist"):
        axis = axis.tolist()
    if isinstance(axis, (list, tuple)):
        out = []
        for a in axis:
            a = int(a)
            if not -ndim <= a < ndim:
                raise errors.invalid_argument(
                    f"Invalid reduction dimension ({a} for input with {ndim} dimension(s)")
            out.append(a % ndim)
        return tuple(sorted(set(out)))
    a = int(axis)
    if not -ndim <= a < ndim:
        raise errors.invalid_argument(
            f"Invalid reduction dimension ({a} for input with {ndim} dimension(s)")
    return (a % ndim,)


def _kept_shape(x_shape, axis):
    if axis is None:
        return (1,) * len(x_shape)
    return tuple(1 if i in axis else d for i, d in enumerate(x_shape))


def _expand_back(g, x, axis, keepdims, n=None):
    """Reshapes a reduced gradient to keepdims form and broadcasts it to `x`'s shape (divided by
    `n` first for means): one op, the values of reshape -> broadcast_to (-> realdiv by n)."""
    kept = _kept_shape(x._v.shape, axis)
    return bind(_reduction_grad, g, kept=kept, shape=tuple(x._v.shape), n=n)


@primitive("ReductionGrad")
def _reduction_grad(xp, g, kept, shape, n):
    if n is not None:
        g = xp.divide(g, xp.asarray(n, g.dtype))  # elementwise, so dividing before broadcasting
    elif g.size * 64 < _math.prod(shape):  # gives the same numbers; big results stay views
        return xp.broadcast_to(g.reshape(kept), shape)
    out = xp.empty(shape, g.dtype)  # a filled copy is cheaper than broadcast_to's Python wrapper
    out[...] = g.reshape(kept) if g.ndim else g  # a scalar (a full reduction) needs no reshape
    return out


def _reduction_grad_vjp(h, out, g, kept, shape, n):
    from nanotf._src.ops.array import reshape

    if n is not None:
        h = _realdiv(h, convert_to_tensor(n, dtype=h.dtype))
    axes = tuple(i for i, (k, d) in enumerate(zip(kept, shape)) if k == 1 and d != 1)
    return reshape(_reduce(_sum, h, axes, False) if axes else h, g._v.shape)


_reduction_grad.defvjp(_reduction_grad_vjp)


@primitive("Sum")
def _sum(xp, x, axis, keepdims):
    """Sum over `axis`."""
    if x.dtype.kind == "b":
        x = x.astype(np.int32)
    if xp is np:  # np.sum is np.add.reduce behind a Python wrapper that costs more than small sums
        return np.add.reduce(x, axis=axis, keepdims=keepdims,
                             dtype=x.dtype if x.dtype.kind in "iu" else None)
    return xp.sum(x, axis=axis, keepdims=keepdims, dtype=x.dtype if x.dtype.kind in "iu" else None)


_sum.defvjp(lambda g, out, x, axis, keepdims: _expand_back(g, x, axis, keepdims))


_COUNTS: dict = {}  # (dtype, n) -> n as a scalar of that dtype (building one costs ~0.35 us)


def _count(dt, n):
    if len(_COUNTS) > 256:
        _COUNTS.clear()
    c = _COUNTS[dt, n] = dt.type(n)
    return c


@primitive("Mean")
def _mean(xp, x, axis, keepdims):
    """Mean over `axis` (integer means truncate, as TF)."""
    dt = x.dtype
    if (dt is _F32 or dt is _F64) and xp is np and x.size:
        # np.mean's own Python wrapper costs ~4 us; the same sum and one correctly rounded
        # division (the count is exact in the dtype) give the same numbers
        s = np.add.reduce(x, axis, dt, None, keepdims)
        n = x.size // s.size if axis is not None else x.size
        if n < 16777216:  # `/` by a scalar of the same dtype: the same division, less wrapping
            return s / (_COUNTS.get((dt, n)) or _count(dt, n))
    if dt.kind in "iu":
        s = xp.sum(x, axis=axis, keepdims=keepdims, dtype=np.int64)
        n = x.size // max(s.size, 1) if x.size else 1
        # TF's integer mean truncates toward zero (C division), not toward -inf
        return ((xp.abs(s) // n) * xp.sign(s) if n else s).astype(dt)
    return xp.mean(x, axis=axis, keepdims=keepdims, dtype=dt)


def _mean_vjp(g, out, x, axis, keepdims):
    return _expand_back(g, x, axis, keepdims, n=x._v.size // max(out._v.size, 1))


_mean.defvjp(_mean_vjp)


@primitive("Prod")
def _prod(xp, x, axis, keepdims):
    """Product over `axis`."""
    return xp.prod(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


def _prod_vjp(g, out, x, axis, keepdims):
    from nanotf._src.ops.array import reshape

    o = out if keepdims else reshape(out, _kept_shape(x._v.shape, axis))
    # exact where no zero; zeros handled by the product of the others
    safe = where(equal(x, 0.0), ones_like(x), x)
    others = _realdiv(o, safe)
    nz = _prod(where(equal(x, 0.0), ones_like(x), x), axis=axis, keepdims=True)
    zeros_count = _sum(cast(equal(x, 0.0), x.dtype), axis=axis, keepdims=True)
    others = where(equal(x, 0.0), where(equal(zeros_count, 1.0), nz, zeros_like(nz)),
                   where(greater(zeros_count, 0.0), zeros_like(others), others))
    return multiply(_expand_back(g, x, axis, keepdims), others)


_prod.defvjp(_prod_vjp)


def _minmax_vjp(g, out, x, axis, keepdims):
    from nanotf._src.ops.array import reshape

    o = out if keepdims else reshape(out, _kept_shape(x._v.shape, axis))
    hit = cast(equal(x, o), g.dtype)
    count = _sum(hit, axis=axis, keepdims=True)
    return multiply(_expand_back(g, x, axis, keepdims), _realdiv(hit, count))


@primitive("Max")
def _max(xp, x, axis, keepdims):
    """Maximum over `axis`."""
    if x.size == 0:
        return xp.full(xp.amax(xp.zeros((1,) * x.ndim, x.dtype), axis=axis,
                               keepdims=keepdims).shape, _lowest(x.dtype), x.dtype)
    return xp.amax(x, axis=axis, keepdims=keepdims)


_max.defvjp(_minmax_vjp)


@primitive("Min")
def _min(xp, x, axis, keepdims):
    """Minimum over `axis`."""
    return xp.amin(x, axis=axis, keepdims=keepdims)


_min.defvjp(_minmax_vjp)


def _lowest(npd):
    return -np.inf if npd.kind == "f" else np.iinfo(npd).min


@primitive("Any", nondiff=True)
def _any(xp, x, axis, keepdims):
    """Logical OR over `axis`."""
    return xp.any(x, axis=axis, keepdims=keepdims)


@primitive("All", nondiff=True)
def _all(xp, x, axis, keepdims):
    """Logical AND over `axis`."""
    return xp.all(x, axis=axis, keepdims=keepdims)


def _reduce(prim, input_tensor, axis, keepdims):
    x = input_tensor if isinstance(input_tensor, Tensor) else convert_to_tensor(input_tensor)
    return bind(prim, x, axis=_axes(axis, x._v.ndim), keepdims=bool(keepdims))


def reduce_sum(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Sums elements across `axis` (all axes when None).

    Example:
      >>> tf.reduce_sum(tf.constant([[1, 2, 3], [4, 5, 6]]), axis=0)
      <tf.Tensor: shape=(3,), dtype=int32, numpy=array([5, 7, 9], dtype=int32)>
    """
    return _reduce(_sum, input_tensor, axis, keepdims)


def reduce_mean(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Averages elements across `axis` (integer inputs give a truncated integer mean).

    Example:
      >>> tf.reduce_mean(tf.constant([1., 2., 3., 4.]))
      <tf.Tensor: shape=(), dtype=float32, numpy=2.5>
    """
    return _reduce(_mean, input_tensor, axis, keepdims)


def reduce_prod(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Multiplies elements across `axis`.

    Example: `tf.reduce_prod(tf.constant([1., 2., 3.]))` is 6.0.
    """
    return _reduce(_prod, input_tensor, axis, keepdims)


def reduce_max(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Maximum across `axis`; the gradient is shared equally among tied maxima.

    Example: `tf.reduce_max(tf.constant([1., 5., 3.]))` is 5.0.
    """
    return _reduce(_max, input_tensor, axis, keepdims)


def reduce_min(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Minimum across `axis`.

    Example: `tf.reduce_min(tf.constant([1., 5., 3.]))` is 1.0.
    """
    return _reduce(_min, input_tensor, axis, keepdims)


def reduce_any(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Logical OR across `axis` of a bool tensor.

    Example: `tf.reduce_any(tf.constant([True, False]))` is True.
    """
    return _reduce(_any, input_tensor, axis, keepdims)


def reduce_all(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Logical AND across `axis` of a bool tensor.

    Example: `tf.reduce_all(tf.constant([True, False]))` is False.
    """
    return _reduce(_all, input_tensor, axis, keepdims)


def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Computes `log(sum(exp(x)))` across `axis`, stably (the max is subtracted first).

    Example: `tf.reduce_logsumexp(tf.constant([0., 0.]))` is log(2).
    """
    from nanotf._src.ops.array import reshape, stop_gradient

    x = convert_to_tensor(input_tensor)
    m = stop_gradient(reduce_max(x, axis=axis, keepdims=True))
    m = where(is_finite(m), m, zeros_like(m))
    r = add(log(reduce_sum(exp(subtract(x, m)), axis=axis, keepdims=True)), m)
    if not keepdims:
        ax = _axes(axis, x._v.ndim)
        r = reshape(r, [d for i, d in enumerate(x._v.shape) if ax is not None and i not in ax])
    return r


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Population variance across `axis`.

    Example: `tf.math.reduce_variance(tf.constant([1., 2., 3., 4.]))` is 1.25.
    """
    x = convert_to_tensor(input_tensor)
    m = reduce_mean(x, axis=axis, keepdims=True)
    return reduce_mean(square(subtract(x, m)), axis=axis, keepdims=keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Population standard deviation across `axis`.

    Example: `tf.math.reduce_std(tf.constant([1., 3.]))` is 1.0.
    """
    return sqrt(reduce_variance(input_tensor, axis=axis, keepdims=keepdims))


def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """`sqrt(sum(x ** 2))` across `axis`.

    Example: `tf.math.reduce_euclidean_norm(tf.constant([3., 4.]))` is 5.0.
    """
    return sqrt(reduce_sum(square(input_tensor), axis=axis, keepdims=keepdims))


def count_nonzero(input, axis=None, keepdims=None, dtype=dtypes.int64, name=None):  # noqa: A002
    """Counts the nonzero elements across `axis` (int64 by default).

    Example: `tf.math.count_nonzero(tf.constant([0, 1, 2]))` is 2.
    """
    x = convert_to_tensor(input)
    return cast(reduce_sum(cast(not_equal(x, zeros_like(x)), dtypes.int64), axis=axis,
                           keepdims=bool(keepdims)), dtype)

# =============================== argmax and cumulative ops ===============================


@primitive("ArgMax", nondiff=True)
def _argmax(xp, x, axis, out_type):
    return xp.argmax(x, axis=axis).astype(out_type)


@primitive("ArgMin", nondiff=True)
def _argmin(xp, x, axis, out_type):
    return xp.argmin(x, axis=axis).astype(out_type)


def argmax(input, axis=None, output_type=dtypes.int64, name=None) -> Tensor:  # noqa: A002
    """Index of the largest value along `axis` (default 0), as int64.

    Example:
      >>> tf.argmax(tf.constant([[1., 3.], [4., 2.]]), axis=1)
      <tf.Tensor: shape=(2,), dtype=int64, numpy=array([1, 0])>
    """
    x = convert_to_tensor(input)
    ax = _axes(0 if axis is None else axis, x._v.ndim)[0]
    return bind(_argmax, x, axis=ax, out_type=dtypes.as_dtype(output_type)._np)


def argmin(input, axis=None, output_type=dtypes.int64, name=None) -> Tensor:  # noqa: A002
    """Index of the smallest value along `axis` (default 0), as int64.

    Example: `tf.argmin(tf.constant([3., 1., 2.]))` is 1.
    """
    x = convert_to_tensor(input)
    ax = _axes(0 if axis is None else axis, x._v.ndim)[0]
    return bind(_argmin, x, axis=ax, out_type=dtypes.as_dtype(output_type)._np)


def _scan(xp, fn, identity, x, axis, exclusive, reverse):
    """`fn` (cumsum or cumprod) along `axis`, shifted by one with `identity` first when
    `exclusive`, run from the end when `reverse` (TF's Cumsum/Cumprod attributes)."""
    if reverse:
        x = xp.flip(x, axis)
    r = fn(x, axis=axis, dtype=x.dtype)
    if exclusive:
        first = xp.full_like(xp.take(r, [0], axis=axis), identity)
        r = xp.concatenate([first, xp.take(r, range(r.shape[axis] - 1), axis=axis)], axis=axis)
    return xp.flip(r, axis) if reverse else r


@primitive("Cumsum")
def _cumsum(xp, x, axis, exclusive, reverse):
    return _scan(xp, xp.cumsum, 0, x, axis, exclusive, reverse)


_cumsum.defvjp(lambda g, out, x, axis, exclusive, reverse:
               _cumsum(g, axis=axis, exclusive=exclusive, reverse=not reverse))


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None) -> Tensor:
    """Cumulative sum along `axis`.

    Example:
      >>> tf.cumsum(tf.constant([1, 2, 3]))
      <tf.Tensor: shape=(3,), dtype=int32, numpy=array([1, 3, 6], dtype=int32)>
    """
    x = convert_to_tensor(x)
    ax = _axes(axis, x._v.ndim)[0]
    return bind(_cumsum, x, axis=ax, exclusive=bool(exclusive), reverse=bool(reverse))


@primitive("Cumprod")
def _cumprod(xp, x, axis, exclusive, reverse):
    return _scan(xp, xp.cumprod, 1, x, axis, exclusive, reverse)


# TF's rule: exact for nonzero inputs (as in TF, a zero input gives a non-finite gradient)
_cumprod.defvjp(lambda g, out, x, axis, exclusive, reverse: _realdiv(
    _cumsum(multiply(out, g), axis=axis, exclusive=exclusive, reverse=not reverse), x))


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None) -> Tensor:
    """Cumulative product along `axis`.

    Example: `tf.math.cumprod(tf.constant([1., 2., 3.]))` is [1., 2., 6.].
    """
    x = convert_to_tensor(x)
    ax = _axes(axis, x._v.ndim)[0]
    return bind(_cumprod, x, axis=ax, exclusive=bool(exclusive), reverse=bool(reverse))
