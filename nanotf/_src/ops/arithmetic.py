"""Elementwise arithmetic, comparisons, logic, casts and selection.

The VJP rules of these primitives call one another, so they share one module. `elementary.py`
(powers, exp/log, trigonometric functions) and `reduction.py` build on it; `math.py` re-exports
all three. Primitive blocks first (impl, then one VJP rule per input, written in nanotf ops).
"""

from __future__ import annotations

from nanotf._src import dtypes, errors
from nanotf._src.backend import np
from nanotf._src.dispatch import binary_operands, bind, primitive
from nanotf._src.tensor import Tensor, convert_to_tensor

# =============================== binary arithmetic ===============================


@primitive("AddV2", "binary")
def add(xp, x, y):
    """Returns `x + y` elementwise, with broadcasting.

    Example:
      >>> tf.add(tf.constant([1, 2]), 3)
      <tf.Tensor: shape=(2,), dtype=int32, numpy=array([4, 5], dtype=int32)>
    """
    return xp.add(x, y)


add.defvjp(lambda g, out, x, y: g, lambda g, out, x, y: g)


@primitive("Sub", "binary")
def subtract(xp, x, y):
    """Returns `x - y` elementwise, with broadcasting.

    Example:
      >>> tf.subtract(5.0, tf.constant([1.0, 2.0]))
      <tf.Tensor: shape=(2,), dtype=float32, numpy=array([4., 3.], dtype=float32)>
    """
    return xp.subtract(x, y)


subtract.defvjp(lambda g, out, x, y: g, lambda g, out, x, y: bind(negative, g))


@primitive("Mul", "binary")
def multiply(xp, x, y):
    """Returns `x * y` elementwise, with broadcasting.

    Example:
      >>> tf.multiply(tf.constant([1., 2.]), 3.)
      <tf.Tensor: shape=(2,), dtype=float32, numpy=array([3., 6.], dtype=float32)>
    """
    return xp.multiply(x, y)


def _cj(t):
    """`conj(t)`, skipped (no op) for real tensors, the common case in VJP rules."""
    return conj(t) if t._v.dtype.kind == "c" else t


multiply.defvjp(lambda g, out, x, y: multiply(g, _cj(y)),
                lambda g, out, x, y: multiply(_cj(x), g))


