"""Primitives and `bind`, the single chokepoint every op goes through.

`bind(prim, *inputs, **attrs)`:
  - if a graph is being built (tf.function tracing, v1 graph mode) or an input is symbolic,
    hands the op to the graph builder, which appends a node and returns symbolic tensors;
  - otherwise runs `prim.impl(xp, *arrays, **attrs)` on the input arrays, wraps the result,
    and, only when some GradientTape is recording, tells the tapes (see `tape.py`).

A primitive is declared once with its forward impl and, right below it, one VJP rule per input
(`rule(g, out, *inputs, **attrs)`, written in nanotf ops, returning a gradient broadcastable to
that input; `None` marks a non-differentiable input). The engine reduces broadcast gradients
and casts them.
"""

from __future__ import annotations

from typing import Callable

from nanotf._src import backend, dtypes, errors
from nanotf._src.backend import np
from nanotf._src.tensor import Tensor, _wrap, convert_to_tensor

# Tapes that are currently recording, innermost last. Checked on every op, so kept as a plain list.
_tapes: list = []


class _Context:
    """Global execution state: the graph being built (None when eager)."""

    graph = None  # a graph.Graph while tracing or in v1 graph mode
    # set with `graph`: callable(prim, inputs, attrs) -> symbolic output(s)
    graph_bind = None


context = _Context()
_CUPY = backend.cupy_available()
# TF op name -> Primitive (the first one declared under that name), for configs that name ops
REGISTRY: dict = {}


class Primitive:
    """One op: an array-level impl plus VJP rules.

    Calling the primitive converts its inputs with TF's rules (`kind`: 'unary', 'binary' or 'nary')
    and binds it; ops with attributes get a public function that calls `bind` directly.
    """

    # multi-output ops: True when the VJP rule takes None for outputs that got no gradient
    # (instead of zeros it would have to multiply through)
    none_grads = False
    # multi-output ops: an impl computing only output 0 (the others None), which compiled plans
    # call when nothing reads the other outputs (a loss without its gradient, in evaluate)
    first_only = None
    # True when the impl always returns a new array (never a view of an input): compiled plans
    # may then let a following elementwise op write into it (e.g. the bias add after a matmul)
    fresh = False
    # False for primitives made per call (custom gradients, eager control flow): their rules close
    # over that call's values, so a compiled backward pass (tape_replay) must not be kept for them
    replay = True

    def __init__(self, impl: Callable, name: str, kind: str = "nary", nout: int = 1,
                 nondiff: bool = False, stateful: bool = False):
        self.impl = impl
        self.name = name
        self.kind = kind
        self.nout = nout
        self.nondiff = nondiff
        self.stateful = stateful
        REGISTRY.setdefault(name, self)
        self.vjps = None
        self.jvp = None
        self.shape_fn = None
        self.__doc__ = impl.__doc__
        self.__name__ = impl.__name__
        self.__qualname__ = impl.__qualname__
        self.__module__ = impl.__module__
        self.__wrapped__ = impl

    def defvjp(self, *rules) -> Primitive:
        """Registers one VJP rule per input (`None` for a non-differentiable input)."""
        self.vjps = rules
        return self

    def __call__(self, *args, name=None, **attrs):
        kind = self.kind
        if kind == "binary":
            x, y = args
            return bind(self, *binary_operands(x, y, self.name), **attrs)
        if kind == "unary":
            (x,) = args
            if not isinstance(x, Tensor):
                x = convert_to_tensor(x)
            return bind(self, x, **attrs)
        return bind(self, *[a if isinstance(a, Tensor) else convert_to_tensor(a) for a in args],
                    **attrs)

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


def primitive(name: str, kind: str = "nary", nout: int = 1, nondiff: bool = False,
              stateful: bool = False) -> Callable[[Callable], Primitive]:
    """Decorator turning an array impl `impl(xp, *arrays, **attrs)` into a Primitive."""
    def deco(impl):
        return Primitive(impl, name, kind, nout, nondiff, stateful)
    return deco


