"""Reshaping layers: Flatten, Reshape, Permute, RepeatVector, ZeroPadding, UpSampling, Cropping."""

from __future__ import annotations

from nanotf._src import ops
from nanotf._src.backend import np
from nanotf._src.keras import backend
from nanotf._src.keras.input_spec import InputSpec
from nanotf._src.keras.layer import Layer


def _tuple(value, n: int, name: str) -> tuple:
    if isinstance(value, int):
        return (value,) * n
    value = tuple(value)
    if len(value) != n:
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received: "
                         f"{name}={value}")
    return tuple(int(v) for v in value)


def _pairs(value, n: int, name: str) -> tuple:
    """`((lo, hi),) * n` from an int, n ints, or n pairs."""
    if isinstance(value, int):
        return ((value, value),) * n
    value = tuple(value)
    if len(value) != n:
        raise ValueError(f"`{name}` should have {n} elements. Received: {name}={value}.")
    return tuple((v, v) if isinstance(v, int) else tuple(v) for v in value)


class Flatten(Layer):
    """Flattens each sample to one dimension: `(batch, 28, 28)` -> `(batch, 784)`."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = backend.normalize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs):
        shape = inputs.shape.as_list()
        if self.data_format == "channels_first" and len(shape) > 2:
            inputs = ops.transpose(inputs, [0] + list(range(2, len(shape))) + [1])
            shape = inputs.shape.as_list()
        if len(shape) == 1:
            return ops.expand_dims(inputs, 1)
        if None not in shape[1:]:
            return ops.reshape(inputs, (-1, int(np.prod(shape[1:], dtype=np.int64))))
        if shape[0] is None:  # symbolic with unknown dims: shapes come from a concrete run
            raise ValueError("Flatten needs the batch or the feature dimensions to be known.")
        return ops.reshape(inputs, (shape[0], -1))

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    """Reshapes each sample to `target_shape` (one dimension may be -1)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)

    def _fix(self, shape) -> tuple:
        target = list(self.target_shape)
        if -1 not in target or None in shape[1:]:
            return tuple(target)
        known = int(np.prod([d for d in target if d != -1], dtype=np.int64))
        total = int(np.prod(shape[1:], dtype=np.int64))
        if known == 0 or total % known:
            raise ValueError(f"total size of new array must be unchanged, input_shape = "
                             f"{list(shape[1:])}, output_shape = {target}")
        target[target.index(-1)] = total // known
        return tuple(target)

    def call(self, inputs):
        shape = inputs.shape.as_list()
        target = self._fix(shape)
        if None not in shape[1:] and -1 not in target:
            n = int(np.prod(target, dtype=np.int64))
            if n != int(np.prod(shape[1:], dtype=np.int64)):
                raise ValueError(f"total size of new array must be unchanged, input_shape = "
                                 f"{list(shape[1:])}, output_shape = {list(self.target_shape)}")
            return ops.reshape(inputs, (-1,) + target)
        return ops.reshape(inputs, (shape[0] if shape[0] is not None else -1,) + target)

    def get_config(self) -> dict:
        return {**super().get_config(), "target_shape": self.target_shape}


class Permute(Layer):
    """Permutes the non-batch axes: `Permute((2, 1))` swaps axes 1 and 2."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Invalid permutation argument `dims` for Permute Layer. The set "
                             f"of indices in `dims` must be consecutive and start from 1. "
                             f"Received dims={dims}")
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs):
        return ops.transpose(inputs, (0,) + self.dims)

    def get_config(self) -> dict:
        return {**super().get_config(), "dims": self.dims}


class RepeatVector(Layer):
    """Repeats a `(batch, features)` input `n` times: `(batch, n, features)`."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = int(n)
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        return ops.tile(ops.reshape(inputs, (-1, 1, inputs.shape[-1])), [1, self.n, 1])

    def get_config(self) -> dict:
        return {**super().get_config(), "n": self.n}


class _Spatial(Layer):
    """Shared setup of the 1-D/2-D/3-D padding, upsampling and cropping layers."""

    rank = 2

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = "channels_last" if self.rank == 1 else \
            backend.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _axes(self) -> list:
        start = 2 if self.data_format == "channels_first" else 1
        return list(range(start, start + self.rank))

    def get_config(self) -> dict:
        config = super().get_config()
        if self.rank > 1:
            config["data_format"] = self.data_format
        return config


class ZeroPadding2D(_Spatial):
    """Pads rows and columns with zeros: `padding=1`, `(1, 2)` or `((top, bottom), (l, r))`."""

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.padding = _pairs(padding, self.rank, "padding")

    def call(self, inputs):
        pads = [[0, 0] for _ in range(self.rank + 2)]
        for ax, p in zip(self._axes(), self.padding):
            pads[ax] = list(p)
        return ops.pad(inputs, pads)

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self.padding}


class ZeroPadding1D(ZeroPadding2D):
    """Pads the steps axis with zeros: `padding=1` or `(before, after)`."""

    rank = 1

    def __init__(self, padding=1, **kwargs):
        padding = (padding,) if isinstance(padding, int) else (tuple(padding),)
        super().__init__(padding, **kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self.padding[0]}


class ZeroPadding3D(ZeroPadding2D):
    """Pads three spatial axes with zeros."""

    rank = 3

    def __init__(self, padding=(1, 1, 1), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class UpSampling2D(_Spatial):
    """Repeats rows and columns `size` times (nearest neighbour)."""

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(data_format, **kwargs)
        self.size = _tuple(size, self.rank, "size")
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError(f"`interpolation` argument should be one of `\"nearest\"` or "
                             f"`\"bilinear\"`. Received: \"{interpolation}\".")
        self.interpolation = interpolation

    def call(self, inputs):
        x = inputs
        for ax, s in zip(self._axes(), self.size):
            if s != 1:
                x = ops.repeat(x, s, axis=ax)
        return x

    def get_config(self) -> dict:
        config = {**super().get_config(), "size": self.size}
        if self.rank == 2:
            config["interpolation"] = self.interpolation
        return config


class UpSampling1D(UpSampling2D):
    """Repeats each step `size` times."""

    rank = 1

    def __init__(self, size=2, **kwargs):
        super().__init__(size=(size,) if isinstance(size, int) else size, **kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size[0]}


class Cropping2D(_Spatial):
    """Crops rows and columns: `cropping=((top, bottom), (left, right))`."""

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.cropping = _pairs(cropping, self.rank, "cropping")

    def call(self, inputs):
        key = [slice(None)] * (self.rank + 2)
        for ax, (lo, hi) in zip(self._axes(), self.cropping):
            key[ax] = slice(lo, -hi if hi else None)
        return inputs[tuple(key)]

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": self.cropping}


class Cropping1D(Cropping2D):
    """Crops the steps axis: `cropping=(before, after)`."""

    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        cropping = (cropping,) if isinstance(cropping, int) else (tuple(cropping),)
        super().__init__(cropping, **kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": self.cropping[0]}


__all__ = [
    "Cropping1D", "Cropping2D", "Flatten", "Permute", "RepeatVector", "Reshape", "UpSampling1D",
    "UpSampling2D", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
]
