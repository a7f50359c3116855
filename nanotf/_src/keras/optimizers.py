"""Keras 2 optimizers (`tf.keras.optimizers`, OptimizerV2 behaviour): SGD, Adam, RMSprop, ...

Each optimizer's per-variable update is one stateful primitive from `ops/training.py` (TF's
`ResourceApply*` training ops) that rewrites the variable and its slots in place, with two scratch
buffers per variable, so a step allocates nothing per variable and the numbers match TF's.
"""

from __future__ import annotations

from typing import Any

from nanotf._src import dtypes
from nanotf._src.keras.optimizer_v2 import OptimizerV2, _bind, _lr_arg, _Schedule
from nanotf._src.ops import training
from nanotf._src.tensor import Tensor

__all__ = ["OptimizerV2", "Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta",
           "Adamax", "Nadam", "Ftrl", "get", "serialize", "deserialize"]


# ------------------------------------------------------------------ optimizers


class SGD(OptimizerV2):
    """Gradient descent with optional (Nesterov) momentum.

    `velocity = momentum * velocity - learning_rate * g; w += velocity` (with momentum), else
    `w -= learning_rate * g`.

    Example:
      >>> opt = tf.keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov: bool = False, name="SGD",
                 **kwargs):
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", _lr_arg(kwargs, learning_rate))
        self._set_hyper("decay", self._initial_decay)
        self._momentum = isinstance(momentum, Tensor) or callable(momentum) or momentum > 0
        if isinstance(momentum, (int, float)) and (momentum < 0 or momentum > 1):
            raise ValueError(f"`momentum` must be between [0, 1]. Received: momentum={momentum} "
                             f"(of type {type(momentum)}).")
        self._set_hyper("momentum", momentum)
        self.nesterov = nesterov

    def _slot_specs(self):
        return (("momentum", "zeros"),) if self._momentum else ()

    def _update(self, var, g, slots, lr, t, t2):
        it = self.iterations
        if not self._momentum:
            return _bind(training.resource_apply_gradient_descent, var, g, (), it, lr, (), t, t2)
        mom = self._hyper_of("momentum", var.dtype)
        _bind(training.resource_apply_keras_momentum, var, g, (slots["momentum"],), it, lr,
              (mom,), t, t2, nesterov=bool(self.nesterov))

    def get_config(self):
        return self._config("momentum", nesterov=self.nesterov)


class Adam(OptimizerV2):
    """Adam: per-coordinate steps from running means of the gradient and its square.

    Args:
      beta_1, beta_2: decay rates of the first and second moment estimates.
      epsilon: added to the denominator (Keras's 1e-7).
      amsgrad: use the maximum of past second moments (AMSGrad).
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad: bool = False, name="Adam", **kwargs):
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", _lr_arg(kwargs, learning_rate))
        self._set_hyper("decay", self._initial_decay)
        self._set_hyper("beta_1", beta_1)
        self._set_hyper("beta_2", beta_2)
        self.epsilon = epsilon or 1e-7
        self.amsgrad = amsgrad
        self._wd = 0.0
        self._omb = None

    def _slot_specs(self):
        return (("m", "zeros"), ("v", "zeros")) + ((("vhat", "zeros"),) if self.amsgrad else ())

    def _update(self, var, g, slots, lr, t, t2):
        hy = (self._hyper_of("beta_1", var.dtype), self._hyper_of("beta_2", var.dtype))
        if self.amsgrad:
            ss = (slots["m"], slots["v"], slots["vhat"])
            kernel = training.resource_apply_adam_with_amsgrad
        else:
            ss, kernel = (slots["m"], slots["v"]), training.resource_apply_adam
        _bind(kernel, var, g, ss, self.iterations, lr, hy, t, t2, eps=float(self.epsilon),
              wd=float(self._wd), omb=self._omb)

    def _update_all(self, items, lr):
        # one op for all variables when nothing varies per variable (AdamW's decay does)
        if type(self)._update is not Adam._update or len(items) < 2 or \
                any(var.dtype != lr.dtype for _, var, _ in items):
            return False
        names = ("m", "v", "vhat") if self.amsgrad else ("m", "v")
        slots = [self._slots[id(var)][s] for s in names for _, var, _ in items]
        hy = (self._hyper_of("beta_1", lr.dtype), self._hyper_of("beta_2", lr.dtype))
        training.resource_apply_adam_multi(
            *[var for _, var, _ in items], *[g for g, _, _ in items], *slots, self.iterations,
            lr, *hy, *[t for _, _, pair in items for t in pair], n=len(items),
            eps=float(self.epsilon), omb=self._omb, amsgrad=bool(self.amsgrad))
        return True

    def get_config(self):
        return self._config("beta_1", "beta_2", epsilon=self.epsilon, amsgrad=self.amsgrad)