def binary_operands(x, y, op_name: str):
    """Converts the operands of a binary op with TF's rules.

    A Python value (number, list, NumPy array) takes the dtype of the Tensor operand (TypeError if
    it cannot; `tf.add` instead fails in the op); two Tensors must share a dtype (no implicit
    promotion), else InvalidArgumentError naming the op and both dtypes.
    """
    xt = isinstance(x, Tensor)
    yt = isinstance(y, Tensor)
    if xt and yt:
        dx = x._v.dtype
        dy = y._v.dtype
        if dx is not dy and dx != dy:
            _mismatch(op_name, x, y)
        return x, y
    try:
        if xt:
            return x, convert_to_tensor(y, dtype=x.dtype)
        if yt:
            return convert_to_tensor(x, dtype=y.dtype), y
        x = convert_to_tensor(x)
        return x, convert_to_tensor(y, dtype=x.dtype)
    except TypeError:
        if op_name not in _HINT_OPS:
            raise
    # tf.add converts a Python value with a dtype *hint*: the kernel then rejects the mix
    _mismatch(op_name, convert_to_tensor(x), convert_to_tensor(y))


_HINT_OPS = frozenset({"AddV2"})


def _mismatch(op_name, x, y):
    raise errors.invalid_argument(
        f"cannot compute {op_name} as input #1(zero-based) was expected to be a "
        f"{dtypes.kernel_name(x.dtype)} tensor but is a {dtypes.kernel_name(y.dtype)} tensor",
        op_name)


def same_dtype(op_name: str, *tensors) -> None:
    """Raises InvalidArgumentError unless all tensors share a dtype."""
    d0 = tensors[0]._v.dtype
    for i, t in enumerate(tensors[1:], 1):
        if t._v.dtype != d0:
            raise errors.invalid_argument(
                f"cannot compute {op_name} as input #{i}(zero-based) was expected to be a "
                f"{dtypes.kernel_name(tensors[0].dtype)} tensor but is a "
                f"{dtypes.kernel_name(t.dtype)} tensor", op_name)


def bind(prim: Primitive, *inputs: Tensor, **attrs):
    """Runs `prim` on `inputs` (eagerly, or symbolically while a graph is built)."""
    if context.graph is not None:
        return context.graph_bind(prim, inputs, attrs)
    var = False
    for t in inputs:
        if t._symbolic:  # e.g. a v1 placeholder or a Keras Input: its class builds the node
            return type(t)._bind_symbolic(prim, inputs, attrs)
        if t._is_variable:
            var = True
    n = len(inputs)  # one and two inputs are the hot cases: no list built for them
    if _CUPY:
        xp = backend.xp_of(*[t._v for t in inputs])
    else:
        xp = np
    try:
        if not attrs:  # a plain call: `**{}` still builds a dict and takes the slow call path
            if n == 2:
                out = prim.impl(xp, inputs[0]._v, inputs[1]._v)
            elif n == 1:
                out = prim.impl(xp, inputs[0]._v)
            else:
                out = prim.impl(xp, *[t._v for t in inputs])
        elif n == 2:
            out = prim.impl(xp, inputs[0]._v, inputs[1]._v, **attrs)
        elif n == 1:
            out = prim.impl(xp, inputs[0]._v, **attrs)
        else:
            out = prim.impl(xp, *[t._v for t in inputs], **attrs)
    except (ValueError, IndexError) as e:
        raise _op_error(prim, inputs, e) from None
    if prim.nout == 1:
        if var and not prim.fresh and _aliases(out, inputs):
            out = out.copy()  # a view would change when the variable is updated in place
        res = Tensor.__new__(Tensor)
        res._v = out
    else:
        if var:
            out = [o.copy() if getattr(o, "base", None) is not None
                   or any(o is t._v for t in inputs) else o for o in out]
        res = tuple(_wrap(o) for o in out)
    if _tapes and not prim.nondiff:
        for tape in _tapes:  # _record, inlined: the hot loop records ~half of its ops
            if tape._recording:
                tape._maybe_record(prim, inputs, res, attrs, var)
    return res


def _aliases(out, inputs) -> bool:
    """Whether `out` is a view or one of the input arrays."""
    if getattr(out, "base", None) is not None:
        return True
    for t in inputs:
        if out is t._v:
            return True
    return False


def _op_error(prim, inputs, e):
    shapes = " vs. ".join("[" + ",".join(str(d) for d in t._v.shape) + "]" for t in inputs)
    msg = str(e)
    if "broadcast" in msg:
        msg = f"Incompatible shapes: {shapes}"
    else:
        dts = ", ".join(t.dtype.name for t in inputs)
        msg = f"{msg} (inputs: shapes {shapes}; dtypes {dts})"
    return errors.invalid_argument(msg, prim.name)


def _record(prim, inputs, res, attrs):
    """Appends the op to each recording tape that watches one of its inputs."""
    for tape in _tapes:
        if tape._recording:
            tape._maybe_record(prim, inputs, res, attrs, True)
