"""Elementwise math, comparisons, reductions and casts.

Primitive blocks first (impl, then one VJP rule per input, written in nanotf ops), composites after.
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


subtract.defvjp(lambda g, out, x, y: g, lambda g, out, x, y: negative(g))


@primitive("Mul", "binary")
def multiply(xp, x, y):
    """Returns `x * y` elementwise, with broadcasting.

    Example:
      >>> tf.multiply(tf.constant([1., 2.]), 3.)
      <tf.Tensor: shape=(2,), dtype=float32, numpy=array([3., 6.], dtype=float32)>
    """
    return xp.multiply(x, y)


multiply.defvjp(lambda g, out, x, y: multiply(g, conj(y)),
                lambda g, out, x, y: multiply(conj(x), g))


@primitive("RealDiv", "binary")
def _realdiv(xp, x, y):
    """Floating-point division `x / y` (division by zero gives inf/nan silently, as in TF)."""
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


@primitive("Pow", "binary")
def pow(xp, x, y):  # noqa: A001 - TF's public name
    """Returns `x ** y` elementwise.

    Example:
      >>> tf.pow(tf.constant([2., 3.]), 2.)
      <tf.Tensor: shape=(2,), dtype=float32, numpy=array([4., 9.], dtype=float32)>
    """
    if x.dtype.kind in "iu" and (xp.asarray(y) < 0).any():
        raise errors.invalid_argument("Integers to negative integer powers are not allowed",
                                      "Pow")
    with np.errstate(all="ignore"):
        return xp.power(x, y)


pow.defvjp(
    lambda g, out, x, y: multiply(g, multiply(y, pow(x, subtract(y, 1)))),
    lambda g, out, x, y: multiply(g, multiply(out, where(x > 0, log(where(x > 0, x, 1)), 0))),
)


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


@primitive("Atan2", "binary")
def atan2(xp, y, x):
    """Returns `atan(y / x)` elementwise, using the signs of both to pick the quadrant.

    Example:
      >>> tf.math.atan2(1.0, 1.0)
      <tf.Tensor: shape=(), dtype=float32, numpy=0.7853982>
    """
    return xp.arctan2(y, x)


atan2.defvjp(lambda g, out, y, x: multiply(g, _realdiv(x, add(square(x), square(y)))),
             lambda g, out, y, x: multiply(g, _realdiv(negative(y), add(square(x), square(y)))))

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


# =============================== unary math ===============================


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
                lambda g, out, x: multiply(g, multiply(2.0, x) if x._v.dtype.kind == "f"
                                           else multiply(x, 2)),
                "Returns `x * x` elementwise.\n\n  Example: `tf.square(tf.constant([2., 3.]))`.")
sqrt = _unary("Sqrt", lambda xp, x: xp.sqrt(x),
              lambda g, out, x: _realdiv(g, multiply(2.0, out)),
              "Returns the square root of `x` elementwise.\n\n  Example: `tf.sqrt(4.0)`.",
              floats_only=True)
rsqrt = _unary("Rsqrt", lambda xp, x: xp.reciprocal(xp.sqrt(x)),
               lambda g, out, x: multiply(g, multiply(-0.5, multiply(out, square(out)))),
               "Returns `1 / sqrt(x)` elementwise.\n\n  Example: `tf.math.rsqrt(4.0)`.",
               floats_only=True)
exp = _unary("Exp", lambda xp, x: xp.exp(x), lambda g, out, x: multiply(g, out),
             "Returns `e ** x` elementwise.\n\n  Example: `tf.exp(1.0)`.", floats_only=True)
expm1 = _unary("Expm1", lambda xp, x: xp.expm1(x), lambda g, out, x: multiply(g, add(out, 1.0)),
               "Returns `exp(x) - 1` elementwise, exact for small `x`.\n\n"
               "  Example: `tf.math.expm1(1e-8)`.", floats_only=True)
log = _unary("Log", lambda xp, x: xp.log(x), lambda g, out, x: _realdiv(g, x),
             "Returns the natural logarithm of `x` elementwise.\n\n  Example: `tf.math.log(2.0)`.",
             floats_only=True)
log1p = _unary("Log1p", lambda xp, x: xp.log1p(x), lambda g, out, x: _realdiv(g, add(x, 1.0)),
               "Returns `log(1 + x)` elementwise, exact for small `x`.\n\n"
               "  Example: `tf.math.log1p(1e-8)`.", floats_only=True)
sin = _unary("Sin", lambda xp, x: xp.sin(x), lambda g, out, x: multiply(g, cos(x)),
             "Returns the sine of `x` elementwise.\n\n  Example: `tf.sin(0.0)`.", floats_only=True)
cos = _unary("Cos", lambda xp, x: xp.cos(x), lambda g, out, x: negative(multiply(g, sin(x))),
             "Returns the cosine of `x` elementwise.\n\n  Example: `tf.cos(0.0)`.",
             floats_only=True)
tan = _unary("Tan", lambda xp, x: xp.tan(x),
             lambda g, out, x: multiply(g, add(1.0, square(out))),
             "Returns the tangent of `x` elementwise.\n\n  Example: `tf.math.tan(0.5)`.",
             floats_only=True)
asin = _unary("Asin", lambda xp, x: xp.arcsin(x),
              lambda g, out, x: multiply(g, rsqrt(subtract(1.0, square(x)))),
              "Returns the arcsine of `x` elementwise.\n\n  Example: `tf.math.asin(0.5)`.",
              floats_only=True)
acos = _unary("Acos", lambda xp, x: xp.arccos(x),
              lambda g, out, x: negative(multiply(g, rsqrt(subtract(1.0, square(x))))),
              "Returns the arccosine of `x` elementwise.\n\n  Example: `tf.math.acos(0.5)`.",
              floats_only=True)
atan = _unary("Atan", lambda xp, x: xp.arctan(x),
              lambda g, out, x: _realdiv(g, add(1.0, square(x))),
              "Returns the arctangent of `x` elementwise.\n\n  Example: `tf.math.atan(1.0)`.",
              floats_only=True)
sinh = _unary("Sinh", lambda xp, x: xp.sinh(x), lambda g, out, x: multiply(g, cosh(x)),
              "Returns the hyperbolic sine of `x`.\n\n  Example: `tf.math.sinh(1.0)`.",
              floats_only=True)
cosh = _unary("Cosh", lambda xp, x: xp.cosh(x), lambda g, out, x: multiply(g, sinh(x)),
              "Returns the hyperbolic cosine of `x`.\n\n  Example: `tf.math.cosh(1.0)`.",
              floats_only=True)
tanh = _unary("Tanh", lambda xp, x: xp.tanh(x),
              lambda g, out, x: multiply(g, subtract(1.0, square(out))),
              "Returns the hyperbolic tangent of `x`.\n\n  Example: `tf.tanh(0.5)`.",
              floats_only=True)


def _sigmoid_impl(xp, x):
    # exp(-|x|) never overflows; both branches are exact in float32
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


sigmoid = _unary("Sigmoid", _sigmoid_impl,
                 lambda g, out, x: multiply(g, multiply(out, subtract(1.0, out))),
                 "Returns `1 / (1 + exp(-x))` elementwise.\n\n  Example: `tf.sigmoid(0.0)`.",
                 floats_only=True)
reciprocal = _unary("Reciprocal", lambda xp, x: xp.reciprocal(x),
                    lambda g, out, x: negative(multiply(g, square(out))),
                    "Returns `1 / x` elementwise.\n\n  Example: `tf.math.reciprocal(4.0)`.")
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


def _erf_impl(xp, x):
    try:
        from scipy.special import erf as _erf  # optional, exact

        return _erf(x).astype(x.dtype, copy=False)
    except ImportError:  # pragma: no cover - Abramowitz-Stegun 7.1.26 refined by one Newton step
        a = xp.abs(x.astype(np.float64))
        t = 1.0 / (1.0 + 0.3275911 * a)
        y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
                 + 0.254829592) * t * xp.exp(-a * a)
        return (xp.sign(x) * y).astype(x.dtype)


erf = _unary("Erf", _erf_impl,
             lambda g, out, x: multiply(g, multiply(2.0 / np.sqrt(np.pi),
                                                    exp(negative(square(x))))),
             "Returns the Gauss error function of `x`.\n\n  Example: `tf.math.erf(0.5)`.",
             floats_only=True)
is_nan = _unary("IsNan", lambda xp, x: xp.isnan(x), None,
                "Returns which elements of `x` are NaN.\n\n  Example: `tf.math.is_nan(0.0)`.",
                nondiff=True, floats_only=True)
is_inf = _unary("IsInf", lambda xp, x: xp.isinf(x), None,
                "Returns which elements of `x` are infinite.\n\n  Example: `tf.math.is_inf(1.0)`.",
                nondiff=True, floats_only=True)
is_finite = _unary("IsFinite", lambda xp, x: xp.isfinite(x), None,
                   "Returns which elements of `x` are finite.\n\n"
                   "  Example: `tf.math.is_finite(1.0)`.", nondiff=True, floats_only=True)
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


def saturate_cast(value, dtype, name=None) -> Tensor:
    """Casts `value` to `dtype`, clipping to the target's range first."""
    dtype = dtypes.as_dtype(dtype)
    value = convert_to_tensor(value)
    if dtype.is_integer or dtype.is_floating:
        lo, hi = dtype.min, dtype.max
        if value.dtype.is_floating or value.dtype.is_integer:
            vlo, vhi = value.dtype.min, value.dtype.max
            value = clip_by_value(value, max(lo, vlo), min(hi, vhi))
    return cast(value, dtype)


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


