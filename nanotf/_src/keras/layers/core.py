"""Core layers: Dense, Activation, Softmax, ReLU, LeakyReLU, ELU, Lambda, Embedding, Identity."""

from __future__ import annotations

import base64
import inspect
import marshal
import types

from nanotf._src import ops
from nanotf._src.keras import activations, constraints, initializers, regularizers
from nanotf._src.keras.input_spec import InputSpec
from nanotf._src.keras.layer import Layer
from nanotf._src.tensor_shape import TensorShape


def _ser(obj, module):
    return None if obj is None else module.serialize(obj)


class Dense(Layer):
    """A densely-connected layer: `activation(inputs @ kernel + bias)`.

    Args:
      units: the output size (a positive int).
      activation: an activation name or function (default: none).
      use_bias: whether to add a bias vector.
      kernel_initializer, bias_initializer: initializers (`glorot_uniform`, `zeros`).
      kernel_regularizer, bias_regularizer, activity_regularizer: optional penalties.
      kernel_constraint, bias_constraint: optional projections applied after updates.

    Example:
      >>> tf.keras.layers.Dense(4, activation='relu')(tf.ones([2, 3])).shape
      TensorShape([2, 4])
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = int(units) if not isinstance(units, int) else units
        if self.units <= 0:
            raise ValueError(f"Received an invalid value for `units`, expected a positive "
                             f"integer. Received: units={units}")
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape) -> None:
        last = TensorShape(input_shape)[-1]
        if last is None:
            raise ValueError(f"The last dimension of the inputs to a Dense layer should be "
                             f"defined. Found None. Full input shape received: {input_shape}")
        self.input_spec = InputSpec(min_ndim=2, axes={-1: last})
        self.kernel = self.add_weight("kernel", shape=[last, self.units],
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = self.add_weight("bias", shape=[self.units], initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    def call(self, inputs):
        if inputs._v.dtype != self._compute_np:
            inputs = ops.cast(inputs, self._compute_np)
        out = ops.matmul(inputs, self.kernel)
        if self.bias is not None:
            out = out + self.bias
        if self.activation is not activations.linear:
            out = self.activation(out)
        return out

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "units": self.units, "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": _ser(self.kernel_initializer, initializers),
            "bias_initializer": _ser(self.bias_initializer, initializers),
            "kernel_regularizer": _ser(self.kernel_regularizer, regularizers),
            "bias_regularizer": _ser(self.bias_regularizer, regularizers),
            "activity_regularizer": _ser(self.activity_regularizer, regularizers),
            "kernel_constraint": _ser(self.kernel_constraint, constraints),
            "bias_constraint": _ser(self.bias_constraint, constraints)})
        return config


class Activation(Layer):
    """Applies an activation function: `Activation('relu')`."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Softmax(Layer):
    """Softmax over `axis` (the last by default)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.axis = axis

    def call(self, inputs, mask=None):
        if mask is not None:
            inputs = inputs + (1.0 - ops.cast(mask, inputs.dtype)) * -1e9
        if isinstance(self.axis, (list, tuple)):
            return ops.exp(inputs - ops.reduce_logsumexp(inputs, axis=self.axis, keepdims=True))
        return ops.softmax(inputs, axis=self.axis)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


class ReLU(Layer):
    """Rectified linear unit with optional cap, leak and threshold."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError(f"max_value of a ReLU layer cannot be a negative value. Received: "
                             f"{max_value}")
        if negative_slope is None or negative_slope < 0.0:
            raise ValueError(f"negative_slope of a ReLU layer cannot be a negative value. "
                             f"Received: {negative_slope}")
        if threshold is None or threshold < 0.0:
            raise ValueError(f"threshold of a ReLU layer cannot be a negative value. Received: "
                             f"{threshold}")
        self.supports_masking = True
        self.max_value = None if max_value is None else float(max_value)
        self.negative_slope, self.threshold = float(negative_slope), float(threshold)

    def call(self, inputs):
        return activations.relu(inputs, alpha=self.negative_slope, max_value=self.max_value,
                                threshold=self.threshold)

    def get_config(self) -> dict:
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(Layer):
    """`x` if `x > 0` else `alpha * x` (Keras 2 default alpha=0.3; `negative_slope` accepted)."""

    def __init__(self, alpha=0.3, **kwargs):
        alpha = kwargs.pop("negative_slope", alpha)
        super().__init__(**kwargs)
        if alpha is None:
            raise ValueError(f"The alpha value of a Leaky ReLU layer cannot be None, Expecting "
                             f"a float. Received: {alpha}")
        self.supports_masking = True
        self.alpha = float(alpha)

    def call(self, inputs):
        return ops.leaky_relu(inputs, alpha=self.alpha)

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha": self.alpha}


