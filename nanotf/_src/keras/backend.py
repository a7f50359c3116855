"""`tf.keras.backend`: global Keras settings, name counters, learning phase, tensor helpers.

Keras 2 keeps per-session state here: `floatx`, `epsilon`, `image_data_format`, the per-prefix uid
counters that give layers unique names (`dense`, `dense_1`, ...) and the global learning phase.
`clear_session()` resets the counters and the learning phase.
"""

from __future__ import annotations

import random as _pyrandom
from typing import Any

from nanotf._src import dtypes, ops
from nanotf._src.backend import asnumpy
from nanotf._src.backend import np as _np
from nanotf._src.ops import random as _random
from nanotf._src.tensor import Tensor, convert_to_tensor
from nanotf._src.tensor import constant as _constant
from nanotf._src.variables import Variable

_config = {"floatx": "float32", "epsilon": 1e-7, "image_data_format": "channels_last"}
_uids: dict = {}
_learning_phase: list = []  # [] = unset; [0] or [1] after set_learning_phase


class _SeedGenerator:
    """The Python RNG that `set_random_seed` installs; unseeded initializers draw from it."""

    generator: _pyrandom.Random | None = None


_SEED_GENERATOR = _SeedGenerator()


# --- configuration ----------------------------------------------------------------------------
def floatx() -> str:
    """The default float type as a string, `'float32'` unless changed by `set_floatx`."""
    return _config["floatx"]


def set_floatx(value: str) -> None:
    """Sets the default float type (`'float16'`, `'float32'` or `'float64'`)."""
    value = str(dtypes.as_dtype(value).name) if not isinstance(value, str) else value
    if value not in {"float16", "bfloat16", "float32", "float64"}:
        raise ValueError(f"Unknown `floatx` value: {value}. Expected one of {{'float16', "
                         f"'bfloat16', 'float32', 'float64'}}")
    _config["floatx"] = value


def epsilon() -> float:
    """The fuzz factor used in numeric expressions (1e-7)."""
    return _config["epsilon"]


def set_epsilon(value: float) -> None:
    """Sets the fuzz factor."""
    _config["epsilon"] = float(value)


def image_data_format() -> str:
    """`'channels_last'` (default) or `'channels_first'`."""
    return _config["image_data_format"]


def set_image_data_format(data_format: str) -> None:
    """Sets the default image layout."""
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError("The `data_format` argument must be one of {'channels_first', "
                         f"'channels_last'}}. Received: data_format={data_format}")
    _config["image_data_format"] = data_format


def normalize_data_format(value) -> str:
    """`value` lower-cased and checked, or the global default when None."""
    value = image_data_format() if value is None else str(value).lower()
    if value not in {"channels_first", "channels_last"}:
        raise ValueError("The `data_format` argument must be one of {'channels_first', "
                         f"'channels_last'}}. Received: data_format={value}")
    return value


# --- names and session ------------------------------------------------------------------------
def get_uid(prefix: str = "") -> int:
    """A per-session counter for `prefix`, starting at 1.

    Example:
      >>> tf.keras.backend.get_uid('dense'), tf.keras.backend.get_uid('dense')
      (1, 2)
    """
    _uids[prefix] = _uids.get(prefix, 0) + 1
    return _uids[prefix]


def reset_uids() -> None:
    """Resets every name counter."""
    _uids.clear()


def unique_object_name(name: str, zero_based: bool = True) -> str:
    """`name`, `name_1`, ... (or `name_1`, `name_2`, ... when not `zero_based`)."""
    n = get_uid(name)
    if zero_based:
        n -= 1
    return name if n == 0 else f"{name}_{n}"


def clear_session() -> None:
    """Resets Keras's global state: layer-name counters and the learning phase.

    Example:
      >>> tf.keras.backend.clear_session()
      >>> tf.keras.layers.Dense(3).name
      'dense'
    """
    reset_uids()
    _learning_phase.clear()


# --- learning phase and call context ----------------------------------------------------------
def learning_phase() -> int:
    """The global learning phase (0 = test, 1 = train); 0 when never set."""
    return _learning_phase[0] if _learning_phase else 0


def set_learning_phase(value) -> None:
    """Sets the global learning phase (0 or 1): layers then default to that `training` mode."""
    if value not in {0, 1}:
        raise ValueError("Expected learning phase to be 0 or 1.")
    _learning_phase[:] = [int(value)]


def global_learning_phase_is_set() -> bool:
    """Whether `set_learning_phase` was called since the last `clear_session`."""
    return bool(_learning_phase)


# --- seeds ------------------------------------------------------------------------------------
def initializer_seed(seed):
    """The seed an initializer uses: its own, else one drawn like Keras (None = legacy stateful).

    Seeded and `set_random_seed` runs use stateless ops (TF's exact numbers); a plain
    `tf.random.set_seed` run uses the global-seeded stateful ops, so it is reproducible too.
    """
    if seed is not None:
        return int(seed)
    if _SEED_GENERATOR.generator is not None:
        return _SEED_GENERATOR.generator.randint(1, int(1e9))
    if _random.philox.global_seed() is not None:
        return None
    return _pyrandom.randint(1, int(1e9))


