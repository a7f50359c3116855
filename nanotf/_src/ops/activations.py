"""`tf.nn` activations: relu, relu6, elu, selu, gelu, leaky_relu, softsign, silu, crelu.

Also the dtype checks the other nn families share (`_floating`, `_attr_error`).
"""

from __future__ import annotations

from nanotf._src import dtypes, errors
from nanotf._src.backend import np
from nanotf._src.dispatch import primitive
from nanotf._src.ops import array as arr
from nanotf._src.ops import math as m
from nanotf._src.ops.eigen32 import _exp
from nanotf._src.tensor import Tensor, convert_to_tensor

_C_NAMES = {"float16": "half", "float32": "float", "float64": "double"}


def _attr_error(attr: str, dt, allowed: str) -> errors.InvalidArgumentError:
    """TF's kernel-registration error (raised before the op runs, so no [Op:...] tag)."""
    name = _C_NAMES.get(dt.name, dt.name)
    return errors.InvalidArgumentError(
        None, None, f"Value for attr '{attr}' of {name} is not in the list of allowed values: "
                    f"{allowed}")


def _floating(x: Tensor, op: str) -> None:
    if x._v.dtype.kind != "f":
        raise _attr_error("T", x.dtype, "half, bfloat16, float, double")


# =============================== activations ===============================


@primitive("Relu", "unary")
def relu(xp, x):
    """Rectified linear unit: `max(x, 0)` (the gradient at 0 is 0, as TF).

    Example:
      >>> tf.nn.relu([-1.0, 2.0])
      <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0., 2.], dtype=float32)>
    """
    return xp.maximum(x, x.dtype.type(0))


@primitive("ReluGrad")
def _relu_grad(xp, g, x):
    """`g` where `x > 0`, else 0 (a product, as TF's kernel: much faster than a select)."""
    return g * (x > 0)


_relu_grad.defvjp(lambda h, out, g, x: _relu_grad(h, x), None)
relu.defvjp(lambda g, out, x: _relu_grad(g, out))


@primitive("Relu6", "unary")
def relu6(xp, x):
    """`min(max(x, 0), 6)`.

    Example: `tf.nn.relu6([-1., 3., 8.])` is [0., 3., 6.].
    """
    return xp.minimum(xp.maximum(x, x.dtype.type(0)), x.dtype.type(6))


@primitive("Relu6Grad")
def _relu6_grad(xp, g, x):
    return g * ((x > 0) & (x < 6))


_relu6_grad.defvjp(lambda h, out, g, x: _relu6_grad(h, x), None)
relu6.defvjp(lambda g, out, x: _relu6_grad(g, x))


@primitive("Elu", "unary")
def _elu(xp, x):
    with np.errstate(over="ignore"):
        return xp.where(x < 0, _exp(xp, x) - x.dtype.type(1), x)


_elu.defvjp(lambda g, out, x: m.where(m.less(out, 0), m.multiply(g, m.add(out, 1.0)), g))


def elu(features, name=None) -> Tensor:
    """Exponential linear unit: `x` if `x > 0` else `exp(x) - 1`.

    Example: `tf.nn.elu([-1., 2.])` is [-0.63212055, 2.].
    """
    x = convert_to_tensor(features)
    _floating(x, "Elu")
    return _elu(x)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


@primitive("Selu", "unary")
def _selu(xp, x):
    t = x.dtype.type
    with np.errstate(over="ignore"):
        return xp.where(x < 0, t(_SELU_SCALE * _SELU_ALPHA) * (_exp(xp, x) - t(1)),
                        t(_SELU_SCALE) * x)


_selu.defvjp(lambda g, out, x: m.where(
    m.less(out, 0), m.multiply(g, m.add(out, _SELU_SCALE * _SELU_ALPHA)),
    m.multiply(g, _SELU_SCALE)))