class ELU(Layer):
    """Exponential linear unit with scale `alpha` for negative inputs."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha = float(alpha)

    def call(self, inputs):
        return activations.elu(inputs, self.alpha)

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha": self.alpha}


class Masking(Layer):
    """Marks time steps whose features all equal `mask_value` as padding (zeroing them).

    Example:
      >>> x = tf.keras.layers.Masking()(np.array([[[1.], [0.]]], "float32"))
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.mask_value = mask_value

    def compute_mask(self, inputs, mask=None):
        return ops.reduce_any(ops.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs):
        keep = ops.reduce_any(ops.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        return inputs * ops.cast(keep, inputs.dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "mask_value": self.mask_value}


class Identity(Layer):
    """Returns its input unchanged."""

    def call(self, inputs):
        return inputs


def _fn_config(fn) -> tuple:
    if getattr(fn, "_keras_config", None) is not None:
        return fn._keras_config, "lambda", getattr(fn, "__module__", None)
    if isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>":
        code = base64.b64encode(marshal.dumps(fn.__code__)).decode("ascii")
        return (code, None, None), "lambda", getattr(fn, "__module__", None)
    return fn.__name__, "function", getattr(fn, "__module__", None)


def _fn_from_config(value, kind: str, module):
    if kind == "lambda":
        import sys

        code = marshal.loads(base64.b64decode(value[0] if isinstance(value, (list, tuple))
                                              else value))
        scope = getattr(sys.modules.get(module or ""), "__dict__", None) or globals()
        fn = types.FunctionType(code, scope)
        fn.__module__ = module
        fn._keras_config = value  # re-serialized as read (marshal output is not canonical)
        return fn
    from nanotf._src.keras.serialization import custom_object

    fn = custom_object(value)
    if fn is None and module:
        import importlib
        import sys

        mod = sys.modules.get(module) or importlib.import_module(module)
        fn = getattr(mod, value, None)
    if fn is None:
        raise ValueError(f"Unknown function in Lambda layer config: {value}")
    return fn


class Lambda(Layer):
    """Wraps a function of tensors as a layer: `Lambda(lambda x: x ** 2)`.

    Args:
      function: called as `function(inputs, **arguments)` (and `mask=`/`training=` if accepted).
      output_shape: the output shape (inferred when None).
      arguments: extra keyword arguments for `function`.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        self.function = function
        self.arguments = arguments or {}
        self._output_shape = output_shape
        self.mask = mask
        try:
            params = inspect.signature(function).parameters
        except (TypeError, ValueError):
            params = {}
        self._fn_training = "training" in params
        self._fn_mask = "mask" in params

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_mask:
            kwargs["mask"] = mask
        if self._fn_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return TensorShape(self._output_shape(input_shape))
        batch = TensorShape(input_shape)[0] if TensorShape(input_shape).rank else None
        return TensorShape((batch,) + tuple(self._output_shape))

    def get_config(self) -> dict:
        fn, kind, module = _fn_config(self.function)
        return {**super().get_config(), "function": fn, "function_type": kind,
                "module": module, "output_shape": self._output_shape, "arguments": self.arguments}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        fn = _fn_from_config(config.pop("function"), config.pop("function_type", "lambda"),
                             config.pop("module", None))
        for key in ("output_shape_type", "output_shape_module", "mask_type", "mask_module"):
            config.pop(key, None)
        return cls(fn, **config)


class Embedding(Layer):
    """Maps integer indices to dense vectors: `Embedding(1000, 64)`.

    Args:
      input_dim: the vocabulary size (largest index + 1).
      output_dim: the embedding size.
      embeddings_initializer: default `'uniform'` (±0.05).
      mask_zero: whether index 0 is padding (`compute_mask` returns `inputs != 0`).
      input_length: the sequence length, when fixed.
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, activity_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, input_length=None, **kwargs):
        if "input_shape" not in kwargs and "batch_input_shape" not in kwargs and input_length:
            kwargs["input_shape"] = (input_length,)
        if input_dim <= 0 or output_dim <= 0:
            raise ValueError(f"Both `input_dim` and `output_dim` should be positive, Received "
                             f"input_dim = {input_dim} and output_dim = {output_dim}")
        kwargs.setdefault("autocast", False)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero, self.input_length = mask_zero, input_length
        self.supports_masking = mask_zero

    def build(self, input_shape=None) -> None:
        self.embeddings = self.add_weight(
            "embeddings", shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer, regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint)
        self.built = True

    def call(self, inputs):
        if inputs.dtype.name not in ("int32", "int64"):
            inputs = ops.cast(inputs, "int32")
        return ops.gather(self.embeddings, inputs)

    def compute_mask(self, inputs, mask=None):
        return ops.not_equal(inputs, 0) if self.mask_zero else None

    def get_config(self) -> dict:
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": _ser(self.embeddings_initializer, initializers),
                "embeddings_regularizer": _ser(self.embeddings_regularizer, regularizers),
                "activity_regularizer": _ser(self.activity_regularizer, regularizers),
                "embeddings_constraint": _ser(self.embeddings_constraint, constraints),
                "mask_zero": self.mask_zero, "input_length": self.input_length}


__all__ = [
    "Activation", "Dense", "ELU", "Embedding", "Identity", "Lambda", "LeakyReLU", "Masking", "ReLU",
    "Softmax",
]