@primitive("RealDiv", "binary")
def _realdiv(xp, x, y):
    """Floating-point division `x / y` (division by zero gives inf/nan silently, as in TF)."""
    if y.ndim == 0 and y.dtype.kind == "f":  # by a finite nonzero scalar NumPy cannot warn, so the
        v = float(y)  # errstate context (most of the cost of a small division) can be skipped
        if v != 0.0 and v - v == 0.0:
            return xp.divide(x, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        return xp.divide(x, y)


_realdiv.defvjp(lambda g, out, x, y: _realdiv(g, y),
                lambda g, out, x, y: negative(multiply(g, _realdiv(out, y))))


def realdiv(x, y, name=None) -> Tensor:
    """Floating-point division of two tensors of the same floating dtype.

    Example: `tf.realdiv(1.0, 4.0)` is 0.25.
    """
    return _realdiv(x, y)


def divide(x, y, name=None) -> Tensor:
    """Returns `x / y` elementwise (Python semantics: integers give float64, as `tf.math.divide`).

    Example:
      >>> tf.divide(tf.constant([1, 2]), 2)
      <tf.Tensor: shape=(2,), dtype=float64, numpy=array([0.5, 1. ])>
    """
    return truediv(x, y)


def truediv(x, y, name=None) -> Tensor:
    """True division; integer inputs are cast to float (int8/16 -> float32, int32/64 -> float64).

    Example:
      >>> tf.math.truediv(tf.constant(1), tf.constant(2))
      <tf.Tensor: shape=(), dtype=float64, numpy=0.5>
    """
    if not isinstance(x, Tensor):
        x = convert_to_tensor(x, dtype_hint=y.dtype if isinstance(y, Tensor) else None)
    if not isinstance(y, Tensor):
        y = convert_to_tensor(y, dtype_hint=x.dtype)
    if x._v.dtype != y._v.dtype:
        raise TypeError(f"`x` and `y` must have the same dtype, got {x.dtype!r} != {y.dtype!r}.")
    k = x._v.dtype.kind
    if k in "iu":
        target = dtypes.float32 if x._v.dtype.itemsize <= 2 else dtypes.float64
        x, y = cast(x, target), cast(y, target)
    elif k not in "fc":
        raise TypeError(f"Invalid dtype {x.dtype!r} in __truediv__. Expected an integer, "
                        f"floating or complex dtype.")
    return bind(_realdiv, x, y)


@primitive("DivNoNan", "binary")
def divide_no_nan(xp, x, y):
    """Returns `x / y`, or 0 where `y` is 0.

    Example:
      >>> tf.math.divide_no_nan(1.0, tf.constant([0.0, 2.0]))
      <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0. , 0.5], dtype=float32)>
    """
    safe = xp.where(y == 0, xp.ones_like(y), y)
    return xp.where(y == 0, xp.zeros_like(x * y), x / safe).astype(x.dtype, copy=False)


divide_no_nan.defvjp(lambda g, out, x, y: divide_no_nan(g, y),
                     lambda g, out, x, y: negative(multiply(g, divide_no_nan(out, y))))


@primitive("FloorDiv", "binary")
def floordiv(xp, x, y):
    """Returns `x // y` elementwise, rounding toward negative infinity.

    Example:
      >>> tf.math.floordiv(tf.constant([7, -7]), 2)
      <tf.Tensor: shape=(2,), dtype=int32, numpy=array([ 3, -4], dtype=int32)>
    """
    if x.dtype.kind in "iu" and (xp.asarray(y) == 0).any():
        raise errors.invalid_argument("Integer division by zero", "FloorDiv")
    with np.errstate(all="ignore"):
        return xp.floor_divide(x, y)


floordiv.defvjp(None, None)


@primitive("FloorMod", "binary")
def floormod(xp, x, y):
    """Returns the remainder of floor division, `x % y` with the sign of `y`.

    Example:
      >>> tf.math.floormod(tf.constant([7, -7]), 3)
      <tf.Tensor: shape=(2,), dtype=int32, numpy=array([1, 2], dtype=int32)>
    """
    if x.dtype.kind in "iu" and (xp.asarray(y) == 0).any():
        raise errors.invalid_argument("Integer division by zero", "FloorMod")
    with np.errstate(all="ignore"):
        return xp.mod(x, y)


floormod.defvjp(lambda g, out, x, y: g,
                lambda g, out, x, y: multiply(g, negative(floor(_realdiv(x, y)))))


@primitive("Maximum", "binary")
def maximum(xp, x, y):
    """Returns the elementwise maximum of `x` and `y`.

    Example:
      >>> tf.maximum(tf.constant([1., 5.]), 3.)
      <tf.Tensor: shape=(2,), dtype=float32, numpy=array([3., 5.], dtype=float32)>
    """
    return xp.maximum(x, y)


maximum.defvjp(lambda g, out, x, y: where(greater_equal(x, y), g, zeros_like(g)),
               lambda g, out, x, y: where(greater_equal(x, y), zeros_like(g), g))


@primitive("Minimum", "binary")
def minimum(xp, x, y):
    """Returns the elementwise minimum of `x` and `y`.

    Example:
      >>> tf.minimum(tf.constant([1., 5.]), 3.)
      <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 3.], dtype=float32)>
    """
    return xp.minimum(x, y)


minimum.defvjp(lambda g, out, x, y: where(less_equal(x, y), g, zeros_like(g)),
               lambda g, out, x, y: where(less_equal(x, y), zeros_like(g), g))


@primitive("SquaredDifference", "binary")
def squared_difference(xp, x, y):
    """Returns `(x - y) ** 2` elementwise.

    Example:
      >>> tf.math.squared_difference(3., tf.constant([1., 5.]))
      <tf.Tensor: shape=(2,), dtype=float32, numpy=array([4., 4.], dtype=float32)>
    """
    d = xp.subtract(x, y)
    return xp.multiply(d, d, out=d) if isinstance(d, xp.ndarray) else d * d


squared_difference.defvjp(lambda g, out, x, y: multiply(g, multiply(2.0, subtract(x, y))),
                          lambda g, out, x, y: multiply(g, multiply(-2.0, subtract(x, y))))

# =============================== comparisons and logic ===============================


def _cmp(name, fn):
    @primitive(name, "binary", nondiff=True)
    def op(xp, x, y):
        return fn(xp, x, y)

    return op


equal = _cmp("Equal", lambda xp, x, y: xp.equal(x, y))
not_equal = _cmp("NotEqual", lambda xp, x, y: xp.not_equal(x, y))
less = _cmp("Less", lambda xp, x, y: xp.less(x, y))
less_equal = _cmp("LessEqual", lambda xp, x, y: xp.less_equal(x, y))
greater = _cmp("Greater", lambda xp, x, y: xp.greater(x, y))
greater_equal = _cmp("GreaterEqual", lambda xp, x, y: xp.greater_equal(x, y))
equal.__doc__ = "Returns the truth value of `x == y` elementwise.\n\n  Example: `tf.equal(1, 1)`."
not_equal.__doc__ = ("Returns the truth value of `x != y` elementwise.\n\n"
                     "  Example: `tf.not_equal(1, 2)`.")
less.__doc__ = "Returns the truth value of `x < y` elementwise.\n\n  Example: `tf.less(1, 2)`."
less_equal.__doc__ = ("Returns the truth value of `x <= y` elementwise.\n\n"
                      "  Example: `tf.less_equal(1, 2)`.")
greater.__doc__ = ("Returns the truth value of `x > y` elementwise.\n\n"
                   "  Example: `tf.greater(2, 1)`.")
greater_equal.__doc__ = ("Returns the truth value of `x >= y` elementwise.\n\n"
                         "  Example: `tf.greater_equal(2, 1)`.")


def _logical(name, fn, doc):
    @primitive(name, "binary", nondiff=True)
    def op(xp, x, y):
        if x.dtype != np.bool_ or y.dtype != np.bool_:
            i, bad = (0, x) if x.dtype != np.bool_ else (1, y)
            raise errors.invalid_argument(
                f"cannot compute {name} as input #{i}(zero-based) was expected to be a bool tensor "
                f"but is a {dtypes.kernel_name(dtypes.from_numpy(bad.dtype))} tensor", name)
        return fn(xp, x, y)

    op.__doc__ = doc
    return op


logical_and = _logical("LogicalAnd", lambda xp, x, y: xp.logical_and(x, y),
                       "Returns `x AND y` elementwise (bool tensors).\n\n"
                       "  Example: `tf.logical_and(True, False)`.")
logical_or = _logical("LogicalOr", lambda xp, x, y: xp.logical_or(x, y),
                      "Returns `x OR y` elementwise (bool tensors).\n\n"
                      "  Example: `tf.logical_or(True, False)`.")


def logical_xor(x, y, name="LogicalXor") -> Tensor:
    """Returns `x XOR y` elementwise (bool tensors).

    Example: `tf.math.logical_xor(True, False)`.
    """
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)))