class AdamW(Adam):
    """Adam with decoupled weight decay: `w -= w * weight_decay * learning_rate` before each step.

    Args:
      weight_decay: the decay rate (Keras's default 0.004).
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad: bool = False, name="AdamW", **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, name, **kwargs)
        self.weight_decay = weight_decay
        self._wd = weight_decay or 0.0
        self._omb = (1.0 - float(beta_1), 1.0 - float(beta_2))
        self._exclude: list = []

    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Variables (or name substrings) that get no weight decay."""
        self._exclude += [("id", id(v)) for v in var_list or []]
        self._exclude += [("name", n) for n in var_names or []]

    def _update(self, var, g, slots, lr, t, t2):
        skip = any(k == "id" and x == id(var) or k == "name" and x in var.name
                   for k, x in self._exclude)
        self._wd = 0.0 if skip else (self.weight_decay or 0.0)
        super()._update(var, g, slots, lr, t, t2)

    def get_config(self):
        cfg = super().get_config()
        cfg["weight_decay"] = self.weight_decay
        return cfg


class RMSprop(OptimizerV2):
    """RMSprop: divides the gradient by a running root mean square of recent gradients.

    Args:
      rho: discount factor of the squared-gradient average.
      momentum: momentum of the update (0 for none).
      centered: normalise by the gradient's estimated variance instead.
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered: bool = False, name="RMSprop", **kwargs):
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", _lr_arg(kwargs, learning_rate))
        self._set_hyper("decay", self._initial_decay)
        self._set_hyper("rho", rho)
        self._momentum = isinstance(momentum, Tensor) or callable(momentum) or momentum > 0
        if isinstance(momentum, (int, float)) and (momentum < 0 or momentum > 1):
            raise ValueError(f"`momentum` must be between [0, 1]. Received: momentum={momentum} "
                             f"(of type {type(momentum)}).")
        self._set_hyper("momentum", momentum)
        self.epsilon = epsilon or 1e-7
        self.centered = centered

    def _slot_specs(self):
        specs = [("rms", "zeros")]
        if self._momentum:
            specs.append(("momentum", "zeros"))
        if self.centered:
            specs.append(("mg", "zeros"))
        return tuple(specs)

    def _update(self, var, g, slots, lr, t, t2):
        ss = [slots["rms"]] + ([slots["momentum"]] if self._momentum else []) + (
            [slots["mg"]] if self.centered else [])
        hy = (self._hyper_of("rho", var.dtype), self._hyper_of("momentum", var.dtype))
        _bind(training.resource_apply_rms_prop, var, g, ss, self.iterations, lr, hy, t, t2,
              centered=bool(self.centered), has_mom=bool(self._momentum),
              eps=float(self.epsilon))

    def get_config(self):
        return self._config("rho", "momentum", epsilon=self.epsilon, centered=self.centered)


class Adagrad(OptimizerV2):
    """Adagrad: per-coordinate steps scaled by the root of the summed squared gradients."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 name="Adagrad", **kwargs):
        if initial_accumulator_value < 0.0:
            raise ValueError("initial_accumulator_value must be non-negative: "
                             f"{initial_accumulator_value}")
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", _lr_arg(kwargs, learning_rate))
        self._set_hyper("decay", self._initial_decay)
        self._initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon or 1e-7

    def _slot_specs(self):
        return (("accumulator", float(self._initial_accumulator_value)),)

    def _update(self, var, g, slots, lr, t, t2):
        _bind(training.resource_apply_adagrad_v2, var, g, (slots["accumulator"],),
              self.iterations, lr, (), t, t2, eps=float(self.epsilon))

    def get_config(self):
        return self._config(initial_accumulator_value=self._initial_accumulator_value,
                            epsilon=self.epsilon)


