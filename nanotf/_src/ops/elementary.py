"""Elementary functions: pow, roots, exp and log, trigonometric and hyperbolic functions,
sigmoid, erf, and the float classes (is_nan, is_inf, is_finite).

Unary primitives are made by `arithmetic._unary`; VJP rules are written in nanotf ops.
"""

from __future__ import annotations

from nanotf._src import errors
from nanotf._src.backend import np
from nanotf._src.dispatch import primitive
from nanotf._src.ops.arithmetic import (
    _realdiv,
    _unary,
    add,
    multiply,
    negative,
    square,
    subtract,
    where,
)

# =============================== pow and atan2 ===============================


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

# =============================== unary functions ===============================


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
