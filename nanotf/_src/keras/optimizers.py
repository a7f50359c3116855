"""Keras 2 optimizers (`tf.keras.optimizers`, OptimizerV2 behaviour): SGD, Adam, RMSprop, ...

Each optimizer's per-variable update is one stateful primitive (TF's `ResourceApply*` training
ops) that rewrites the variable and its slots in place with NumPy `out=` ufuncs and two scratch
buffers per variable, so a step allocates nothing per variable. Formulas and their float32
evaluation order follow TF's CPU kernels, so the numbers match TF's.
"""

from __future__ import annotations

import sys
from typing import Any

from nanotf._src import dtypes, errors, nest, ops, tape
from nanotf._src.backend import np
from nanotf._src.dispatch import bind, primitive
from nanotf._src.keras import optimizer_schedules as schedules
from nanotf._src.naming import name_scope
from nanotf._src.tensor import Tensor, convert_to_tensor, tensor_of
from nanotf._src.variables import Variable

_Schedule = schedules.LearningRateSchedule
_ONE = np.float32(1)


def _f(a):
    """A 0-d array as a scalar of its own dtype (keeps float32 arithmetic in float32)."""
    return a.dtype.type(a)


def _step(it):
    """`iterations + 1` as float32, TF's `local_step`."""
    return np.float32(int(it) + 1)


# ------------------------------------------------------------------ update kernels
# impl(xp, var, grad, *slots, iterations, lr, *hypers, t, t2): t and t2 are scratch buffers.
def _kernel(name):
    return primitive(name, nout=0, nondiff=True, stateful=True)


@_kernel("ResourceApplyGradientDescent")
def _sgd_kernel(xp, var, g, it, lr, t, t2):
    xp.multiply(g, _f(lr), out=t)
    xp.subtract(var, t, out=var)
    return ()


@_kernel("ResourceApplyKerasMomentum")
def _momentum_kernel(xp, var, g, accum, it, lr, mom, t, t2, *, nesterov):
    mom = _f(mom)
    xp.multiply(accum, mom, out=accum)
    xp.multiply(g, _f(lr), out=t)
    xp.subtract(accum, t, out=accum)  # accum = accum * momentum - grad * lr
    if nesterov:  # var += accum * momentum - grad * lr
        xp.multiply(accum, mom, out=t2)
        xp.subtract(t2, t, out=t2)
        xp.add(var, t2, out=var)
    else:
        xp.add(var, accum, out=var)
    return ()


def _adam_core(xp, var, g, m, v, vhat, it, lr, b1, b2, eps, wd, omb, t, t2):
    b1, b2, lr = _f(b1), _f(b2), _f(lr)
    # Keras 3 style optimizers (AdamW) form 1 - beta from the Python float, Keras 2 in float32
    om1, om2 = (_ONE - b1, _ONE - b2) if omb is None else (np.float32(omb[0]), np.float32(omb[1]))
    if wd:  # AdamW's decoupled decay first: var -= var * wd * lr
        xp.multiply(var, np.float32(wd), out=t)
        xp.multiply(t, lr, out=t)
        xp.subtract(var, t, out=var)
    n = _step(it)
    alpha = lr * np.sqrt(_ONE - b2 ** n) / (_ONE - b1 ** n)
    xp.subtract(g, m, out=t)
    xp.multiply(t, om1, out=t)
    xp.add(m, t, out=m)  # m += (g - m) * (1 - beta1)
    xp.multiply(g, g, out=t)
    xp.subtract(t, v, out=t)
    xp.multiply(t, om2, out=t)
    xp.add(v, t, out=v)  # v += (g^2 - v) * (1 - beta2)
    if vhat is not None:
        xp.maximum(vhat, v, out=vhat)
    xp.sqrt(v if vhat is None else vhat, out=t)
    xp.add(t, np.float32(eps), out=t)
    xp.multiply(m, alpha, out=t2)
    xp.divide(t2, t, out=t2)
    xp.subtract(var, t2, out=var)  # var -= m * alpha / (sqrt(v) + eps)
    return ()


@_kernel("ResourceApplyAdam")
def _adam_kernel(xp, var, g, m, v, it, lr, b1, b2, t, t2, *, eps, wd, omb):
    return _adam_core(xp, var, g, m, v, None, it, lr, b1, b2, eps, wd, omb, t, t2)