def clip_by_value(t, clip_value_min, clip_value_max, name=None) -> Tensor:
    """Clips values of `t` into `[clip_value_min, clip_value_max]`.

    The gradient passes where the value was not clipped.

    Example:
      >>> tf.clip_by_value(tf.constant([-2., 0.5, 3.]), -1., 1.)
      <tf.Tensor: shape=(3,), dtype=float32, numpy=array([-1. ,  0.5,  1. ], dtype=float32)>
    """
    t = convert_to_tensor(t)
    lo = convert_to_tensor(clip_value_min, dtype=t.dtype)
    hi = convert_to_tensor(clip_value_max, dtype=t.dtype)
    return minimum(maximum(t, lo), hi)


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
    if n is None:
        return xp.broadcast_to(g.reshape(kept), shape)
    q = xp.divide(g, xp.asarray(n, g.dtype))  # elementwise, so dividing before broadcasting
    return xp.broadcast_to(q.reshape(kept), shape).copy()  # gives the same numbers


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
    return xp.sum(x, axis=axis, keepdims=keepdims, dtype=x.dtype if x.dtype.kind in "iu" else None)


_sum.defvjp(lambda g, out, x, axis, keepdims: _expand_back(g, x, axis, keepdims))


@primitive("Mean")
def _mean(xp, x, axis, keepdims):
    """Mean over `axis` (integer means truncate, as TF)."""
    if x.dtype.kind in "iu":
        s = xp.sum(x, axis=axis, keepdims=keepdims, dtype=np.int64)
        n = x.size // max(s.size, 1) if x.size else 1
        # TF's integer mean truncates toward zero (C division), not toward -inf
        return ((xp.abs(s) // n) * xp.sign(s) if n else s).astype(x.dtype)
    return xp.mean(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


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


@primitive("Cumsum")
def _cumsum(xp, x, axis, exclusive, reverse):
    if reverse:
        x = xp.flip(x, axis)
    r = xp.cumsum(x, axis=axis, dtype=x.dtype)
    if exclusive:
        r = xp.concatenate([xp.zeros_like(xp.take(r, [0], axis=axis)),
                            xp.take(r, range(r.shape[axis] - 1), axis=axis)], axis=axis)
    return xp.flip(r, axis) if reverse else r


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
    if reverse:
        x = xp.flip(x, axis)
    r = xp.cumprod(x, axis=axis, dtype=x.dtype)
    if exclusive:
        r = xp.concatenate([xp.ones_like(xp.take(r, [0], axis=axis)),
                            xp.take(r, range(r.shape[axis] - 1), axis=axis)], axis=axis)
    return xp.flip(r, axis) if reverse else r


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


# =============================== composites ===============================


def add_n(inputs, name=None) -> Tensor:
    """Adds all input tensors elementwise (same shape and dtype).

    Example: `tf.add_n([tf.ones(2), tf.ones(2)])` is [2., 2.].
    """
    inputs = list(inputs)
    if not inputs:
        raise ValueError("inputs must be an iterable of at least one Tensor/IndexedSlices with the "
                         "same dtype and shape")
    total = convert_to_tensor(inputs[0])
    for t in inputs[1:]:
        t = convert_to_tensor(t)
        if t._v.shape != total._v.shape:
            raise errors.invalid_argument(
                f"Shapes must be equal rank, but are {total.shape} and {t.shape}", "AddN")
        total = add(total, t)
    return total


def scalar_mul(scalar, x, name=None) -> Tensor:
    """Multiplies a tensor by a scalar.

    Example: `tf.math.scalar_mul(2., tf.ones(2))` is [2., 2.].
    """
    return multiply(x, scalar)


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


def softplus(features, name=None) -> Tensor:
    """Returns `log(exp(x) + 1)` elementwise, stably.

    Example: `tf.math.softplus(0.0)` is log(2).
    """
    x = convert_to_tensor(features)
    return add(maximum(x, 0.0), log1p(exp(negative(abs(x)))))


def log_sigmoid(x, name=None) -> Tensor:
    """Returns `log(sigmoid(x))` elementwise, stably.

    Example: `tf.math.log_sigmoid(0.0)` is -log(2).
    """
    return negative(softplus(negative(convert_to_tensor(x))))


def xlogy(x, y, name=None) -> Tensor:
    """Returns `x * log(y)`, or 0 where `x` is 0.

    Example: `tf.math.xlogy(0., 0.)` is 0.
    """
    x, y = binary_operands(x, y, "Xlogy")
    safe = where(equal(x, 0.0), ones_like(y), y)
    return where(equal(x, 0.0), zeros_like(x), multiply(x, log(safe)))


def polyval(coeffs, x, name=None) -> Tensor:
    """Evaluates a polynomial with coefficients `coeffs` (highest power first) at `x`.

    Example: `tf.math.polyval([1., 0., 2.], 3.)` is 11.
    """
    x = convert_to_tensor(x)
    r = zeros_like(x)
    for c in coeffs:
        r = add(multiply(r, x), c)
    return r


def floor_div(x, y, name=None) -> Tensor:
    """Alias of `floordiv`."""
    return floordiv(x, y)


@primitive("Real", "unary")
def _real(xp, x):
    return xp.real(x)


_real.defvjp(lambda g, out, x: complex(g, zeros_like(g)))


@primitive("Imag", "unary")
def _imag(xp, x):
    return xp.imag(x)


_imag.defvjp(lambda g, out, x: complex(zeros_like(g), g))


@primitive("Complex", "binary")
def _complex(xp, re, im):
    return xp.add(re, xp.multiply(im, 1j), dtype=np.complex64 if re.dtype == np.float32
                  else np.complex128)


_complex.defvjp(lambda g, out, re, im: _real(g), lambda g, out, re, im: _imag(g))


def complex(real, imag, name=None) -> Tensor:  # noqa: A001 - TF's public name
    """Builds a complex tensor from real and imaginary parts (float32 -> complex64).

    Example: `tf.complex(1.0, 2.0)` is (1+2j).
    """
    return _complex(real, imag)


def real(input, name=None) -> Tensor:  # noqa: A002
    """The real part of a (complex) tensor; a real tensor is returned as is.

    Example: `tf.math.real(tf.constant([1+2j]))` is [1.].
    """
    x = convert_to_tensor(input)
    return _real(x) if x.dtype.is_complex else x


def imag(input, name=None) -> Tensor:  # noqa: A002
    """The imaginary part of a (complex) tensor (zeros for real tensors).

    Example: `tf.math.imag(tf.constant([1+2j]))` is [2.].
    """
    x = convert_to_tensor(input)
    return _imag(x) if x.dtype.is_complex else zeros_like(x)