# =============================== unary arithmetic ===============================


# Ops whose float results may be inf/nan: TF computes them silently, NumPy would warn.
_QUIET = {"Log", "Log1p", "Sqrt", "Rsqrt", "Exp", "Expm1", "Asin", "Acos", "Reciprocal", "Tan"}


def _silent(fn):
    def run(xp, *args):
        with np.errstate(all="ignore"):
            return fn(xp, *args)

    return run


def _unary(name, fn, vjp, doc, nondiff=False, floats_only=False):
    if name in _QUIET:
        fn = _silent(fn)

    @primitive(name, "unary", nondiff=nondiff)
    def op(xp, x):
        if floats_only and x.dtype.kind not in "fc":
            raise errors.invalid_argument(
                f"Value for attr 'T' of {dtypes.from_numpy(x.dtype).name} is not in the list of "
                f"allowed values: bfloat16, half, float, double, complex64, complex128", name)
        return fn(xp, x)

    op.__doc__ = doc
    if vjp is not None:
        op.defvjp(vjp)
    return op


negative = _unary("Neg", lambda xp, x: xp.negative(x), lambda g, out, x: negative(g),
                  "Returns `-x` elementwise.\n\n  Example: `tf.negative(tf.constant([1, -2]))`.")
abs = _unary("Abs", lambda xp, x: xp.abs(x), lambda g, out, x: multiply(g, sign(x)),  # noqa: A001
             "Returns `|x|` elementwise.\n\n  Example: `tf.abs(tf.constant([-1.5, 2.0]))`.")
