"""`tf.keras.activations`: activation functions by name, with Keras 2 `get` / `serialize`.

Each function is a composite of core ops (no gradient code here).
"""

from __future__ import annotations

from typing import Callable

from nanotf._src import ops
from nanotf._src.tensor import Tensor, convert_to_tensor


def _t(x) -> Tensor:
    return x if isinstance(x, Tensor) else convert_to_tensor(x)


def softmax(x, axis=-1) -> Tensor:
    """Softmax over `axis` (the last by default); a 1-D input raises ValueError as in Keras 2.

    Example: `tf.keras.activations.softmax(tf.constant([[1., 2.]]))`.
    """
    x = _t(x)
    if x.shape.rank is not None and x.shape.rank <= 1:
        raise ValueError(f"Cannot apply softmax to a tensor that is 1D. Received input: {x}")
    if isinstance(axis, (list, tuple)):
        e = ops.exp(x - ops.reduce_max(x, axis=axis, keepdims=True))
        return e / ops.reduce_sum(e, axis=axis, keepdims=True)
    return ops.softmax(x, axis=axis)


def log_softmax(x, axis=-1) -> Tensor:
    """Log of the softmax over `axis`."""
    return ops.log_softmax(_t(x), axis=axis)


def relu(x, alpha=0.0, max_value=None, threshold=0.0) -> Tensor:
    """Rectified linear unit: `max(x, 0)`, with optional leak `alpha`, cap and threshold.

    Example:
      >>> tf.keras.activations.relu(tf.constant([-1., 2.])).numpy()
      array([0., 2.], dtype=float32)
    """
    x = _t(x)
    if alpha == 0 and max_value is None and threshold == 0:
        return ops.relu(x)
    if threshold != 0:
        y = ops.where(x > threshold, x, ops.zeros_like(x))
    else:
        y = ops.relu(x)
    if max_value is not None:
        y = ops.minimum(y, ops.cast(max_value, x.dtype))
    if alpha != 0:
        y = y + ops.where(x < threshold, (x - threshold) * alpha, ops.zeros_like(x))
    return y


def relu6(x) -> Tensor:
    """`min(max(x, 0), 6)`."""
    return ops.relu6(_t(x))


def leaky_relu(x, negative_slope=0.2) -> Tensor:
    """`x` for positive inputs, `negative_slope * x` otherwise."""
    return ops.leaky_relu(_t(x), alpha=negative_slope)


def elu(x, alpha=1.0) -> Tensor:
    """Exponential linear unit: `x` if `x > 0` else `alpha * (exp(x) - 1)`."""
    x = _t(x)
    y = ops.elu(x)
    return y if alpha == 1 else ops.where(x > 0, y, y * alpha)


def selu(x) -> Tensor:
    """Scaled exponential linear unit (self-normalizing)."""
    return ops.selu(_t(x))


def softplus(x) -> Tensor:
    """`log(exp(x) + 1)`."""
    return ops.softplus(_t(x))


def softsign(x) -> Tensor:
    """`x / (abs(x) + 1)`."""
    return ops.softsign(_t(x))


def swish(x) -> Tensor:
    """`x * sigmoid(x)` (also called silu)."""
    return ops.silu(_t(x))


silu = swish


def gelu(x, approximate=False) -> Tensor:
    """Gaussian error linear unit (`approximate` uses the tanh formula)."""
    return ops.gelu(_t(x), approximate=approximate)


def tanh(x) -> Tensor:
    """Hyperbolic tangent."""
    return ops.tanh(_t(x))


def sigmoid(x) -> Tensor:
    """`1 / (1 + exp(-x))`."""
    return ops.sigmoid(_t(x))


def exponential(x) -> Tensor:
    """`exp(x)`."""
    return ops.exp(_t(x))


def hard_sigmoid(x) -> Tensor:
    """Keras 2's piecewise-linear sigmoid: `clip(0.2 * x + 0.5, 0, 1)`."""
    x = _t(x)
    return ops.clip_by_value(x * 0.2 + 0.5, 0.0, 1.0)


def mish(x) -> Tensor:
    """`x * tanh(softplus(x))`."""
    x = _t(x)
    return x * ops.tanh(ops.softplus(x))


def linear(x):
    """The identity (returns its input unchanged)."""
    return x


_BY_NAME: dict = {f.__name__: f for f in (
    softmax, log_softmax, relu, relu6, leaky_relu, elu, selu, softplus, softsign, swish, gelu,
    tanh, sigmoid, exponential, hard_sigmoid, mish, linear)}
_BY_NAME["silu"] = swish


def serialize(activation, use_legacy_format: bool = False) -> str:
    """The name of a built-in activation (`'relu'`), also for `tf.nn` functions of that name.

    Example:
      >>> tf.keras.activations.serialize(tf.keras.activations.relu)
      'relu'
    """
    name = getattr(activation, "__name__", None)
    if name == "silu":
        name = "swish"
    if name in _BY_NAME:
        return name
    if hasattr(activation, "get_config"):
        from nanotf._src.keras.serialization import serialize_object

        return serialize_object(activation, "keras.activations")
    if name is not None:
        return name
    raise ValueError(f"Cannot serialize activation {activation!r}")


def deserialize(name, custom_objects=None, use_legacy_format: bool = False) -> Callable:
    """The activation called `name` (also looked up in `custom_objects`)."""
    if isinstance(name, dict):
        from nanotf._src.keras.serialization import deserialize_object

        return deserialize_object(name, _BY_NAME, custom_objects, "activation function")
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    fn = _BY_NAME.get(name)
    if fn is None:
        from nanotf._src.keras.serialization import custom_object

        fn = custom_object(name)
    if fn is None:
        raise ValueError(f"Unknown activation function '{name}' cannot be deserialized.")
    return fn


def get(identifier) -> Callable:
    """An activation from a name, a callable or None (`linear`).

    Example:
      >>> tf.keras.activations.get('relu') is tf.keras.activations.relu
      True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise TypeError(f"Could not interpret activation function identifier: {identifier}")
