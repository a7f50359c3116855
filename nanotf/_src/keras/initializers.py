"""`tf.keras.initializers`: weight initializers with Keras 2 names, defaults and seeding.

A seeded initializer draws with TF's stateless ops from `[seed, 0]`, so its values equal TF's; an
unseeded one picks its seed once, as tf_keras does (see `backend.initializer_seed`).
"""

from __future__ import annotations

import math

from nanotf._src import dtypes
from nanotf._src.backend import np
from nanotf._src.keras import backend
from nanotf._src.keras.serialization import deserialize_object, serialize_object, unknown_message
from nanotf._src.ops import random as _random
from nanotf._src.tensor import Tensor, tensor_of
from nanotf._src.tensor import constant as _constant


def _dtype(dtype, floating: bool, name: str):
    dt = dtypes.as_dtype(dtype or backend.floatx())
    if floating and not dt.is_floating:
        raise ValueError(f"Expected floating point type, got {dt}. Initializer {name} only "
                         f"supports floating point dtypes.")
    return dt


def _shape(shape) -> tuple:
    if hasattr(shape, "as_list"):
        shape = shape.as_list()
    return tuple(int(d) for d in shape)


class Initializer:
    """Base class: `__call__(shape, dtype=None)` returns a tensor; `get_config` its arguments."""

    def __call__(self, shape, dtype=None, **kwargs) -> Tensor:
        raise NotImplementedError("Initializer subclasses must implement `__call__()`.")

    def get_config(self) -> dict:
        """The constructor arguments."""
        return {}

    @classmethod
    def from_config(cls, config: dict):
        """Builds an initializer from `get_config()` output."""
        config = dict(config)
        config.pop("dtype", None)
        return cls(**config)


class Zeros(Initializer):
    """Fills with 0."""

    def __call__(self, shape, dtype=None, **kwargs) -> Tensor:
        dt = _dtype(dtype, False, "Zeros")
        return tensor_of(np.zeros(_shape(shape), dt._np))


class Ones(Initializer):
    """Fills with 1."""

    def __call__(self, shape, dtype=None, **kwargs) -> Tensor:
        dt = _dtype(dtype, False, "Ones")
        return tensor_of(np.ones(_shape(shape), dt._np))


class Constant(Initializer):
    """Fills with `value` (a scalar, or an array of the requested shape)."""

    def __init__(self, value=0):
        self.value = value

    def __call__(self, shape, dtype=None, **kwargs) -> Tensor:
        dt = _dtype(dtype, False, "Constant")
        return _constant(self.value, dtype=dt, shape=_shape(shape))

    def get_config(self) -> dict:
        return {"value": self.value}


class _Random(Initializer):
    """Shared seeding: a fixed stateless seed, or TF's legacy stateful ops under a global seed."""

    def __init__(self, seed=None):
        self.seed = seed
        self._seed = None if seed is None else int(seed)
        self._drawn = seed is not None

    def _draw(self, kind: str, shape, dt, a, b) -> Tensor:
        if not self._drawn:
            self._seed = backend.initializer_seed(None)
            self._drawn = True
        shape = _shape(shape)
        if self._seed is None:  # global tf seed set: stateful ops (reproducible, new each call)
            fn = {"uniform": _random.uniform, "normal": _random.normal,
                  "truncated": _random.truncated_normal}[kind]
            return fn(shape, a, b, dtype=dt)
        s = [self._seed, 0]
        if kind == "uniform":
            return _random.stateless_uniform(shape, s, a, b, dtype=dt)
        if kind == "normal":
            return _random.stateless_normal(shape, s, a, b, dtype=dt)
        return _random.stateless_truncated_normal(shape, s, a, b, dtype=dt)

    def get_config(self) -> dict:
        return {"seed": self.seed}


class RandomUniform(_Random):
    """Uniform values in `[minval, maxval)` (default ±0.05)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None, **kwargs) -> Tensor:
        dt = _dtype(dtype, False, "RandomUniform")
        if not (dt.is_floating or dt.is_integer):
            raise ValueError(f"Invalid dtype {dt}")
        return self._draw("uniform", shape, dt, self.minval, self.maxval)

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class RandomNormal(_Random):
    """Normal values with `mean` and `stddev` (default 0.05)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None, **kwargs) -> Tensor:
        dt = _dtype(dtype, True, "RandomNormal")
        return self._draw("normal", shape, dt, self.mean, self.stddev)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class TruncatedNormal(RandomNormal):
    """Normal values redrawn beyond two standard deviations (default stddev 0.05)."""

    def __call__(self, shape, dtype=None, **kwargs) -> Tensor:
        dt = _dtype(dtype, True, "TruncatedNormal")
        return self._draw("truncated", shape, dt, self.mean, self.stddev)


def compute_fans(shape) -> tuple:
    """`(fan_in, fan_out)` of a weight shape (conv kernels multiply by the receptive field)."""
    shape = _shape(shape)
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = int(np.prod(shape[:-2]))
    return shape[-2] * receptive, shape[-1] * receptive