sign = _unary("Sign", lambda xp, x: xp.sign(x), lambda g, out, x: zeros_like(g),
              "Returns -1, 0 or 1 by the sign of `x`.\n\n"
              "  Example: `tf.sign(tf.constant([-3., 0.]))`.")
square = _unary("Square", lambda xp, x: xp.square(x),
                lambda g, out, x: bind(_square_grad, g, x) if x._v.dtype.kind == "f"
                else multiply(g, multiply(x, 2)),
                "Returns `x * x` elementwise.\n\n  Example: `tf.square(tf.constant([2., 3.]))`.")
# Floor, Ceil and Round have no gradient in TF (None, not zeros)
floor = _unary("Floor", lambda xp, x: xp.floor(x), None,
               "Returns the largest integer not greater than `x`.\n\n  Example: `tf.floor(1.5)`.",
               nondiff=True, floats_only=True)
ceil = _unary("Ceil", lambda xp, x: xp.ceil(x), None,
              "Returns the smallest integer not less than `x`.\n\n  Example: `tf.math.ceil(1.5)`.",
              nondiff=True, floats_only=True)
# TF rounds half to even, as NumPy's rint does
round = _unary("Round", lambda xp, x: xp.rint(x) if x.dtype.kind in "fc" else x,  # noqa: A001
               None, "Rounds `x` to the nearest integer, half to even.\n\n"
               "  Example: `tf.round(2.5)`.", nondiff=True)
logical_not = _unary("LogicalNot", lambda xp, x: xp.logical_not(x), None,
                     "Returns `NOT x` elementwise (bool).\n\n  Example: `tf.logical_not(True)`.",
                     nondiff=True)


@primitive("Conj", "unary")
def conj(xp, x):
    """Returns the complex conjugate (the input itself for real tensors).

    Example: `tf.math.conj(tf.constant([1+2j]))`.
    """
    return xp.conj(x) if x.dtype.kind == "c" else x


conj.defvjp(lambda g, out, x: conj(g))


@primitive("SquareGrad", "binary")
def _square_grad(xp, g, x):
    """`g * (2 * x)`, Square's gradient, in one op (the numbers of TF's Mul(grad, Mul(x, 2)))."""
    return xp.multiply(g, xp.add(x, x))  # x + x is x * 2 bit for bit (doubling is exact)


# d/dg is h * 2x; d/dx is h * g * 2, which equals h * (2g) exactly (doubling is exact)
_square_grad.defvjp(lambda h, out, g, x: _square_grad(h, x),
                    lambda h, out, g, x: _square_grad(h, g))

# =============================== cast and select ===============================


