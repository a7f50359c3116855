"""TF1 optimizers (`tf.compat.v1.train.*Optimizer`).

`minimize(loss)` = `compute_gradients` (`tf.gradients` on a graph loss, or a GradientTape on a
callable loss when eager) + `apply_gradients`, which in graph mode is one stateful node that
updates every variable in place with NumPy when a Session runs it (TF1's update formulas).
"""

from __future__ import annotations

from nanotf._src import dispatch
from nanotf._src.backend import np
from nanotf._src.dispatch import primitive
from nanotf._src.tensor import Tensor, convert_to_tensor


@primitive("ApplyGradients", nout=0, nondiff=True, stateful=True)
def _apply(xp, *arrays, opt, variables, hyper, global_step):
    n = len(variables)
    values = dict(zip(hyper, (float(a) for a in arrays[n:])))
    opt._apply_arrays(variables, arrays[:n], values)
    if global_step is not None:
        global_step._assign_array(global_step._v + 1)
    return ()


_apply.shape_fn = lambda ins, attrs: []


def _sub(var, delta) -> None:
    """`var -= delta` in place where the variable's array allows it."""
    a = var._v
    if var._writable() and a.flags.writeable:
        np.subtract(a, delta, out=a, casting="unsafe")
    else:
        var._assign_array(a - delta)


class Optimizer:
    """Base class of the TF1 optimizers.

    Subclasses define `_hyper()` (name -> float or tensor) and `_update(var, g, slots, h)`.
    """

    GATE_NONE, GATE_OP, GATE_GRAPH = 0, 1, 2

    def __init__(self, use_locking: bool, name: str):
        self._name = name
        self._slots: dict = {}

    def get_name(self) -> str:
        """The optimizer's name."""
        return self._name

    def compute_gradients(self, loss, var_list=None, gate_gradients=1, aggregation_method=None,
                          colocate_gradients_with_ops=False, grad_loss=None):
        """(gradient, variable) pairs for `loss` (a graph tensor, or eagerly a callable)."""
        from nanotf._src import compat_v1, session

        if callable(loss):
            from nanotf._src.tape import GradientTape

            with GradientTape() as tape:
                value = loss()
            var_list = list(var_list) if var_list is not None else list(tape.watched_variables())
            grads = tape.gradient(value, var_list, output_gradients=grad_loss)
            return list(zip(grads, var_list))
        if not (isinstance(loss, Tensor) and loss._symbolic):
            raise RuntimeError("`loss` passed to Optimizer.compute_gradients should be a function "
                               "when eager execution is enabled.")
        if var_list is None:
            var_list = compat_v1.trainable_variables() or _variables_of(loss)
        var_list = list(var_list)
        grads = session.gradients(loss, var_list, grad_ys=grad_loss)
        return list(zip(grads, var_list))

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """Updates each variable from its gradient; an op in graph mode, done at once eagerly."""
        pairs = [(g, v) for g, v in grads_and_vars if g is not None]
        if not pairs:
            raise ValueError(f"No gradients provided for any variable: "
                             f"{[v.name for _, v in grads_and_vars]}.")
        grads = [g if isinstance(g, Tensor) else convert_to_tensor(g) for g, _ in pairs]
        variables = tuple(v for _, v in pairs)
        hyper = self._hyper()
        names = tuple(hyper)
        hyp = [convert_to_tensor(hyper[k], dtype="float32") if not isinstance(hyper[k], Tensor)
               else hyper[k] for k in names]
        res = dispatch.bind(_apply, *grads, *hyp, opt=self, variables=variables, hyper=names,
                            global_step=global_step)
        return None if isinstance(res, tuple) else res  # eagerly: applied, nothing to run

    def minimize(self, loss, global_step=None, var_list=None, gate_gradients=1,
                 aggregation_method=None, colocate_gradients_with_ops=False, name=None,
                 grad_loss=None):
        """`apply_gradients(compute_gradients(loss))`: one training step (an op in graph mode).

        Example:
          >>> train_op = tf.compat.v1.train.GradientDescentOptimizer(0.5).minimize(loss)
        """
        gv = self.compute_gradients(loss, var_list, grad_loss=grad_loss)
        return self.apply_gradients(gv, global_step, name)

    def get_slot_names(self) -> list:
        """The names of the per-variable slots."""
        return sorted({k for d in self._slots.values() for k in d})

    def get_slot(self, var, name):
        """A slot's current value for `var` (a tensor), or None."""
        from nanotf._src.tensor import _wrap

        a = self._slots.get(id(var), {}).get(name)
        return None if a is None else _wrap(a)

    def variables(self) -> list:
        """Optimizer state variables (nanotf keeps slots as arrays, so none)."""
        return []

    def _apply_arrays(self, variables, grads, h):
        self._begin(h)
        for v, g in zip(variables, grads):
            g = np.asarray(g, dtype=v._v.dtype)
            slots = self._slots.setdefault(id(v), {})
            self._update(v, g, slots, h)

    def _begin(self, h) -> None:
        pass


