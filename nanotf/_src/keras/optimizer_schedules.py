"""Learning-rate schedules (`tf.keras.optimizers.schedules`): callables from step to rate.

Each schedule computes in the dtype of its initial learning rate (float32) with the same formulas
as Keras 2, so the rates match TF's.
"""

from __future__ import annotations

import math
from typing import Any

from nanotf._src import dtypes, ops
from nanotf._src.tensor import Tensor, convert_to_tensor


class LearningRateSchedule:
    """Base class: a serializable `schedule(step) -> learning rate`.

    Subclasses implement `__call__(step)` and `get_config()`.
    """

    def __call__(self, step) -> Tensor:
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override "
                                  "`__call__(self, step)`.")

    def get_config(self) -> dict:
        """The constructor arguments."""
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override "
                                  "`get_config()` in order to be serializable.")

    @classmethod
    def from_config(cls, config: dict) -> LearningRateSchedule:
        """Creates a schedule from `get_config()`'s output."""
        return cls(**config)


def _lr(value) -> Tensor:
    t = convert_to_tensor(value)
    return t if t.dtype.is_floating else ops.cast(t, dtypes.float32)


class _StepDecay(LearningRateSchedule):
    """Shared by the decays of `initial_learning_rate` driven by `step / decay_steps`."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase: bool = False,
                 name: str | None = None):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def _progress(self, step):
        lr = _lr(self.initial_learning_rate)
        dt = lr.dtype
        p = ops.divide(ops.cast(step, dt), ops.cast(self.decay_steps, dt))
        if self.staircase:
            p = ops.floor(p)
        return lr, dt, p

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class ExponentialDecay(_StepDecay):
    """`initial_learning_rate * decay_rate ** (step / decay_steps)` (floored exponent if staircase).

    Example:
      >>> s = tf.keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)
      >>> s(10).numpy()
      0.05
    """

    def __call__(self, step) -> Tensor:
        lr, dt, p = self._progress(step)
        return ops.multiply(lr, ops.pow(ops.cast(self.decay_rate, dt), p))



class PiecewiseConstantDecay(LearningRateSchedule):
    """`values[i]` for steps in `(boundaries[i-1], boundaries[i]]`.

    Args:
      boundaries: increasing step boundaries.
      values: one more value than boundaries.
    """

    def __init__(self, boundaries, values, name: str | None = None):
        if len(boundaries) != len(values) - 1:
            raise ValueError("The length of boundaries should be 1 less than the length of "
                             f"values. Received: boundaries={boundaries} of length "
                             f"{len(boundaries)}, and values={values} of length {len(values)}.")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step) -> Tensor:
        x = convert_to_tensor(step)
        b = ops.cast(convert_to_tensor(list(self.boundaries)), x.dtype)
        idx = ops.reduce_sum(ops.cast(ops.greater(x, b), dtypes.int32))
        return ops.gather(convert_to_tensor(list(self.values)), idx)

    def get_config(self) -> dict:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """Polynomial decay from `initial_learning_rate` to `end_learning_rate` over `decay_steps`.

    Args:
      power: the polynomial's power (1.0 is linear).
      cycle: restart the decay (with a longer period) after `decay_steps`.
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001,
                 power: float = 1.0, cycle: bool = False, name: str | None = None):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step) -> Tensor:
        lr = _lr(self.initial_learning_rate)
        dt = lr.dtype
        end = ops.cast(self.end_learning_rate, dt)
        s = ops.cast(step, dt)
        steps = ops.cast(self.decay_steps, dt)
        if self.cycle:
            mult = ops.where(ops.equal(s, 0.0), ops.ones_like(s),
                             ops.ceil(ops.divide(s, ops.cast(self.decay_steps, dt))))
            steps = ops.multiply(steps, mult)
        else:
            s = ops.minimum(s, steps)
        p = ops.divide(s, steps)
        decayed = ops.pow(ops.subtract(ops.cast(1.0, dt), p), ops.cast(self.power, dt))
        return ops.add(ops.multiply(ops.subtract(lr, end), decayed), end)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class InverseTimeDecay(_StepDecay):
    """`initial_learning_rate / (1 + decay_rate * step / decay_steps)` (floored if staircase)."""

    def __call__(self, step) -> Tensor:
        lr, dt, p = self._progress(step)
        den = ops.add(ops.cast(1.0, dt), ops.multiply(ops.cast(self.decay_rate, dt), p))
        return ops.divide(lr, den)



def _cosine(lr, fraction, alpha, m_fac=None):
    dt = lr.dtype
    half = ops.cast(0.5, dt)
    cos = ops.add(ops.cast(1.0, dt), ops.cos(ops.multiply(ops.cast(math.pi, dt), fraction)))
    decayed = ops.multiply(half, cos) if m_fac is None else ops.multiply(
        ops.multiply(half, m_fac), cos)
    a = ops.cast(alpha, dt)
    return ops.multiply(lr, ops.add(ops.multiply(ops.subtract(ops.cast(1.0, dt), a), decayed), a))


class CosineDecay(LearningRateSchedule):
    """Cosine decay from `initial_learning_rate` to `alpha * initial_learning_rate` over
    `decay_steps`."""

    def __init__(self, initial_learning_rate, decay_steps, alpha: float = 0.0,
                 name: str | None = None):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name

    def __call__(self, step) -> Tensor:
        lr = _lr(self.initial_learning_rate)
        steps = ops.cast(self.decay_steps, lr.dtype)
        s = ops.minimum(ops.cast(step, lr.dtype), steps)
        return _cosine(lr, ops.divide(s, steps), self.alpha)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): periods grow by `t_mul`, peaks shrink by `m_mul`."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul: float = 2.0,
                 m_mul: float = 1.0, alpha: float = 0.0, name: str | None = None):
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def __call__(self, step) -> Tensor:
        lr = _lr(self.initial_learning_rate)
        dt = lr.dtype
        one = ops.cast(1.0, dt)
        t_mul, m_mul = ops.cast(self._t_mul, dt), ops.cast(self._m_mul, dt)
        frac = ops.divide(ops.cast(step, dt), ops.cast(self.first_decay_steps, dt))
        if self._t_mul == 1.0:
            i = ops.floor(frac)
            frac = ops.subtract(frac, i)
        else:
            i = ops.floor(ops.divide(
                ops.log(ops.subtract(one, ops.multiply(frac, ops.subtract(one, t_mul)))),
                ops.log(t_mul)))
            sum_r = ops.divide(ops.subtract(one, ops.pow(t_mul, i)), ops.subtract(one, t_mul))
            frac = ops.divide(ops.subtract(frac, sum_r), ops.pow(t_mul, i))
        return _cosine(lr, frac, self.alpha, ops.pow(m_mul, i))

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self._t_mul,
                "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


_SCHEDULES = {c.__name__: c for c in (ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay,
                                      InverseTimeDecay, CosineDecay, CosineDecayRestarts)}


def serialize(schedule: LearningRateSchedule) -> dict:
    """`{'class_name': ..., 'config': ...}` for a schedule."""
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config: dict, custom_objects: dict | None = None) -> Any:
    """The schedule described by a `serialize` dict."""
    table = dict(_SCHEDULES)
    table.update(custom_objects or {})
    cls = table.get(config.get("class_name"))
    if cls is None:
        raise ValueError(f"Unknown decay: '{config.get('class_name')}'. Please ensure you are "
                         "using a `keras.utils.custom_object_scope` and that this object is "
                         "included in the scope.")
    return cls.from_config(config.get("config", {}))