def set_random_seed(seed: int) -> None:
    """Seeds Python's `random`, NumPy and TensorFlow at once, for reproducible Keras programs.

    Example: `tf.keras.utils.set_random_seed(42)`.
    """
    if not isinstance(seed, int):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed} "
                         f"(of type {type(seed)})")
    _pyrandom.seed(seed)
    _np.random.seed(seed)
    _random.set_seed(seed)
    _SEED_GENERATOR.generator = _pyrandom.Random(seed)


# --- tensor helpers ---------------------------------------------------------------------------
def is_keras_tensor(x) -> bool:
    """Whether `x` is a symbolic Keras tensor (made by `tf.keras.Input` or a layer on one)."""
    if not isinstance(x, Tensor) and not hasattr(x, "shape"):
        raise ValueError(f"Unexpectedly found an instance of type `{type(x)}`. Expected a "
                         f"symbolic tensor instance.")
    return hasattr(x, "_keras_history") and getattr(x, "_symbolic", False)


def int_shape(x) -> tuple | None:
    """The static shape as a tuple of ints / None.

    Example:
      >>> tf.keras.backend.int_shape(tf.zeros([2, 3]))
      (2, 3)
    """
    try:
        shape = x.shape
        return tuple(shape) if not hasattr(shape, "as_list") else (
            tuple(shape.as_list()) if shape.rank is not None else None)
    except ValueError:
        return None


def ndim(x) -> int:
    """The rank of `x`."""
    return len(int_shape(x))


def dtype(x) -> str:
    """The dtype name of `x`, e.g. `'float32'`."""
    return x.dtype.name


def cast_to_floatx(x):
    """`x` as a NumPy array of `floatx()`."""
    return _np.asarray(x, dtype=floatx())


def constant(value, dtype=None, shape=None, name=None) -> Tensor:
    """A constant tensor of `dtype` (default `floatx()`)."""
    return _constant(value, dtype=dtype or floatx(), shape=shape)


def variable(value, dtype=None, name=None, constraint=None) -> Variable:
    """A Variable of `dtype` (default `floatx()`)."""
    return Variable(value, dtype=dtype or floatx(), name=name, constraint=constraint)


def get_value(x):
    """The value of a variable or tensor as a NumPy array."""
    return x.numpy() if hasattr(x, "numpy") else _np.asarray(x)


eval = get_value  # noqa: A001 - Keras's name


def batch_get_value(tensors) -> list:
    """`get_value` of each tensor."""
    return [get_value(t) for t in tensors]


def set_value(x: Variable, value) -> None:
    """Assigns a NumPy value to a variable."""
    x.assign(_np.asarray(value, dtype=x.dtype._np))


def batch_set_value(tuples) -> None:
    """`set_value` for each `(variable, value)` pair."""
    for x, value in tuples:
        set_value(x, value)


def count_params(x) -> int:
    """The number of elements of a variable or tensor."""
    return int(_np.prod(x.shape.as_list()))


def zeros(shape, dtype=None, name=None) -> Variable:
    """A zero-filled Variable of `dtype` (default `floatx()`)."""
    return variable(_np.zeros(shape, dtype=dtype or floatx()), dtype=dtype, name=name)


def ones(shape, dtype=None, name=None) -> Variable:
    """A one-filled Variable of `dtype` (default `floatx()`)."""
    return variable(_np.ones(shape, dtype=dtype or floatx()), dtype=dtype, name=name)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> Tensor:
    """Normal samples of `dtype` (default `floatx()`)."""
    return _random.normal(shape, mean, stddev, dtype or floatx(), seed)


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None) -> Tensor:
    """Uniform samples of `dtype` (default `floatx()`)."""
    return _random.uniform(shape, minval, maxval, dtype or floatx(), seed)


def _to_tensor(x, dt: Any = None) -> Tensor:
    return x if isinstance(x, Tensor) else convert_to_tensor(x, dtype=dt)


def mean(x, axis=None, keepdims=False) -> Tensor:
    """Mean over `axis`."""
    return ops.reduce_mean(_to_tensor(x), axis=axis, keepdims=keepdims)


def sum(x, axis=None, keepdims=False) -> Tensor:  # noqa: A001 - Keras's name
    """Sum over `axis`."""
    return ops.reduce_sum(_to_tensor(x), axis=axis, keepdims=keepdims)


def clip(x, min_value, max_value) -> Tensor:
    """Elementwise clipping to `[min_value, max_value]`."""
    return ops.clip_by_value(_to_tensor(x), min_value, max_value)


def to_numpy(x):
    """The array behind a tensor (internal helper)."""
    return asnumpy(x._v) if isinstance(x, Tensor) else _np.asarray(x)
