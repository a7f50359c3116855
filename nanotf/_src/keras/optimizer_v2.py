"""`OptimizerV2`, the Keras 2 optimizer base class: hyperparameters, slots, `apply_gradients`.

Hyperparameters become float32 variables on first use and read/write as attributes (`opt.lr` is
`opt.learning_rate`). A subclass names its slots (`_slot_specs`) and binds its update op from
`ops/training.py` in `_update`; everything else (None-gradient filtering, clipping, decay and
schedules, the `iterations` counter, constraints, config) lives here.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

from nanotf._src import dtypes, errors, nest, ops, tape
from nanotf._src.backend import np
from nanotf._src.keras import optimizer_schedules as schedules
from nanotf._src.naming import name_scope
from nanotf._src.tensor import Tensor, convert_to_tensor, tensor_of
from nanotf._src.variables import Variable

_Schedule = schedules.LearningRateSchedule


def _filter_grads(grads_and_vars) -> tuple:
    gv = tuple(grads_and_vars)
    if not gv:
        return gv
    kept = tuple((g, v) for g, v in gv if g is not None)
    if not kept:
        names = ([v.name for _, v in gv],)
        raise ValueError(f"No gradients provided for any variable: {names}. Provided "
                         f"`grads_and_vars` is {gv}.")
    if len(kept) != len(gv):
        missing = [v.name for g, v in gv if g is None]
        sys.stderr.write(f"WARNING:tensorflow:Gradients do not exist for variables {missing} "
                         "when minimizing the loss. If you're using `model.compile()`, did you "
                         "forget to provide a `loss` argument?\n")
    return kept


# ------------------------------------------------------------------ base class


class OptimizerV2:
    """Base class of the Keras 2 optimizers.

    Hyperparameters (`learning_rate`, `beta_1`, ...) become float32 variables on first use;
    read and write them as attributes (`opt.lr` aliases `opt.learning_rate`). Slots (`m`, `v`,
    ...) are created for each new variable the first time it gets a gradient.

    Args:
      name: the optimizer's name, used as the prefix of its variables.
      clipnorm: clip each gradient to this L2 norm.
      clipvalue: clip each gradient element to `[-clipvalue, clipvalue]`.
      global_clipnorm: clip all gradients together to this global norm.
      decay: inverse-time decay of the learning rate per step (legacy).
    """

    _ALLOWED = ("clipnorm", "clipvalue", "lr", "decay", "global_clipnorm")

    def __init__(self, name: str, gradient_aggregator=None, gradient_transformers=None,
                 **kwargs):
        for k, v in kwargs.items():
            if k not in self._ALLOWED:
                raise TypeError(f"Unexpected keyword argument passed to optimizer: {k}. Allowed "
                                f"kwargs are {set(self._ALLOWED)}.")
            if v is not None and isinstance(v, (int, float)) and v < 0:
                raise ValueError(f"Expected {k} >= 0, received: {v}")
            if k == "lr":
                warnings.warn("The `lr` argument is deprecated, use `learning_rate` instead.",
                              stacklevel=3)
        object.__setattr__(self, "_hyper", {})
        self._name = name
        self._slots: dict = {}
        self._slot_owner: dict = {}
        self._slot_names: list = []
        self._weights: list = []
        self._iterations = None
        self._scratch: dict = {}
        self._hypers_created = False
        self._initial_decay = float(kwargs.get("decay", 0.0))
        self.clipnorm = kwargs.get("clipnorm")
        self.global_clipnorm = kwargs.get("global_clipnorm")
        self.clipvalue = kwargs.get("clipvalue")
        if self.clipnorm is not None and self.global_clipnorm is not None:
            raise ValueError(f"Cannot accept both `clipnorm` and `global_clipnorm`. Received: "
                             f"`clipnorm`={self.clipnorm}, `global_clipnorm`="
                             f"{self.global_clipnorm}.")
        self.gradient_transformers = list(gradient_transformers or [])

    # --- hyperparameters as attributes ------------------------------------------------------
    def __getattr__(self, name: str):
        hyper = self.__dict__.get("_hyper")
        key = "learning_rate" if name == "lr" else name
        if hyper is not None and key in hyper:
            return self._get_hyper(key)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name: str, value) -> None:
        if name == "lr":
            name = "learning_rate"
        hyper = self.__dict__.get("_hyper")
        if hyper is not None and name in hyper:
            self._set_hyper(name, value)
        else:
            object.__setattr__(self, name, value)

    def __dir__(self):
        extra = set(self._hyper) | ({"lr"} if "learning_rate" in self._hyper else set())
        return sorted(set(super().__dir__()) | extra)

    @property
    def name(self) -> str:
        """The optimizer's name."""
        return self._name

    def _set_hyper(self, name: str, value) -> None:
        prev = self._hyper.get(name)
        if (name not in self._hyper or callable(prev) or not isinstance(prev, Variable)
                or isinstance(value, _Schedule)):
            self._hyper[name] = value
        else:
            prev.assign(value.numpy() if isinstance(value, Tensor) else value)

    def _get_hyper(self, name: str, dtype=None):
        if not self._hypers_created:
            self._create_hypers()
        value = self._hyper[name]
        if isinstance(value, _Schedule):
            return value
        if callable(value):
            value = value()
        return ops.cast(value, dtype) if dtype is not None else value

    def _create_hypers(self) -> None:
        if self._hypers_created:
            return
        for name, value in sorted(self._hyper.items()):
            if not isinstance(value, Tensor) and not callable(value):
                self._hyper[name] = Variable(value, trainable=False, name=name,
                                             dtype=dtypes.float32)
        self._hypers_created = True

    def _serialize_hyperparameter(self, name: str) -> Any:
        value = self._hyper[name]
        if isinstance(value, _Schedule):
            return schedules.serialize(value)
        if callable(value):
            value = value()
        if isinstance(value, Tensor):  # the shortest decimal that round-trips the float32
            return float(str(value.numpy()))
        return value

    # --- variables ----------------------------------------------------------------------------
    @property
    def iterations(self) -> Variable:
        """The number of steps taken so far (an int64 variable)."""
        if self._iterations is None:
            with name_scope(self._name + "/"):
                self._iterations = Variable(0, trainable=False, name="iter", dtype=dtypes.int64)
            self._weights.append(self._iterations)
        return self._iterations

    @iterations.setter
    def iterations(self, variable) -> None:
        if self._iterations is not None:
            raise RuntimeError("Cannot set `iterations` to a new Variable after the Optimizer "
                               "weights have been created. Here it is attempting to set "
                               f"`iterations` to {variable}.")
        self._iterations = variable
        self._weights.append(variable)

    def add_weight(self, name: str, shape=(), dtype=None, initializer="zeros",
                   trainable=None, **kwargs) -> Variable:
        """Creates an optimizer-owned variable (in `weights`)."""
        dt = dtypes.as_dtype(dtype or dtypes.float32)
        value = np.full(tuple(shape or ()), 1 if initializer == "ones" else (
            0 if initializer == "zeros" else initializer), dt.as_numpy_dtype)
        v = Variable(value, trainable=False, name=name, dtype=dt)
        self._weights.append(v)
        return v

    def add_slot(self, var: Variable, slot_name: str, initializer="zeros", shape=None) -> Variable:
        """Creates (once) the slot `slot_name` for `var`, e.g. Adam's `m`."""
        if slot_name not in self._slot_names:
            self._slot_names.append(slot_name)
        key = id(var)
        self._slot_owner[key] = var
        slots = self._slots.setdefault(key, {})
        if slot_name not in slots:
            init = 0.0 if initializer == "zeros" else initializer
            value = np.full(var._v.shape if shape is None else tuple(shape), init,
                            var._v.dtype)
            base = var.name[:-2] if var.name.endswith(":0") else var.name
            with name_scope(f"{self._name}/{base}/"):
                slots[slot_name] = Variable(value, trainable=False, name=slot_name)
            self._weights.append(slots[slot_name])
        return slots[slot_name]

    def get_slot(self, var: Variable, slot_name: str) -> Variable:
        """The slot variable `slot_name` of `var`."""
        slot = self._slots.get(id(var), {}).get(slot_name)
        if slot is None:
            raise KeyError(f"Slot variable '{slot_name}' not found for variable {var.name}. "
                           f"Available slots: {sorted(self._slots.get(id(var), {}))}")
        return slot

    def get_slot_names(self) -> list:
        """The names of the slots this optimizer creates."""
        return list(self._slot_names)

    def _slot_specs(self) -> tuple:
        """`(slot_name, initial value)` pairs, in TF's creation order."""
        return ()

    def _create_slots(self, var_list) -> None:
        new = [v for v in var_list if id(v) not in self._slots]
        for slot, init in self._slot_specs():
            for v in new:
                self.add_slot(v, slot, init)
        for v in new:
            self._slots.setdefault(id(v), {})
            self._slot_owner[id(v)] = v

    def _create_all_weights(self, var_list) -> None:
        _ = self.iterations
        self._create_hypers()
        self._create_slots(var_list)

    def variables(self) -> list:
        """The optimizer's variables: `iterations`, then the slots."""
        return list(self._weights)

    @property
    def weights(self) -> list:
        """The optimizer's variables: `iterations`, then the slots."""
        return list(self._weights)

    def get_weights(self) -> list:
        """The values of `weights` as NumPy arrays."""
        return [w.numpy() if w.shape.rank else np.asarray(w.numpy()) for w in self._weights]

    def set_weights(self, weights) -> None:
        """Sets `weights` from NumPy arrays (same count and shapes as `get_weights()`)."""
        params = self._weights
        if len(params) != len(weights):
            raise ValueError(f"You called `set_weights(weights)` on optimizer {self._name} with a "
                             f" weight list of length {len(weights)}, but the optimizer was "
                             f"expecting {len(params)} weights. Provided weights: "
                             f"{str(weights)[:50]}...")
        for p, w in zip(params, weights):
            w = np.asarray(w)
            if tuple(p._v.shape) != w.shape:
                raise ValueError(f"Optimizer weight shape {p._v.shape} not compatible with "
                                 f"provided weight shape {w.shape}.")
            p.assign(w)

    # --- applying gradients -------------------------------------------------------------------
    def _decayed_lr(self, var_dtype) -> Tensor:
        lr = self._get_hyper("learning_rate", var_dtype)
        if isinstance(lr, _Schedule):
            lr = ops.cast(lr(ops.cast(self.iterations, var_dtype)), var_dtype)
        if self._initial_decay > 0.0:
            step = ops.cast(self.iterations, var_dtype)
            lr = ops.divide(lr, ops.add(ops.cast(1.0, var_dtype), ops.multiply(
                ops.cast(self._initial_decay, var_dtype), step)))
        return lr

    def _transform_gradients(self, grads_and_vars) -> list:
        gv = list(grads_and_vars)
        if self.clipvalue is not None:
            cv = self.clipvalue
            gv = [(ops.clip_by_value(g, -cv, cv), v) for g, v in gv]
        if self.clipnorm is not None:
            gv = [(ops.clip_by_norm(g, self.clipnorm), v) for g, v in gv]
        if self.global_clipnorm is not None:
            clipped, _ = ops.clip_by_global_norm([g for g, _ in gv], self.global_clipnorm)
            gv = list(zip(clipped, [v for _, v in gv]))
        for fn in self.gradient_transformers:
            gv = fn(gv)
        return gv

    def apply_gradients(self, grads_and_vars, name=None, experimental_aggregate_gradients=True):
        """Applies one step of gradients to variables; `None` gradients are skipped.

        Args:
          grads_and_vars: `(gradient, variable)` pairs, e.g. `zip(grads, model.weights)`.

        Example:
          >>> opt = tf.keras.optimizers.SGD(0.1)
          >>> v = tf.Variable(1.0)
          >>> opt.apply_gradients([(tf.constant(2.0), v)])
          >>> v.numpy()
          0.8
        """
        gv = _filter_grads(grads_and_vars)
        for _, v in gv:
            if not isinstance(v, Variable):
                raise TypeError(f"`apply_gradients` expects (gradient, tf.Variable) pairs; got "
                                f"a {type(v).__name__} in place of a variable: {v!r}")
        self._create_all_weights([v for _, v in gv])
        if not gv:
            return self.iterations
        gv = [(g if isinstance(g, Tensor) else convert_to_tensor(g, dtype_hint=v.dtype), v)
              for g, v in gv]
        gv = self._transform_gradients(gv)
        lr = self._decayed_lr(dtypes.float32)
        self._prepare_step()
        items = [self._dense_item(g, v) for g, v in gv]
        if not self._update_all(items, lr):
            for g, var, scratch in items:
                self._update(var, g, self._slots[id(var)],
                             lr if var.dtype == lr.dtype else ops.cast(lr, var.dtype), *scratch)
        for _, var, _ in items:
            if var.constraint is not None:
                var.assign(var.constraint(var))
        return self.iterations.assign_add(1)

    def _prepare_step(self) -> None:
        """Per-step work shared by all variables (Nadam's momentum cache)."""

    def _dense_item(self, g: Tensor, var: Variable) -> tuple:
        """`(g, var, scratch pair)` after checking the gradient against its variable."""
        if g._v.shape != var._v.shape or g.dtype != var.dtype:
            raise errors.invalid_argument(
                f"var and grad do not match: var {var.name} has shape {var.shape} and dtype "
                f"{var.dtype.name}, its gradient shape {g.shape} and dtype {g.dtype.name}",
                type(self).__name__)
        if tape._live and tape.holds(var):  # a live tape still needs the old value: copy first
            var._v = var._v.copy()
        scratch = self._scratch.get(id(var))
        if scratch is None or scratch[0]._v.shape != var._v.shape:
            scratch = self._scratch[id(var)] = (tensor_of(np.empty_like(var._v)),
                                                tensor_of(np.empty_like(var._v)))
        return g, var, scratch

    def _update_all(self, items, lr) -> bool:
        """Updates every variable with one multi-variable op when the optimizer has one (the
        step's scalars formed once); False to update them one by one with `_update`."""
        return False

    def _update(self, var, g, slots: dict, lr, t, t2) -> None:
        raise NotImplementedError

    def _hyper_of(self, name: str, dtype) -> Tensor:
        return self._get_hyper(name, dtype)

    def minimize(self, loss, var_list, grad_loss=None, name=None, tape=None):
        """Computes gradients of `loss` for `var_list` and applies them.

        Args:
          loss: a callable returning the loss, or a loss Tensor (then `tape` is required).
          var_list: the variables (or a callable returning them).
          tape: the `GradientTape` that recorded a Tensor `loss`.
        """
        from nanotf._src.tape import GradientTape

        if not callable(loss) and tape is None:
            raise ValueError("`tape` is required when a `Tensor` loss is passed. Received: "
                             f"loss={loss}, tape={tape}.")
        if callable(loss):
            tape = tape if tape is not None else GradientTape()
            with tape:
                if not callable(var_list):
                    tape.watch(var_list)
                loss = loss()
                if callable(var_list):
                    var_list = var_list()
        elif callable(var_list):
            var_list = var_list()
        var_list = nest.flatten(var_list)
        grads = tape.gradient(loss, var_list, grad_loss)
        return self.apply_gradients(zip(grads, var_list), name=name)

    # --- config -------------------------------------------------------------------------------
    def _config(self, *hypers: str, **extra) -> dict:
        cfg: dict = {"name": self._name}
        for k in ("clipnorm", "clipvalue", "global_clipnorm"):
            if getattr(self, k) is not None:
                cfg[k] = getattr(self, k)
        cfg["learning_rate"] = self._serialize_hyperparameter("learning_rate")
        cfg["decay"] = self._initial_decay
        for h in hypers:
            cfg[h] = self._serialize_hyperparameter(h)
        cfg.update(extra)
        return cfg

    def get_config(self) -> dict:
        """The constructor arguments (hyperparameters as Python numbers)."""
        return self._config()

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> OptimizerV2:
        """Creates an optimizer from `get_config()`'s output."""
        config = dict(config)
        if "lr" in config:
            config["learning_rate"] = config.pop("lr")
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"],
                                                            custom_objects=custom_objects)
        return cls(**config)

    def __repr__(self) -> str:
        return f"<keras.optimizers.{type(self).__name__} object at {hex(id(self))}>"


def _lr_arg(kwargs: dict, learning_rate):
    return kwargs.get("lr", learning_rate)


def _bind(kernel, var, g, slots, it, lr, hypers, t, t2, **attrs) -> None:
    """Runs an update op of `ops/training.py` (all inputs are already Tensors)."""
    kernel(var, g, *slots, it, lr, *hypers, t, t2, **attrs)