@_kernel("ResourceApplyAdamWithAmsgrad")
def _amsgrad_kernel(xp, var, g, m, v, vhat, it, lr, b1, b2, t, t2, *, eps, wd, omb):
    return _adam_core(xp, var, g, m, v, vhat, it, lr, b1, b2, eps, wd, omb, t, t2)


def _rsqrt_into(xp, x, out):
    xp.sqrt(x, out=out)
    xp.divide(_ONE, out, out=out)


@_kernel("ResourceApplyRMSProp")
def _rmsprop_kernel(xp, var, g, *rest, centered, has_mom, eps):
    rms = rest[0]
    mom_slot = rest[1] if has_mom else None
    mg = rest[1 + has_mom] if centered else None
    it, lr, rho, mom, t, t2 = rest[1 + has_mom + centered:]
    lr, rho, eps, omr = _f(lr), _f(rho), np.float32(eps), _ONE - _f(rho)
    if has_mom:  # TF's fused kernels: ms += (g^2 - ms)(1 - rho); mom = mom*m + rsqrt(den)*lr*g
        xp.multiply(g, g, out=t)
        xp.subtract(t, rms, out=t)
        xp.multiply(t, omr, out=t)
        xp.add(rms, t, out=rms)
        if centered:
            xp.subtract(g, mg, out=t)
            xp.multiply(t, omr, out=t)
            xp.add(mg, t, out=mg)
            xp.multiply(mg, mg, out=t)
            xp.subtract(rms, t, out=t)
            xp.add(t, eps, out=t)
        else:
            xp.add(rms, eps, out=t)
        xp.sqrt(t, out=t)
        xp.multiply(g, lr, out=t2)
        xp.divide(t2, t, out=t)
        xp.multiply(mom_slot, _f(mom), out=mom_slot)
        xp.add(mom_slot, t, out=mom_slot)
        xp.subtract(var, mom_slot, out=var)
        return ()
    # Keras's Python path: rms = rho*rms + (1-rho)*g^2; var -= lr*g / (sqrt(den) + eps)
    xp.multiply(rms, rho, out=rms)
    xp.multiply(g, g, out=t)
    xp.multiply(t, omr, out=t)
    xp.add(rms, t, out=rms)
    den = rms
    if centered:
        xp.multiply(mg, rho, out=mg)
        xp.multiply(g, omr, out=t)
        xp.add(mg, t, out=mg)
        xp.multiply(mg, mg, out=t)
        xp.subtract(rms, t, out=t)
        den = t
    xp.sqrt(den, out=t)
    xp.add(t, eps, out=t)
    xp.multiply(g, lr, out=t2)
    xp.divide(t2, t, out=t2)
    xp.subtract(var, t2, out=var)
    return ()


@_kernel("ResourceApplyAdagradV2")
def _adagrad_kernel(xp, var, g, acc, it, lr, t, t2, *, eps):
    xp.multiply(g, g, out=t)
    xp.add(acc, t, out=acc)
    xp.sqrt(acc, out=t)
    xp.add(t, np.float32(eps), out=t)
    xp.multiply(g, _f(lr), out=t2)
    xp.divide(t2, t, out=t2)
    xp.subtract(var, t2, out=var)  # var -= g * lr / (sqrt(acc) + eps)
    return ()


@_kernel("ResourceApplyAdadelta")
def _adadelta_kernel(xp, var, g, accum, accum_update, it, lr, rho, t, t2, *, eps):
    rho, eps = _f(rho), np.float32(eps)
    omr = _ONE - rho
    xp.multiply(g, g, out=t)
    xp.multiply(t, omr, out=t)
    xp.multiply(accum, rho, out=accum)
    xp.add(accum, t, out=accum)  # accum = accum * rho + g^2 * (1 - rho)
    xp.add(accum_update, eps, out=t)
    xp.sqrt(t, out=t)
    xp.add(accum, eps, out=t2)
    _rsqrt_into(xp, t2, t2)
    xp.multiply(t, t2, out=t)
    xp.multiply(t, g, out=t)  # update = sqrt(acc_upd + eps) * rsqrt(accum + eps) * g
    xp.multiply(t, _f(lr), out=t2)
    xp.subtract(var, t2, out=var)
    xp.multiply(t, t, out=t)
    xp.multiply(t, omr, out=t)
    xp.multiply(accum_update, rho, out=accum_update)
    xp.add(accum_update, t, out=accum_update)
    return ()