class VarianceScaling(_Random):
    """Scales the variance by the fan-in, fan-out or their average.

    Args:
      scale: the variance scale (positive).
      mode: `'fan_in'`, `'fan_out'` or `'fan_avg'`.
      distribution: `'truncated_normal'`, `'untruncated_normal'` or `'uniform'`.
      seed: an int for reproducible values.
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        super().__init__(seed)
        if scale <= 0.0:
            raise ValueError(f"`scale` must be positive float. Received: scale={scale}.")
        if mode not in {"fan_in", "fan_out", "fan_avg"}:
            raise ValueError(f"Invalid `mode` argument: {mode}")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in {"uniform", "truncated_normal", "untruncated_normal"}:
            raise ValueError(f"Invalid `distribution` argument: {distribution}")
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape, dtype=None, **kwargs) -> Tensor:
        dt = _dtype(dtype, True, type(self).__name__)
        fan_in, fan_out = compute_fans(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        scale = self.scale / max(1.0, fan[self.mode])
        if self.distribution == "truncated_normal":
            # 0.8796... is the stddev of a unit normal truncated to [-2, 2]
            return self._draw("truncated", shape, dt, 0.0, math.sqrt(scale) / 0.87962566103423978)
        if self.distribution == "untruncated_normal":
            return self._draw("normal", shape, dt, 0.0, math.sqrt(scale))
        limit = math.sqrt(3.0 * scale)
        return self._draw("uniform", shape, dt, -limit, limit)

    def get_config(self) -> dict:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed}


def _preset(name: str, scale: float, mode: str, distribution: str, doc: str) -> type:
    def __init__(self, seed=None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed)

    def get_config(self) -> dict:
        return {"seed": self.seed}

    return type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config,
                                           "__doc__": doc, "__module__": __name__})


GlorotUniform = _preset("GlorotUniform", 1.0, "fan_avg", "uniform",
                        "Uniform in ±sqrt(6 / (fan_in + fan_out)) (Keras's default kernel init).")
GlorotNormal = _preset("GlorotNormal", 1.0, "fan_avg", "truncated_normal",
                       "Truncated normal with stddev sqrt(2 / (fan_in + fan_out)).")
LecunNormal = _preset("LecunNormal", 1.0, "fan_in", "truncated_normal",
                      "Truncated normal with stddev sqrt(1 / fan_in).")
LecunUniform = _preset("LecunUniform", 1.0, "fan_in", "uniform",
                       "Uniform in ±sqrt(3 / fan_in).")
HeNormal = _preset("HeNormal", 2.0, "fan_in", "truncated_normal",
                   "Truncated normal with stddev sqrt(2 / fan_in).")
HeUniform = _preset("HeUniform", 2.0, "fan_in", "uniform", "Uniform in ±sqrt(6 / fan_in).")


class Orthogonal(_Random):
    """An orthogonal matrix (QR of a normal sample), scaled by `gain`."""

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=None, **kwargs) -> Tensor:
        dt = _dtype(dtype, True, "Orthogonal")
        shape = _shape(shape)
        if len(shape) < 2:
            raise ValueError(f"The tensor to initialize must be at least two-dimensional. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        rows = int(np.prod(shape[:-1]))
        cols = shape[-1]
        flat = (max(rows, cols), min(rows, cols))
        a = self._draw("normal", flat, dt, 0.0, 1.0).numpy()
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return tensor_of((self.gain * q).reshape(shape).astype(dt._np))

    def get_config(self) -> dict:
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """`gain` times the identity matrix (2-D shapes only)."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None, **kwargs) -> Tensor:
        dt = _dtype(dtype, False, "Identity")
        shape = _shape(shape)
        if len(shape) != 2:
            raise ValueError(f"Identity matrix initializer can only be used for 2D matrices. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        return tensor_of((self.gain * np.eye(*shape)).astype(dt._np))

    def get_config(self) -> dict:
        return {"gain": self.gain}


_CLASSES = (Zeros, Ones, Constant, RandomUniform, RandomNormal, TruncatedNormal, VarianceScaling,
            GlorotUniform, GlorotNormal, LecunNormal, LecunUniform, HeNormal, HeUniform,
            Orthogonal, Identity)
_OBJECTS: dict = {c.__name__: c for c in _CLASSES}
_OBJECTS.update({
    "zeros": Zeros, "ones": Ones, "constant": Constant, "uniform": RandomUniform,
    "random_uniform": RandomUniform, "normal": RandomNormal, "random_normal": RandomNormal,
    "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal, "lecun_normal": LecunNormal,
    "lecun_uniform": LecunUniform, "he_normal": HeNormal, "he_uniform": HeUniform,
    "orthogonal": Orthogonal, "identity": Identity})

# Keras 2 exports the lower-case names as aliases of the classes.
zeros, ones, constant = Zeros, Ones, Constant
random_uniform, random_normal, truncated_normal = RandomUniform, RandomNormal, TruncatedNormal
glorot_uniform, glorot_normal, he_normal, he_uniform = GlorotUniform, GlorotNormal, HeNormal, \
    HeUniform
lecun_normal, lecun_uniform, orthogonal, identity = LecunNormal, LecunUniform, Orthogonal, Identity
variance_scaling = VarianceScaling


def serialize(initializer, use_legacy_format: bool = False) -> dict:
    """`{'module', 'class_name', 'config', 'registered_name'}` for an initializer."""
    return serialize_object(initializer, "keras.initializers")


def deserialize(config, custom_objects=None, use_legacy_format: bool = False) -> Initializer:
    """Rebuilds an initializer from a name or a `serialize` dict."""
    if isinstance(config, str):
        config = {"class_name": config, "config": {}}
    return deserialize_object(config, _OBJECTS, custom_objects, "initializer")


def get(identifier):
    """An initializer from a name, a config dict, a class, an instance or a callable.

    Example:
      >>> tf.keras.initializers.get('he_normal')
      <...HeNormal object at ...>
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _OBJECTS.get(identifier) or _OBJECTS.get(identifier.lower())
        if cls is None:
            from nanotf._src.keras.serialization import custom_object

            cls = custom_object(identifier)
        if cls is None:
            raise ValueError(unknown_message("initializer", identifier))
        return cls() if isinstance(cls, type) else cls
    if isinstance(identifier, type):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret initializer identifier: {identifier}")
