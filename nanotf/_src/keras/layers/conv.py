"""Convolution layers: Conv1D, Conv2D, Conv2DTranspose (on the core's im2col/GEMM conv ops)."""

from __future__ import annotations

from nanotf._src import ops
from nanotf._src.keras import activations, backend, constraints, initializers, regularizers
from nanotf._src.keras.input_spec import InputSpec
from nanotf._src.keras.layer import Layer
from nanotf._src.ops.conv import fused_conv2d
from nanotf._src.tensor_shape import TensorShape


def _ser(obj, module):
    return None if obj is None else module.serialize(obj)


def normalize_tuple(value, n: int, name: str) -> tuple:
    """An int or n ints as a tuple of n ints (Keras's `conv_utils.normalize_tuple`)."""
    if isinstance(value, int):
        return (value,) * n
    try:
        value = tuple(int(v) for v in value)
    except TypeError:
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received: "
                         f"{value}") from None
    if len(value) != n:
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received: "
                         f"{value}")
    return value


class _Conv(Layer):
    """N-D convolution: `activation(conv(inputs, kernel) + bias)`."""

    rank = 2
    _fused_bias = True  # conv2d + bias_add as one op (rank 2, one group)

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if filters is not None and int(filters) <= 0:
            raise ValueError(f"Invalid value for argument `filters`. Expected a strictly "
                             f"positive value. Received filters={filters}.")
        self.filters = int(filters)
        self.groups = int(groups or 1)
        self.kernel_size = normalize_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = normalize_tuple(strides, self.rank, "strides")
        self.padding = padding.lower()
        if self.padding not in ("valid", "same", "causal") or (
                self.padding == "causal" and self.rank != 1):
            raise ValueError(f"The `padding` argument must be a string, one of 'valid', 'same'"
                             f"{', or causal' if self.rank == 1 else ''} (case-insensitive). "
                             f"Received: padding={padding}")
        self.data_format = backend.normalize_data_format(data_format)
        self.dilation_rate = normalize_tuple(dilation_rate, self.rank, "dilation_rate")
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=self.rank + 2)
        if self.filters % self.groups:
            raise ValueError(f"The number of filters must be evenly divisible by the number of "
                             f"groups. Received: groups={self.groups}, filters={self.filters}")

    @property
    def _channel_axis(self) -> int:
        return 1 if self.data_format == "channels_first" else -1

    def _kernel_shape(self, channels: int) -> tuple:
        return self.kernel_size + (channels // self.groups, self.filters)

    def build(self, input_shape) -> None:
        shape = TensorShape(input_shape)
        channels = shape[self._channel_axis]
        if channels is None:
            raise ValueError(f"The channel dimension of the inputs should be defined. The "
                             f"input_shape received is {input_shape}, where axis "
                             f"{self._channel_axis} (0-based) is the channel dimension, which "
                             f"found to be `None`.")
        if channels % self.groups:
            raise ValueError(f"The number of input channels must be evenly divisible by the "
                             f"number of groups. Received groups={self.groups}, but the input "
                             f"has {channels} channels (full input shape is {input_shape}).")
        self.kernel = self.add_weight("kernel", shape=self._kernel_shape(channels),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = self.add_weight("bias", shape=(self.filters,),
                                    initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.input_spec = InputSpec(min_ndim=self.rank + 2,
                                    axes={self._channel_axis: channels})
        self.built = True

    def _conv(self, x, kernel):
        cf = self.data_format == "channels_first"
        padding = self.padding.upper()
        if self.rank == 1:
            if self.padding == "causal":
                left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
                x = ops.pad(x, [[0, 0], [0, 0], [left, 0]] if cf else [[0, 0], [left, 0], [0, 0]])
                padding = "VALID"
            return ops.conv1d(x, kernel, self.strides[0], padding,
                              data_format="NCW" if cf else "NWC", dilations=self.dilation_rate[0])
        return ops.conv2d(x, kernel, self.strides, padding, data_format="NCHW" if cf else "NHWC",
                          dilations=self.dilation_rate)

    def call(self, inputs):
        if inputs._v.dtype != self._compute_np:
            inputs = ops.cast(inputs, self._compute_np)
        if self._fused_bias and self.rank == 2 and self.groups == 1 and self.bias is not None:
            # one op for conv + bias (the bias rides in the GEMM), as TF's grappler fuses them
            cf = self.data_format == "channels_first"
            out = fused_conv2d(inputs, self.kernel, self.bias, self.strides, self.padding.upper(),
                               "NCHW" if cf else "NHWC", self.dilation_rate)
            return out if self.activation is activations.linear else self.activation(out)
        if self.groups == 1:
            out = self._conv(inputs, self.kernel)
        else:
            xs = ops.split(inputs, self.groups, axis=self._channel_axis)
            ks = ops.split(self.kernel, self.groups, axis=-1)
            out = ops.concat([self._conv(x, k) for x, k in zip(xs, ks)], self._channel_axis)
        if self.bias is not None:
            out = ops.bias_add(out, self.bias, data_format="NC" if self._channel_axis == 1
                               else None)
        if self.activation is not activations.linear:
            out = self.activation(out)
        return out

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate, "groups": self.groups,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": _ser(self.kernel_initializer, initializers),
                "bias_initializer": _ser(self.bias_initializer, initializers),
                "kernel_regularizer": _ser(self.kernel_regularizer, regularizers),
                "bias_regularizer": _ser(self.bias_regularizer, regularizers),
                "activity_regularizer": _ser(self.activity_regularizer, regularizers),
                "kernel_constraint": _ser(self.kernel_constraint, constraints),
                "bias_constraint": _ser(self.bias_constraint, constraints)}


class Conv1D(_Conv):
    """1-D convolution over `(batch, steps, channels)`; `padding` may also be `'causal'`.

    Example:
      >>> tf.keras.layers.Conv1D(4, 3)(tf.ones([2, 10, 1])).shape
      TensorShape([2, 8, 4])
    """

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid",
                 data_format="channels_last", dilation_rate=1, groups=1, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate,
                         groups, **kwargs)


class Conv2D(_Conv):
    """2-D convolution over `(batch, rows, cols, channels)` images (channels_last).

    Args:
      filters: the number of output channels.
      kernel_size: an int or (rows, cols).
      strides: an int or (rows, cols).
      padding: `'valid'` or `'same'`.
      activation: an activation name or function.

    Example:
      >>> tf.keras.layers.Conv2D(8, 3, activation='relu')(tf.ones([1, 28, 28, 1])).shape
      TensorShape([1, 26, 26, 8])
    """

    rank = 2


class Conv2DTranspose(_Conv):
    """Transposed 2-D convolution (the gradient of Conv2D with respect to its input)."""

    rank = 2
    _fused_bias = False

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None,
                 data_format=None, dilation_rate=(1, 1), **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate,
                         **kwargs)
        self.output_padding = None if output_padding is None else normalize_tuple(
            output_padding, 2, "output_padding")

    def _kernel_shape(self, channels: int) -> tuple:
        return self.kernel_size + (self.filters, channels)

    def _out_dim(self, size, k, s, d, p):
        k = (k - 1) * d + 1
        if size is None:
            return None
        if self.padding == "valid":
            n = size * s + max(k - s, 0)
        else:
            n = size * s
        return n if p is None else (size - 1) * s + k - (k // 2 if self.padding == "same" else 0) \
            * 2 + p

    def _conv(self, x, kernel):
        cf = self.data_format == "channels_first"
        shape = x.shape.as_list()
        dims = shape[2:] if cf else shape[1:3]
        pads = self.output_padding or (None, None)
        out = [self._out_dim(n, k, s, d, p) for n, k, s, d, p in zip(
            dims, self.kernel_size, self.strides, self.dilation_rate, pads)]
        batch = shape[0] if shape[0] is not None else ops.shape(x)[0]
        full = [batch, self.filters] + out if cf else [batch] + out + [self.filters]
        return ops.conv2d_transpose(x, kernel, full, self.strides, self.padding.upper(),
                                    data_format="NCHW" if cf else "NHWC",
                                    dilations=self.dilation_rate)

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("groups", None)
        return {**config, "output_padding": self.output_padding}


# Keras 2 aliases
Convolution1D, Convolution2D, Convolution2DTranspose = Conv1D, Conv2D, Conv2DTranspose


__all__ = [
    "Conv1D", "Conv2D", "Conv2DTranspose", "Convolution1D", "Convolution2D",
    "Convolution2DTranspose",
]
