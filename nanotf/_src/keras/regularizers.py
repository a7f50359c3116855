"""`tf.keras.regularizers`: weight penalties added to a layer's `losses`.

Coefficients are stored as float32 values, as Keras 2 does (`L2(0.01).l2 == 0.009999999776482582`).
"""

from __future__ import annotations

from nanotf._src import ops
from nanotf._src.backend import np
from nanotf._src.keras.serialization import deserialize_object, serialize_object, unknown_message
from nanotf._src.tensor import Tensor, constant


def _coef(v, name: str) -> float:
    if v is None:
        v = 0.0
    v = float(np.float32(v))
    if not np.isfinite(v) or v < 0:
        raise ValueError(f"Value for argument `{name}` must be a non-negative float. Received: "
                         f"{name}={v}")
    return v


class Regularizer:
    """Base class: `__call__(x)` returns a scalar penalty for weight `x`."""

    def __call__(self, x) -> Tensor:
        return constant(0.0)

    def get_config(self) -> dict:
        """The constructor arguments."""
        return {}

    @classmethod
    def from_config(cls, config: dict):
        """Builds a regularizer from `get_config()` output."""
        return cls(**config)


class L1L2(Regularizer):
    """`l1 * sum(|x|) + l2 * sum(x**2)`.

    Example:
      >>> tf.keras.regularizers.L1L2(l1=0.01)(tf.ones([2])).numpy()
      0.02
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _coef(l1, "l1")
        self.l2 = _coef(l2, "l2")

    def __call__(self, x) -> Tensor:
        out = None
        if self.l1:
            out = self.l1 * ops.reduce_sum(ops.abs(x))
        if self.l2:
            term = self.l2 * ops.reduce_sum(ops.square(x))
            out = term if out is None else out + term
        return constant(0.0, dtype=x.dtype) if out is None else out

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """`l1 * sum(|x|)` (default l1=0.01)."""

    def __init__(self, l1=0.01, **kwargs):
        l1 = kwargs.pop("l", l1)
        if kwargs:
            raise TypeError(f"Argument(s) not recognized: {kwargs}")
        self.l1 = _coef(l1, "l1")

    def __call__(self, x) -> Tensor:
        return self.l1 * ops.reduce_sum(ops.abs(x))

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(Regularizer):
    """`l2 * sum(x**2)` (default l2=0.01)."""

    def __init__(self, l2=0.01, **kwargs):
        l2 = kwargs.pop("l", l2)
        if kwargs:
            raise TypeError(f"Argument(s) not recognized: {kwargs}")
        self.l2 = _coef(l2, "l2")

    def __call__(self, x) -> Tensor:
        return self.l2 * ops.reduce_sum(ops.square(x))

    def get_config(self) -> dict:
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Penalizes non-orthogonal rows (or columns) of a 2-D weight (mean |off-diagonal of WWᵀ|)."""

    def __init__(self, factor=0.01, mode="rows"):
        if mode not in {"rows", "columns"}:
            raise ValueError(f"Invalid value for argument `mode`. Expected one of {{'rows', "
                             f"'columns'}}. Received: mode={mode}")
        self.factor = _coef(factor, "factor")
        self.mode = mode

    def __call__(self, x) -> Tensor:
        if x.shape.rank != 2:
            raise ValueError(f"Inputs to OrthogonalRegularizer must have rank 2. Received: "
                             f"inputs.shape == {x.shape}")
        if self.mode == "columns":
            x = ops.transpose(x)
        x = x / ops.sqrt(ops.reduce_sum(ops.square(x), axis=1, keepdims=True) + 1e-12)
        prod = ops.matmul(x, x, transpose_b=True)
        n = x.shape[0]
        off = ops.abs(prod) * constant(1.0 - np.eye(n), dtype=x.dtype)
        return self.factor * ops.reduce_sum(off) / (n * (n - 1) / 2)

    def get_config(self) -> dict:
        return {"factor": self.factor, "mode": self.mode}


def l1_l2(l1=0.01, l2=0.01) -> L1L2:
    """An `L1L2` regularizer with both coefficients (default 0.01 each)."""
    return L1L2(l1=l1, l2=l2)


l1, l2, orthogonal_regularizer = L1, L2, OrthogonalRegularizer

_OBJECTS: dict = {"Regularizer": Regularizer, "L1L2": L1L2, "L1": L1, "L2": L2,
                  "OrthogonalRegularizer": OrthogonalRegularizer, "l1": L1, "l2": L2,
                  "l1_l2": l1_l2, "orthogonal_regularizer": OrthogonalRegularizer}


def serialize(regularizer, use_legacy_format: bool = False) -> dict:
    """`{'module', 'class_name', 'config', 'registered_name'}` for a regularizer."""
    return serialize_object(regularizer, "keras.regularizers")


def deserialize(config, custom_objects=None, use_legacy_format: bool = False) -> Regularizer:
    """Rebuilds a regularizer from a name or a `serialize` dict."""
    if isinstance(config, str):
        config = {"class_name": config, "config": {}}
    return deserialize_object(config, _OBJECTS, custom_objects, "regularizer")


def get(identifier):
    """A regularizer from a name (`'l1'`, `'l2'`, `'l1_l2'`), a config dict or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        obj = _OBJECTS.get(identifier)
        if obj is None:
            from nanotf._src.keras.serialization import custom_object

            obj = custom_object(identifier)
        if obj is None:
            raise ValueError(unknown_message("regularizer", identifier))
        return obj() if callable(obj) else obj
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret regularizer identifier: {identifier}")
