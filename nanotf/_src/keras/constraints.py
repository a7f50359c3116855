"""`tf.keras.constraints`: projections that optimizers apply to a weight after each update."""

from __future__ import annotations

from nanotf._src import ops
from nanotf._src.keras import backend
from nanotf._src.keras.serialization import deserialize_object, serialize_object, unknown_message
from nanotf._src.tensor import Tensor


def _norms(w, axis) -> Tensor:
    return ops.sqrt(ops.reduce_sum(ops.square(w), axis=axis, keepdims=True))


class Constraint:
    """Base class: `__call__(w)` returns the projected weight."""

    def __call__(self, w):
        return w

    def get_config(self) -> dict:
        """The constructor arguments."""
        return {}

    @classmethod
    def from_config(cls, config: dict):
        """Builds a constraint from `get_config()` output."""
        return cls(**config)


class MaxNorm(Constraint):
    """Rescales weights whose norm along `axis` exceeds `max_value`.

    Example: `Dense(64, kernel_constraint=tf.keras.constraints.MaxNorm(2.))`.
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w) -> Tensor:
        norms = _norms(w, self.axis)
        desired = ops.clip_by_value(norms, 0.0, self.max_value)
        return w * (desired / (backend.epsilon() + norms))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Sets negative weights to zero."""

    def __call__(self, w) -> Tensor:
        return w * ops.cast(ops.greater_equal(w, 0.0), w.dtype)


class UnitNorm(Constraint):
    """Rescales weights to unit norm along `axis`."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w) -> Tensor:
        return w / (backend.epsilon() + _norms(w, self.axis))

    def get_config(self) -> dict:
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves norms along `axis` into `[min_value, max_value]` at `rate` (1 = fully)."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w) -> Tensor:
        norms = _norms(w, self.axis)
        desired = self.rate * ops.clip_by_value(norms, self.min_value, self.max_value) + \
            (1 - self.rate) * norms
        return w * (desired / (backend.epsilon() + norms))

    def get_config(self) -> dict:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


class RadialConstraint(Constraint):
    """Makes each 2-D conv kernel radially symmetric (accepted; applied as the identity)."""


max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm
radial_constraint = RadialConstraint

_OBJECTS: dict = {c.__name__: c for c in (Constraint, MaxNorm, NonNeg, UnitNorm, MinMaxNorm,
                                          RadialConstraint)}
_OBJECTS.update({"max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm,
                 "min_max_norm": MinMaxNorm, "radial_constraint": RadialConstraint})


def serialize(constraint, use_legacy_format: bool = False) -> dict:
    """`{'module', 'class_name', 'config', 'registered_name'}` for a constraint."""
    return serialize_object(constraint, "keras.constraints")


def deserialize(config, custom_objects=None, use_legacy_format: bool = False) -> Constraint:
    """Rebuilds a constraint from a name or a `serialize` dict."""
    if isinstance(config, str):
        config = {"class_name": config, "config": {}}
    return deserialize_object(config, _OBJECTS, custom_objects, "constraint")


def get(identifier):
    """A constraint from a name, a config dict or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _OBJECTS.get(identifier)
        if cls is None:
            raise ValueError(unknown_message("constraint", identifier))
        return cls()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret constraint identifier: {identifier}")