@_kernel("ResourceApplyAdaMax")
def _adamax_kernel(xp, var, g, m, v, it, lr, b1, b2, t, t2, *, eps):
    b1 = _f(b1)
    xp.subtract(g, m, out=t)
    xp.multiply(t, _ONE - b1, out=t)
    xp.add(m, t, out=m)
    xp.multiply(v, _f(b2), out=v)
    xp.abs(g, out=t)
    xp.maximum(v, t, out=v)  # v = max(beta2 * v, |g|)
    xp.add(v, np.float32(eps), out=t)
    xp.divide(m, t, out=t)
    xp.multiply(t, _f(lr) / (_ONE - b1 ** _step(it)), out=t)
    xp.subtract(var, t, out=var)
    return ()


def _nadam_coeffs(it, b1, decay):
    def m_at(step):
        return b1 * (_ONE - np.float32(0.5) * np.float32(0.96) ** (np.float32(decay) * step))

    n = _step(it)
    return m_at(n), m_at(n + _ONE)


@_kernel("NadamMomentumCache")
def _nadam_cache_kernel(xp, cache, it, b1, *, decay):
    xp.multiply(cache, _nadam_coeffs(it, _f(b1), decay)[0], out=cache)
    return ()


@_kernel("ResourceApplyNadam")
def _nadam_kernel(xp, var, g, m, v, it, lr, b1, b2, cache, t, t2, *, eps, decay):
    b1, b2 = _f(b1), _f(b2)
    m_t, m_t_1 = _nadam_coeffs(it, b1, decay)
    sched_new = _f(cache)  # already multiplied by m_t for this step
    sched_next = sched_new * m_t_1
    xp.divide(g, _ONE - sched_new, out=t)  # g'
    xp.multiply(m, b1, out=m)
    xp.multiply(g, _ONE - b1, out=t2)
    xp.add(m, t2, out=m)
    xp.divide(m, _ONE - sched_next, out=t2)
    xp.multiply(t2, m_t_1, out=t2)
    xp.multiply(t, _ONE - m_t, out=t)
    xp.add(t, t2, out=t)  # m_bar = (1 - m_t) g' + m_t_1 m'
    xp.multiply(v, b2, out=v)
    xp.multiply(g, g, out=t2)
    xp.multiply(t2, _ONE - b2, out=t2)
    xp.add(v, t2, out=v)
    xp.divide(v, _ONE - b2 ** _step(it), out=t2)
    xp.sqrt(t2, out=t2)
    xp.add(t2, np.float32(eps), out=t2)
    xp.multiply(t, _f(lr), out=t)
    xp.divide(t, t2, out=t)
    xp.subtract(var, t, out=var)
    return ()


@_kernel("ResourceApplyFtrlV2")
def _ftrl_kernel(xp, var, g, accum, linear, it, lr, lr_power, l1, l2, beta, t, t2, *, shrink):
    lr, p, l1 = _f(lr), _f(lr_power), _f(l1)
    l2 = _f(l2) + _f(beta) / (np.float32(2.0) * lr)
    xp.multiply(g, g, out=t)
    xp.add(t, accum, out=t)  # new accumulator

    def root(x, out):
        return xp.sqrt(x, out=out) if p == -0.5 else xp.power(x, -p, out=out)

    root(t, t2)
    root(accum, accum)
    xp.subtract(t2, accum, out=t2)
    xp.divide(t2, lr, out=t2)
    xp.multiply(t2, var, out=t2)
    gs = g if not shrink else g + np.float32(2.0) * np.float32(shrink) * var
    xp.subtract(gs, t2, out=t2)
    xp.add(linear, t2, out=linear)
    xp.sign(linear, out=t2)
    xp.multiply(t2, l1, out=t2)
    xp.subtract(t2, linear, out=t2)  # x = l1 * sign(linear) - linear
    root(t, accum)
    xp.divide(accum, lr, out=accum)
    xp.add(accum, np.float32(2.0) * l2, out=accum)  # y = root(new_accum) / lr + 2 * l2
    xp.divide(t2, accum, out=t2)
    var[...] = xp.where(xp.abs(linear) > l1, t2, np.float32(0))
    accum[...] = t
    return ()


# ------------------------------------------------------------------ gradient clipping