class Adadelta(OptimizerV2):
    """Adadelta: step sizes from running averages of squared gradients and squared updates."""

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, name="Adadelta", **kwargs):
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", _lr_arg(kwargs, learning_rate))
        self._set_hyper("decay", self._initial_decay)
        self._set_hyper("rho", rho)
        self.epsilon = epsilon or 1e-7

    def _slot_specs(self):
        return (("accum_grad", "zeros"), ("accum_var", "zeros"))

    def _update(self, var, g, slots, lr, t, t2):
        _bind(training.resource_apply_adadelta, var, g, (slots["accum_grad"], slots["accum_var"]),
              self.iterations, lr, (self._hyper_of("rho", var.dtype),), t, t2,
              eps=float(self.epsilon))

    def get_config(self):
        return self._config("rho", epsilon=self.epsilon)


class Adamax(OptimizerV2):
    """Adamax: Adam with the infinity norm in place of the second moment."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 name="Adamax", **kwargs):
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", _lr_arg(kwargs, learning_rate))
        self._set_hyper("decay", self._initial_decay)
        self._set_hyper("beta_1", beta_1)
        self._set_hyper("beta_2", beta_2)
        self.epsilon = epsilon or 1e-7

    def _slot_specs(self):
        return (("m", "zeros"), ("v", "zeros"))

    def _update(self, var, g, slots, lr, t, t2):
        hy = (self._hyper_of("beta_1", var.dtype), self._hyper_of("beta_2", var.dtype))
        _bind(training.resource_apply_ada_max, var, g, (slots["m"], slots["v"]), self.iterations,
              lr, hy, t, t2, eps=float(self.epsilon))

    def get_config(self):
        return self._config("beta_1", "beta_2", epsilon=self.epsilon)


class Nadam(OptimizerV2):
    """Nadam: Adam with Nesterov momentum (Keras 2's momentum-schedule variant)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 name="Nadam", **kwargs):
        kwargs["decay"] = kwargs.pop("schedule_decay", 0.004)
        learning_rate = _lr_arg(kwargs, learning_rate)
        if isinstance(learning_rate, _Schedule):
            raise ValueError("The Nadam optimizer does not support "
                             "tf.keras.optimizers.LearningRateSchedules as the learning rate.")
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", learning_rate)
        self._set_hyper("decay", self._initial_decay)
        self._set_hyper("beta_1", beta_1)
        self._set_hyper("beta_2", beta_2)
        self.epsilon = epsilon or 1e-7
        self._m_cache = None

    def _slot_specs(self):
        return (("m", "zeros"), ("v", "zeros"))

    def _create_slots(self, var_list):
        if self._m_cache is None:
            self._m_cache = self.add_weight("momentum_cache", initializer="ones")
        super()._create_slots(var_list)

    def _decayed_lr(self, var_dtype):  # Nadam's decay feeds its momentum schedule, not the lr
        return self._get_hyper("learning_rate", var_dtype)

    def _prepare_step(self):
        training.nadam_momentum_cache(self._m_cache, self.iterations,
             self._hyper_of("beta_1", dtypes.float32), decay=self._initial_decay)

    def _update(self, var, g, slots, lr, t, t2):
        hy = (self._hyper_of("beta_1", var.dtype), self._hyper_of("beta_2", var.dtype),
              self._m_cache)
        _bind(training.resource_apply_nadam, var, g, (slots["m"], slots["v"]), self.iterations,
              lr, hy, t, t2, eps=float(self.epsilon), decay=self._initial_decay)

    def get_config(self):
        cfg = self._config("beta_1", "beta_2", epsilon=self.epsilon)
        cfg["decay"] = self._initial_decay
        return cfg


class Ftrl(OptimizerV2):
    """FTRL-Proximal, with L1/L2 regularization and optional L2 shrinkage."""

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, name="Ftrl",
                 l2_shrinkage_regularization_strength=0.0, beta=0.0, **kwargs):
        super().__init__(name, **kwargs)
        for arg, value, bad in (
                ("initial_accumulator_value", initial_accumulator_value, "positive or zero"),
                ("learning_rate_power", learning_rate_power, "negative or zero"),
                ("l1_regularization_strength", l1_regularization_strength, "positive or zero"),
                ("l2_regularization_strength", l2_regularization_strength, "positive or zero"),
                ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength,
                 "positive or zero")):
            if (value > 0.0) if bad.startswith("negative") else (value < 0.0):
                raise ValueError(f"`{arg}` needs to be {bad}. Received: {arg}={value}.")
        self._set_hyper("learning_rate", learning_rate)
        self._set_hyper("decay", self._initial_decay)
        self._set_hyper("learning_rate_power", learning_rate_power)
        self._set_hyper("l1_regularization_strength", l1_regularization_strength)
        self._set_hyper("l2_regularization_strength", l2_regularization_strength)
        self._set_hyper("beta", beta)
        self._initial_accumulator_value = initial_accumulator_value
        self._l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength

    def _slot_specs(self):
        return (("accumulator", float(self._initial_accumulator_value)), ("linear", "zeros"))

    def _update(self, var, g, slots, lr, t, t2):
        hy = tuple(self._hyper_of(h, var.dtype) for h in (
            "learning_rate_power", "l1_regularization_strength", "l2_regularization_strength",
            "beta"))
        _bind(training.resource_apply_ftrl_v2, var, g, (slots["accumulator"], slots["linear"]),
              self.iterations, lr, hy, t, t2,
              shrink=float(self._l2_shrinkage_regularization_strength))

    def get_config(self):
        return self._config(
            "learning_rate_power", "l1_regularization_strength", "l2_regularization_strength",
            "beta", initial_accumulator_value=self._initial_accumulator_value,
            l2_shrinkage_regularization_strength=self._l2_shrinkage_regularization_strength)