def selu(features, name=None) -> Tensor:
    """Scaled ELU: `scale * x` if `x > 0` else `scale * alpha * (exp(x) - 1)`.

    Example: `tf.nn.selu([-1., 2.])` is [-1.1113307, 2.101402].
    """
    x = convert_to_tensor(features)
    _floating(x, "Selu")
    return _selu(x)


@primitive("Erfc", "unary")
def _erfc(xp, x):
    try:
        from scipy.special import erfc as _sc  # optional: accurate in the tails

        return _sc(x).astype(x.dtype, copy=False)
    except ImportError:  # pragma: no cover
        return (1 - m._erf_impl(xp, x)).astype(x.dtype, copy=False)


_erfc.defvjp(lambda g, out, x: m.multiply(
    g, m.multiply(-2.0 / np.sqrt(np.pi), m.exp(m.negative(m.square(x))))))


def gelu(features, approximate=False, name=None) -> Tensor:
    """Gaussian error linear unit, `x * P(X <= x)` for a standard normal `X`.

    Args:
      features: a floating tensor.
      approximate: use the tanh approximation.

    Example: `tf.nn.gelu([-1., 0., 1.])` is [-0.15865526, 0., 0.8413447].
    """
    x = convert_to_tensor(features)
    if not x.dtype.is_floating:
        raise ValueError("`features.dtype` must be a floating point tensor."
                         f"Received:features.dtype={x.dtype}")
    if approximate:
        coeff = m.cast(0.044715, x.dtype)
        inner = m.multiply(0.7978845608028654, m.add(x, m.multiply(coeff, m.pow(x, 3.0))))
        return m.multiply(m.multiply(0.5, x), m.add(1.0, m.tanh(inner)))
    return m.multiply(m.multiply(0.5, x),
                      _erfc(m.multiply(m.negative(x), m.cast(0.7071067811865476, x.dtype))))


def leaky_relu(features, alpha=0.2, name=None) -> Tensor:
    """Leaky ReLU: `x` if `x > 0` else `alpha * x` (integer inputs are cast to float32).

    Example: `tf.nn.leaky_relu([-2., 3.])` is [-0.4, 3.].
    """
    x = convert_to_tensor(features)
    if x.dtype.is_integer:
        x = m.cast(x, dtypes.float32)
    if isinstance(alpha, np.ndarray):
        alpha = alpha.item()
    return m.where(m.greater(x, 0), x, m.multiply(x, alpha))


@primitive("Softsign", "unary")
def _softsign(xp, x):
    return x / (xp.abs(x) + x.dtype.type(1))


_softsign.defvjp(lambda g, out, x: m.realdiv(g, m.square(m.add(m.abs(x), 1.0))))


def softsign(features, name=None) -> Tensor:
    """`x / (abs(x) + 1)`.

    Example: `tf.nn.softsign([-1., 2.])` is [-0.5, 0.6666667].
    """
    x = convert_to_tensor(features)
    _floating(x, "Softsign")
    return _softsign(x)


def silu(features, beta=1.0) -> Tensor:
    """Sigmoid linear unit (swish): `x * sigmoid(beta * x)`.

    Example: `tf.nn.silu([-1., 0., 2.])` is [-0.26894143, 0., 1.7615942].
    """
    x = convert_to_tensor(features)
    b = m.cast(convert_to_tensor(beta), x.dtype)
    return m.multiply(x, m.sigmoid(m.multiply(b, x)))


swish = silu


def crelu(features, axis=-1, name=None) -> Tensor:
    """Concatenated ReLU: `relu(concat([x, -x], axis))`, doubling that dimension.

    Example: `tf.nn.crelu([-1., 2.])` is [0., 2., 1., 0.].
    """
    x = convert_to_tensor(features)
    return relu(arr.concat([x, m.negative(x)], axis))


__all__ = [
    "crelu", "elu", "gelu", "leaky_relu", "relu", "relu6", "selu", "silu", "softsign", "swish"
]
