"""Regularization layers: Dropout, SpatialDropout1D/2D, GaussianNoise, GaussianDropout,
ActivityRegularization. They change their input only when called with `training=True`."""

from __future__ import annotations

import math

from nanotf._src import ops
from nanotf._src.keras import backend, regularizers
from nanotf._src.keras.input_spec import InputSpec
from nanotf._src.keras.layer import Layer
from nanotf._src.ops import fast_random, nn_layers
from nanotf._src.ops import random as _random


class Dropout(Layer):
    """Zeroes a `rate` fraction of the inputs in training and scales the rest by `1/(1-rate)`.

    Args:
      rate: the fraction to drop, in [0, 1].
      noise_shape: the shape of the keep/drop mask (None dims take the input's size).
      seed: an int seed.

    Example:
      >>> tf.keras.layers.Dropout(0.5)(tf.ones([2, 2]), training=False).numpy()
      array([[1., 1.], [1., 1.]], dtype=float32)
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, (int, float)) and not 0 <= rate <= 1:
            raise ValueError(f"Invalid value {rate} received for `rate`, expected a value "
                             f"between 0 and 1.")
        self.rate, self.noise_shape, self.seed = rate, noise_shape, seed
        self.supports_masking = True

    def _noise_shape(self, inputs):
        if self.noise_shape is None:
            return None
        shape = inputs.shape.as_list()
        return [shape[i] if d is None else d for i, d in enumerate(self.noise_shape)]

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        if self.rate >= 1:
            return ops.zeros_like(inputs)
        # TF's seed rules with a cheaper mask sampler than TF's exact Philox bits (see fast_random)
        return nn_layers._dropout(inputs, self.rate, self._noise_shape(inputs), self.seed,
                                  fast_random.fast_uniform)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape,
                "seed": self.seed}


class SpatialDropout1D(Dropout):
    """Drops whole feature maps of `(batch, steps, channels)` inputs."""

    def __init__(self, rate, **kwargs):
        super().__init__(rate, **kwargs)
        self.input_spec = InputSpec(ndim=3)

    def _noise_shape(self, inputs):
        return [inputs.shape[0], 1, inputs.shape[2]]


class SpatialDropout2D(Dropout):
    """Drops whole feature maps of 4-D inputs."""

    def __init__(self, rate, data_format=None, **kwargs):
        super().__init__(rate, **kwargs)
        self.data_format = backend.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=4)

    def _noise_shape(self, inputs):
        s = inputs.shape
        if self.data_format == "channels_first":
            return [s[0], s[1], 1, 1]
        return [s[0], 1, 1, s[3]]

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}


class GaussianNoise(Layer):
    """Adds zero-mean Gaussian noise of `stddev` in training."""

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.stddev, self.seed = stddev, seed

    def call(self, inputs, training=None):
        if not training:
            return inputs
        return inputs + _random.normal(inputs.shape.as_list(), 0.0, self.stddev,
                                       dtype=inputs.dtype, seed=self.seed)

    def get_config(self) -> dict:
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(Layer):
    """Multiplies by Gaussian noise of mean 1 and stddev `sqrt(rate / (1 - rate))` in training."""

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.rate, self.seed = rate, seed

    def call(self, inputs, training=None):
        if not training or not 0 < self.rate < 1:
            return inputs
        std = math.sqrt(self.rate / (1.0 - self.rate))
        return inputs * _random.normal(inputs.shape.as_list(), 1.0, std, dtype=inputs.dtype,
                                       seed=self.seed)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class ActivityRegularization(Layer):
    """Adds an L1/L2 penalty on its input to the model's losses; returns the input."""

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.supports_masking = True
        self.l1, self.l2 = l1, l2

    def get_config(self) -> dict:
        config = super().get_config()
        return {**config, "l1": self.l1, "l2": self.l2}


__all__ = [
    "ActivityRegularization", "Dropout", "GaussianDropout", "GaussianNoise", "SpatialDropout1D",
    "SpatialDropout2D",
]