def _clip_by_norm(g, clip):
    """`g * clip / max(||g||, clip)`, TF's `clip_by_norm` formula."""
    fused = getattr(ops, "clip_by_norm", None)
    if fused is not None:
        return fused(g, clip)
    l2sum = ops.reduce_sum(ops.multiply(g, g), keepdims=True)
    pos = ops.greater(l2sum, ops.zeros_like(l2sum))
    norm = ops.where(pos, ops.sqrt(ops.where(pos, l2sum, ops.ones_like(l2sum))), l2sum)
    c = ops.cast(clip, g.dtype)
    return ops.divide(ops.multiply(g, c), ops.maximum(norm, c))


def _clip_by_global_norm(grads, clip):
    """Scales all gradients by `clip / max(global_norm, clip)` (TF's `clip_by_global_norm`)."""
    fused = getattr(ops, "clip_by_global_norm", None)
    if fused is not None:
        return fused(grads, clip)[0]
    half = [ops.divide(ops.reduce_sum(ops.multiply(g, g)), ops.cast(2.0, g.dtype)) for g in grads]
    norm = ops.sqrt(ops.multiply(ops.reduce_sum(ops.stack(half)), ops.cast(2.0, grads[0].dtype)))
    c = ops.cast(clip, norm.dtype)
    one = ops.cast(1.0, norm.dtype)
    scale = ops.multiply(c, ops.minimum(ops.divide(one, norm), ops.divide(one, c)))
    scale = ops.add(scale, ops.subtract(norm, norm))  # NaN norms give NaN gradients, as TF
    return [ops.multiply(g, ops.cast(scale, g.dtype)) for g in grads]


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
        return sorted(set(super().__dir__()) | set(self._hyper))

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
            gv = [(_clip_by_norm(g, self.clipnorm), v) for g, v in gv]
        if self.global_clipnorm is not None:
            clipped = _clip_by_global_norm([g for g, _ in gv], self.global_clipnorm)
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
        for g, v in gv:
            self._apply_dense(g, v, lr if v.dtype == lr.dtype else ops.cast(lr, v.dtype))
        return self.iterations.assign_add(1)

    def _prepare_step(self) -> None:
        """Per-step work shared by all variables (Nadam's momentum cache)."""

    def _apply_dense(self, g: Tensor, var: Variable, lr: Tensor) -> None:
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
        self._update(var, g, self._slots[id(var)], lr, *scratch)
        if var.constraint is not None:
            var.assign(var.constraint(var))

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
    bind(kernel, var, g, *slots, it, lr, *hypers, t, t2, **attrs)


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
            return _bind(_sgd_kernel, var, g, (), it, lr, (), t, t2)
        mom = self._hyper_of("momentum", var.dtype)
        _bind(_momentum_kernel, var, g, (slots["momentum"],), it, lr, (mom,), t, t2,
              nesterov=bool(self.nesterov))

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
            ss, kernel = (slots["m"], slots["v"], slots["vhat"]), _amsgrad_kernel
        else:
            ss, kernel = (slots["m"], slots["v"]), _adam_kernel
        _bind(kernel, var, g, ss, self.iterations, lr, hy, t, t2, eps=float(self.epsilon),
              wd=float(self._wd), omb=self._omb)

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
        _bind(_rmsprop_kernel, var, g, ss, self.iterations, lr, hy, t, t2,
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
        _bind(_adagrad_kernel, var, g, (slots["accumulator"],), self.iterations, lr, (), t, t2,
              eps=float(self.epsilon))

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
        _bind(_adadelta_kernel, var, g, (slots["accum_grad"], slots["accum_var"]),
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
        _bind(_adamax_kernel, var, g, (slots["m"], slots["v"]), self.iterations, lr, hy, t, t2,
              eps=float(self.epsilon))

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
        bind(_nadam_cache_kernel, self._m_cache, self.iterations,
             self._hyper_of("beta_1", dtypes.float32), decay=self._initial_decay)

    def _update(self, var, g, slots, lr, t, t2):
        hy = (self._hyper_of("beta_1", var.dtype), self._hyper_of("beta_2", var.dtype),
              self._m_cache)
        _bind(_nadam_kernel, var, g, (slots["m"], slots["v"]), self.iterations, lr, hy, t, t2,
              eps=float(self.epsilon), decay=self._initial_decay)

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
        _bind(_ftrl_kernel, var, g, (slots["accumulator"], slots["linear"]), self.iterations, lr,
              hy, t, t2, shrink=float(self._l2_shrinkage_regularization_strength))

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