def _variables_of(loss):
    from nanotf._src.plan import prune

    seen: dict = {}
    for n in prune(loss.graph.nodes, [loss]):
        for t in list(n.inputs) + list(n.attrs.values()):
            if isinstance(t, Tensor) and t._is_variable and t.trainable:
                seen.setdefault(id(t), t)
    return list(seen.values())


class GradientDescentOptimizer(Optimizer):
    """`var -= learning_rate * g`.

    Example:
      >>> opt = tf.compat.v1.train.GradientDescentOptimizer(0.5)
    """

    def __init__(self, learning_rate, use_locking=False, name="GradientDescent"):
        super().__init__(use_locking, name)
        self._lr = learning_rate

    def _hyper(self):
        return {"lr": self._lr}

    def _update(self, v, g, slots, h):
        _sub(v, h["lr"] * g)


class MomentumOptimizer(Optimizer):
    """`accum = momentum * accum + g; var -= lr * accum` (Nesterov optional)."""

    def __init__(self, learning_rate, momentum, use_locking=False, name="Momentum",
                 use_nesterov=False):
        super().__init__(use_locking, name)
        self._lr, self._momentum, self._nesterov = learning_rate, momentum, use_nesterov

    def _hyper(self):
        return {"lr": self._lr, "momentum": self._momentum}

    def _update(self, v, g, slots, h):
        acc = slots.setdefault("momentum", np.zeros_like(v._v))
        acc *= h["momentum"]
        acc += g
        _sub(v, h["lr"] * (g + h["momentum"] * acc if self._nesterov else acc))


class AdamOptimizer(Optimizer):
    """Adam with TF1's bias correction folded into the step size."""

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-08,
                 use_locking=False, name="Adam"):
        super().__init__(use_locking, name)
        self._lr, self._b1, self._b2, self._eps = learning_rate, beta1, beta2, epsilon
        self._t = 0

    def _hyper(self):
        return {"lr": self._lr, "beta1": self._b1, "beta2": self._b2, "epsilon": self._eps}

    def _begin(self, h):
        self._t += 1

    def _update(self, v, g, slots, h):
        b1, b2, t = h["beta1"], h["beta2"], self._t
        m = slots.setdefault("m", np.zeros_like(v._v))
        s = slots.setdefault("v", np.zeros_like(v._v))
        m *= b1
        m += (1 - b1) * g
        s *= b2
        s += (1 - b2) * g * g
        lr_t = h["lr"] * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        _sub(v, lr_t * m / (np.sqrt(s) + h["epsilon"]))


class RMSPropOptimizer(Optimizer):
    """RMSProp as TF1: the mean square starts at 1; optional momentum and centering."""

    def __init__(self, learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10, use_locking=False,
                 centered=False, name="RMSProp"):
        super().__init__(use_locking, name)
        self._lr, self._decay, self._mom, self._eps = learning_rate, decay, momentum, epsilon
        self._centered = centered

    def _hyper(self):
        return {"lr": self._lr, "decay": self._decay, "momentum": self._mom,
                "epsilon": self._eps}

    def _update(self, v, g, slots, h):
        rho = h["decay"]
        ms = slots.setdefault("rms", np.ones_like(v._v))
        ms *= rho
        ms += (1 - rho) * g * g
        denom = ms
        if self._centered:
            mg = slots.setdefault("mg", np.zeros_like(v._v))
            mg *= rho
            mg += (1 - rho) * g
            denom = ms - mg * mg
        mom = slots.setdefault("momentum", np.zeros_like(v._v))
        mom *= h["momentum"]
        mom += h["lr"] * g / np.sqrt(denom + h["epsilon"])
        _sub(v, mom)


class AdagradOptimizer(Optimizer):
    """`acc += g**2; var -= lr * g / sqrt(acc)` (the accumulator starts at 0.1)."""

    def __init__(self, learning_rate, initial_accumulator_value=0.1, use_locking=False,
                 name="Adagrad"):
        super().__init__(use_locking, name)
        self._lr, self._init = learning_rate, initial_accumulator_value

    def _hyper(self):
        return {"lr": self._lr}

    def _update(self, v, g, slots, h):
        acc = slots.setdefault("accumulator", np.full_like(v._v, self._init))
        acc += g * g
        _sub(v, h["lr"] * g / np.sqrt(acc))


def get_or_create_global_step(graph=None):
    """The graph's global step variable (an int64 counter), created on first use."""
    from nanotf._src import compat_v1
    from nanotf._src.graph import get_default_graph

    g = graph or get_default_graph()
    got = g.get_collection("global_step")
    if got:
        return got[0]
    v = compat_v1.RefVariable(np.int64(0), trainable=False, name="global_step",
                              collections=["variables", "global_step"])
    return v


def get_global_step(graph=None):
    """The graph's global step variable, or None."""
    from nanotf._src.graph import get_default_graph

    got = (graph or get_default_graph()).get_collection("global_step")
    return got[0] if got else None