Optimizer = OptimizerV2

_OPTIMIZERS = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop, "adagrad": Adagrad,
               "adadelta": Adadelta, "adamax": Adamax, "nadam": Nadam, "ftrl": Ftrl}


def serialize(optimizer: OptimizerV2) -> dict:
    """`{'module', 'class_name', 'config', 'registered_name'}` for an optimizer."""
    from nanotf._src.keras import serialization

    return serialization.serialize_object(optimizer, "keras.optimizers")


def deserialize(config, custom_objects: dict | None = None) -> OptimizerV2:
    """The optimizer described by a `serialize` dict (or a name such as 'adam')."""
    import difflib

    from nanotf._src.keras import serialization

    table = {**_OPTIMIZERS, **{c.__name__: c for c in _OPTIMIZERS.values()}}
    name = config if isinstance(config, str) else config.get("class_name")
    if isinstance(config, dict) and config.get("registered_name"):
        name = config["registered_name"]
    cls = serialization.get_registered_object(name, custom_objects, table) or table.get(
        str(name).lower())
    if cls is None:
        hint = difflib.get_close_matches(str(name).lower(), list(_OPTIMIZERS), n=1)
        extra = f" Did you mean '{hint[0]}'?" if hint else ""
        raise ValueError(serialization.unknown_message("optimizer", name) + extra)
    if isinstance(config, str):
        return cls()
    return cls.from_config(config.get("config", {}), custom_objects=custom_objects)


def get(identifier) -> Any:
    """Resolves an optimizer identifier: a name ('adam'), a config dict, or an optimizer.

    Example:
      >>> tf.keras.optimizers.get('adam').get_config()['learning_rate']
      0.001
    """
    if isinstance(identifier, OptimizerV2):
        return identifier
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier) and not isinstance(identifier, type):
        return identifier
    raise ValueError(f"Could not interpret optimizer identifier: {identifier}")

