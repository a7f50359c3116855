"""`tf.math`: elementwise math, comparisons, reductions and casts.

The primitives live in `arithmetic.py` (arithmetic, comparisons, logic, casts, selection),
`elementary.py` (pow, exp/log, trigonometric functions, ...) and `reduction.py`. This module
re-exports them, since the other op families use `math as m`, and holds the composites.
"""

from __future__ import annotations

from nanotf._src import dtypes, errors
from nanotf._src.backend import np
from nanotf._src.dispatch import binary_operands, primitive
from nanotf._src.ops.arithmetic import *  # noqa: F401,F403 - re-exported
from nanotf._src.ops.arithmetic import (
    abs,
    add,
    cast,
    equal,
    floordiv,
    maximum,
    minimum,
    multiply,
    negative,
    ones_like,
    where,
    zeros_like,
)
from nanotf._src.ops.elementary import *  # noqa: F401,F403 - re-exported
from nanotf._src.ops.elementary import (
    _erf_impl,  # noqa: F401 - nn's erfc uses it
    exp,
    log,
    log1p,
)
from nanotf._src.ops.reduction import *  # noqa: F401,F403 - re-exported
from nanotf._src.tensor import Tensor, convert_to_tensor

# =============================== casts and clipping ===============================


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

# =============================== complex parts ===============================


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