@primitive("Cast")
def _cast(xp, x, dtype):
    """Casts to the NumPy dtype `dtype`."""
    if x.dtype.kind in "OSU" or dtype.kind in "OSU":
        raise errors.UnimplementedError(
            None, None, f"Cast {dtypes.from_numpy(x.dtype).name} to "
            f"{dtypes.from_numpy(dtype).name} is not supported [Op:Cast]")
    if x.dtype.kind == "c" and dtype.kind != "c":
        x = x.real  # TF drops the imaginary part silently
    if dtype.kind == "b" or x.dtype.kind not in "fc" or dtype.kind not in "iu":
        return x.astype(dtype)
    # float -> int truncates toward zero, as TF does
    return xp.trunc(x).astype(dtype)


_cast.defvjp(lambda g, out, x, dtype: g)


def cast(x, dtype, name=None) -> Tensor:
    """Casts `x` to `dtype`.

    Floats cast to integers truncate toward zero; the gradient flows only between floating types.

    Example:
      >>> tf.cast(tf.constant([1.7, -1.7]), tf.int32)
      <tf.Tensor: shape=(2,), dtype=int32, numpy=array([ 1, -1], dtype=int32)>
    """
    dtype = dtypes.as_dtype(dtype)
    if not isinstance(x, Tensor):
        x = convert_to_tensor(x)
    if x._v.dtype == dtype._np:
        return x
    return bind(_cast, x, dtype=dtype._np)


@primitive("SelectV2")
def _select(xp, cond, x, y):
    """`x` where `cond` else `y`, broadcasting all three."""
    return xp.where(cond, x, y)


_select.defvjp(None,
               lambda g, out, c, x, y: where(c, g, zeros_like(g)),
               lambda g, out, c, x, y: where(c, zeros_like(g), g))


def where(condition, x=None, y=None, name=None) -> Tensor:
    """Selects from `x` where `condition` is true and from `y` elsewhere (with broadcasting).

    With only `condition`, returns the int64 coordinates of its true (nonzero) elements, shape
    `[num_true, rank]`.

    Example:
      >>> tf.where([True, False], 1., 2.)
      <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>
    """
    from nanotf._src.ops.indexing import _where_indices

    if x is None and y is None:
        return _where_indices(convert_to_tensor(condition))
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    c = convert_to_tensor(condition, dtype=dtypes.bool) if not isinstance(condition, Tensor) \
        else condition
    if c._v.dtype != np.bool_:
        raise errors.invalid_argument(
            f"cannot compute SelectV2 as input #0(zero-based) was expected to be a bool tensor but "
            f"is a {dtypes.kernel_name(c.dtype)} tensor", "SelectV2")
    if isinstance(x, Tensor) and isinstance(y, Tensor) and x._v.dtype != y._v.dtype:
        raise errors.invalid_argument(
            f"cannot compute SelectV2 as input #2(zero-based) was expected to be a "
            f"{dtypes.kernel_name(x.dtype)} tensor but is a {dtypes.kernel_name(y.dtype)} tensor",
            "SelectV2")
    x, y = binary_operands(x, y, "SelectV2")
    return bind(_select, c, x, y)

# =============================== zeros and ones ===============================


def zeros_like(input, dtype=None, name=None) -> Tensor:  # noqa: A002
    """A tensor of zeros with `input`'s shape (and dtype unless given).

    Example: `tf.zeros_like(tf.constant([1, 2]))` is [0, 0].
    """
    from nanotf._src.ops.creation import fill

    x = convert_to_tensor(input)
    return fill(x._v.shape, 0, dtype=dtype or x.dtype)


def ones_like(input, dtype=None, name=None) -> Tensor:  # noqa: A002
    """A tensor of ones with `input`'s shape (and dtype unless given).

    Example: `tf.ones_like(tf.constant([1, 2]))` is [1, 1].
    """
    from nanotf._src.ops.creation import fill

    x = convert_to_tensor(input)
    return fill(x._v.shape, 1, dtype=dtype or x.dtype)
