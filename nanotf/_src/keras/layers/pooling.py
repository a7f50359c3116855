"""Pooling layers: Max/AveragePooling1D/2D and the global pooling layers."""

from __future__ import annotations

from nanotf._src import ops
from nanotf._src.keras import backend
from nanotf._src.keras.input_spec import InputSpec
from nanotf._src.keras.layer import Layer
from nanotf._src.keras.layers.conv import normalize_tuple


class _Pool(Layer):
    """Windowed pooling over the spatial axes (`pool_size`, `strides` default to `pool_size`)."""

    rank = 2
    _op = "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        if strides is None:
            strides = pool_size
        self.pool_size = normalize_tuple(pool_size, self.rank, "pool_size")
        self.strides = normalize_tuple(strides, self.rank, "strides")
        self.padding = padding.lower()
        if self.padding not in ("valid", "same"):
            raise ValueError(f"The `padding` argument must be a string, one of 'valid', 'same' "
                             f"(case-insensitive). Received: padding={padding}")
        self.data_format = backend.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        cf = self.data_format == "channels_first"
        if self.rank == 1:
            fn = ops.max_pool1d if self._op == "max" else ops.avg_pool1d
            fmt = "NCW" if cf else "NWC"
        else:
            fn = ops.max_pool2d if self._op == "max" else ops.avg_pool2d
            fmt = "NCHW" if cf else "NHWC"
        return fn(inputs, self.pool_size, self.strides, self.padding.upper(), data_format=fmt)

    def get_config(self) -> dict:
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}


class MaxPooling1D(_Pool):
    """Max over windows of `pool_size` steps."""

    rank = 1

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format="channels_last",
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        order = ["name", "trainable", "dtype", "strides", "pool_size", "padding", "data_format"]
        return {k: config[k] for k in order if k in config} | {
            k: v for k, v in config.items() if k not in order}


class AveragePooling1D(MaxPooling1D):
    """Mean over windows of `pool_size` steps."""

    _op = "avg"


class MaxPooling2D(_Pool):
    """Max over `pool_size` windows of images.

    Example:
      >>> tf.keras.layers.MaxPooling2D()(tf.ones([1, 28, 28, 3])).shape
      TensorShape([1, 14, 14, 3])
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling2D(MaxPooling2D):
    """Mean over `pool_size` windows of images."""

    _op = "avg"


class _GlobalPool(Layer):
    """Reduces the spatial axes with max or mean (`keepdims` keeps them as size 1)."""

    rank = 2
    _op = "avg"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = backend.normalize_data_format(data_format)
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        axes = list(range(2, 2 + self.rank)) if self.data_format == "channels_first" \
            else list(range(1, 1 + self.rank))
        fn = ops.reduce_max if self._op == "max" else ops.reduce_mean
        return fn(inputs, axis=axes, keepdims=self.keepdims)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}


class GlobalAveragePooling1D(_GlobalPool):
    """Mean over the steps axis: `(batch, steps, features)` -> `(batch, features)`; masked
    steps (from `Embedding(mask_zero=True)` or `Masking`) are left out."""

    rank = 1

    def __init__(self, data_format="channels_last", **kwargs):
        super().__init__(data_format, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None or self._op != "avg":
            return super().call(inputs)
        axis = 2 if self.data_format == "channels_first" else 1
        m = ops.cast(mask, inputs.dtype)
        m = m[:, None, :] if axis == 2 else m[:, :, None]
        total = ops.reduce_sum(inputs * m, axis=axis, keepdims=self.keepdims)
        return total / ops.reduce_sum(m, axis=axis, keepdims=self.keepdims)

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalMaxPooling1D(GlobalAveragePooling1D):
    """Max over the steps axis (masks are ignored, as in Keras 2)."""

    _op = "max"


class GlobalAveragePooling2D(_GlobalPool):
    """Mean over rows and columns: `(batch, h, w, c)` -> `(batch, c)`."""


class GlobalMaxPooling2D(_GlobalPool):
    """Max over rows and columns."""

    _op = "max"


# Keras 2 aliases
MaxPool1D, MaxPool2D, AvgPool1D, AvgPool2D = MaxPooling1D, MaxPooling2D, AveragePooling1D, \
    AveragePooling2D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D


__all__ = [
    "AveragePooling1D", "AveragePooling2D", "AvgPool1D", "AvgPool2D", "GlobalAveragePooling1D",
    "GlobalAveragePooling2D", "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalMaxPool1D",
    "GlobalMaxPool2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "MaxPool1D", "MaxPool2D",
    "MaxPooling1D", "MaxPooling2D",
]
