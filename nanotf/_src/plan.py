"""Running graphs: pruning, replay through `bind`, and compiled Plans.

A graph runs two ways:
  - `replay` binds each node again, so GradientTapes see the ops (and nested traces inline them);
  - a `Plan` compiles the needed nodes into one generated Python function that calls the impls on
    arrays directly: no conversion, wrapping or tape checks per op.
"""

from __future__ import annotations

import itertools

from nanotf._src import backend, dispatch, errors
from nanotf._src import graph as _graph
from nanotf._src import plan_lower as _lower
from nanotf._src.backend import np


def prune(nodes, targets, fed=(), keep_stateful: bool = False) -> list:
    """The nodes (in graph order) needed to compute `targets` (tensors or nodes) given `fed`."""
    fed = {id(t) for t in fed}
    need: dict = {}
    stack = []
    for t in targets:
        if isinstance(t, _graph.Node):
            stack.append(t)
        elif t._symbolic and id(t) not in fed:
            stack.append(t._node)
    if keep_stateful:
        stack.extend(n for n in nodes if n.prim.stateful)
    while stack:
        n = stack.pop()
        if id(n) in need:
            continue
        need[id(n)] = n
        for t in n.inputs:
            if t._symbolic and id(t) not in fed:
                stack.append(t._node)
        stack.extend(n.control_inputs)
    return [n for n in nodes if id(n) in need]


def replay(nodes, env: dict) -> dict:
    """Binds each node again with inputs looked up in `env` (id -> Tensor); fills `env`."""
    for node in nodes:
        ins = [env.get(id(t), t) if t._symbolic else t for t in node.inputs]
        res = dispatch.bind(node.prim, *ins, **node.attrs)
        if node.outputs:
            outs = (res,) if node.prim.nout == 1 else res
            for o, r in zip(node.outputs, outs):
                env[id(o)] = r
    return env


_plan_ids = itertools.count()


class GuardFailed(Exception):
    """A data-dependent size differs from the traced one: the plan does not apply to this call."""


class Plan:
    """Nodes compiled into one generated Python function over arrays.

    `Plan(nodes, inputs, outputs)(xp, arrays)` returns the output arrays. Constants are bound
    once; variables are read (`var._v`) where used, so in-place updates and replaced arrays are both
    seen; each intermediate is released after its last use.

    With `lower=True` (a traced function: every input has the traced shape and dtype) common nodes
    become direct NumPy calls (`plan_lower`), and an elementwise result may be written into a dead
    input buffer that only such calls have seen (`out=`), so the step allocates less.
    """

    def __init__(self, nodes, inputs, outputs, guards=None, lower: bool = False):
        self.nodes = list(nodes)
        # `__name__`: NumPy's warnings from plan code count as nanotf's (see backend.py)
        glb: dict = {"xp": np, "GuardFailed": GuardFailed, "_errstate": np.errstate,
                     "__name__": __name__}
        names: dict = {}
        for i, t in enumerate(inputs):
            names[id(t)] = f"a{i}"
        self._keep = list(inputs) + list(outputs)
        consts: dict = {}

        def const(v):  # a value the generated code reads as a global (one name per object)
            g = consts.get(id(v))
            if g is None:
                g = consts[id(v)] = f"c{len(consts)}"
                glb[g] = v
                self._keep.append(v)  # alive, so its id stays unique
            return g

        def ref(t):
            r = names.get(id(t))
            if r is None:
                if t._symbolic:
                    raise errors.InvalidArgumentError(
                        None, None, f"Tensor {t.name} is needed but was neither fed nor computed")
                g = f"g{len(glb)}"
                glb[g] = t if t._is_variable else t._v
                r = names[id(t)] = g + "._v" if t._is_variable else g
                self._keep.append(t)
            return r

        # the last node reading each tensor (outputs: past the end); who reads each tensor
        last: dict = {}
        readers: dict = {}
        for j, node in enumerate(self.nodes):
            for t in node.inputs:
                last[id(t)] = j
                readers.setdefault(id(t), []).append(node)
        for o in outputs:
            last[id(o)] = len(self.nodes)
        owned: set = set()  # fresh arrays made by lowered calls, seen only by such calls
        nonalias: set = set()  # nodes lowered to calls that never return a view of an input
        lowered = {}
        errstate = False
        if lower:
            for node in self.nodes:
                low = _lower.lower(node, [f"{{{i}}}" for i in range(len(node.inputs))], const)
                if low is not None:
                    lowered[id(node)] = low
                    if isinstance(low, _lower.Call) or low.fresh:
                        nonalias.add(id(node))
                    errstate |= _lower.needs_errstate(node)
            lowered.update(_lower.fuse(self.nodes, readers, outputs, const))

        body = []
        for j, node in enumerate(self.nodes):
            args = [ref(t) for t in node.inputs]
            if node.prim.name == "Identity" and node.inputs[0]._is_variable:
                args[0] += ".copy()"  # read_value() is a snapshot of the value
                low = None
            else:
                low = lowered.get(id(node))
            outs = []
            for i, o in enumerate(node.outputs):
                names[id(o)] = f"t{j}_{i}"
                outs.append(f"t{j}_{i}")
            if low is not None:
                call = self._lowered(low, node, args, owned, last, j)
                if id(node) in nonalias and node.outputs and node.outputs[0]._v.shape and \
                        all(id(r) in nonalias for r in readers.get(id(node.outputs[0]), ())):
                    owned.add(id(node.outputs[0]))
            else:
                impl = node.prim.impl
                if node.prim.fresh and node.prim.nout == 1 and node.outputs and \
                        node.outputs[0]._v.shape and \
                        all(id(r) in nonalias for r in readers.get(id(node.outputs[0]), ())):
                    owned.add(id(node.outputs[0]))  # a new array only lowered calls will see
                if node.prim.first_only is not None and \
                        all(id(o) not in last for o in node.outputs[1:]):
                    impl = node.prim.first_only
                glb[f"f{j}"] = impl
                for k, v in node.attrs.items():
                    glb[f"k{j}_{k}"] = v
                    args.append(f"{k}=k{j}_{k}")
                call = f"f{j}(xp, {', '.join(args)})"
            if not outs:
                body.append([call])
            elif node.prim.nout == 1:
                body.append([f"{outs[0]} = {call}"])
            else:
                body.append([f"{', '.join(outs)}, = {call}"])
            if guards and id(node) in guards:  # a data-dependent size must match the trace's
                glb[f"G{j}"] = guards[id(node)]
                body[-1].append(f"if ({''.join(o + '.shape, ' for o in outs)}) != G{j}: "
                                f"raise GuardFailed")
        rets = []
        for o in outputs:
            r = ref(o)
            rets.append(r + ".copy()" if o._is_variable and not o._symbolic else r)
        for node in self.nodes:
            for t in node.inputs:
                name = names[id(t)]
                j = last.get(id(t), len(self.nodes))
                if j < len(self.nodes) and name[0] in "ta" and "." not in name:
                    stmt = f"del {name}"
                    if stmt not in body[j]:
                        body[j].append(stmt)
        params = ", ".join(f"a{i}" for i in range(len(inputs)))
        lines = [f"def plan(xp, {params}):"]
        pad = "    "
        if errstate:  # lowered divisions: silent, as their impls are
            lines.append("    with _errstate(all='ignore'):")
            pad = "        "
        self._line_node = {}
        for j, stmts in enumerate(body):
            for s in stmts:
                self._line_node[len(lines) + 1] = j
                lines.append(pad + s)
        lines.append(f"{pad}return ({', '.join(rets)}{',' if rets else ''})")
        self.source = "\n".join(lines)
        self._file = f"<nanotf plan {next(_plan_ids)}>"
        exec(compile(self.source, self._file, "exec"), glb)  # noqa: S102 - generated above
        self._fn = glb["plan"]

    @staticmethod
    def _lowered(low, node, args, owned, last, j) -> str:
        """The code of a lowered node; a dead owned input of the output's shape takes the result."""
        if isinstance(low, _lower.Expr):
            return low.text.format(*args)
        call_args = [a.format(*args) for a in low.args]
        extra = low.extra.format(*args)
        out = node.outputs[0]._v
        target = None
        if out.shape and None not in out.shape:
            for t, a in zip(node.inputs, args):
                if id(t) in owned and last.get(id(t)) == j and t._v.shape == out.shape and \
                        t._v.dtype == out.dtype:
                    target = a
                    break
        return _lower.Call(low.fn, call_args, extra).code(target)

    def __call__(self, arrays, xp=None) -> tuple:
        if xp is None:
            xp = backend.xp_of(*arrays) if dispatch._CUPY else np
        try:
            return self._fn(xp, *arrays)
        except (ValueError, IndexError) as e:
            raise self._error(e) from None

    def _error(self, e):
        tb = e.__traceback__
        node = None
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == self._file:
                node = self.nodes[self._line_node.get(tb.tb_lineno, 0)]
            tb = tb.tb_next
        if node is None:
            return e
        msg = str(e)
        if "broadcast" in msg:
            msg = "Incompatible shapes"
        return errors.invalid_argument(f"{msg} (node {node.name})", node.prim.name)


def constant_value(t):
    """The value of a symbolic tensor that depends on no placeholder (e.g. a random initializer).

    Used to give a Variable created while tracing a concrete initial value, as `tf.init_scope`
    does in TF.
    """
    from nanotf._src.graph import PLACEHOLDER
    from nanotf._src.tensor import _wrap

    nodes = prune(t.graph.nodes, [t])
    if any(n.prim is PLACEHOLDER for n in nodes):
        raise ValueError(f"Initial value {t.name} depends on a function input or placeholder; a "
                         f"variable's initial value must be computable when it is created.")
    (a,) = Plan(nodes, [], [t])([])
    g = t.graph
    k = len(g.nodes) - len(nodes)
    if nodes and g.nodes[k:] == nodes:  # made just for this value: drop them from the graph
        for n in nodes:
            g._by_name.pop(n.name, None)
        del g.nodes[k:]
    return _wrap(a)


# =============================== shape inference ===============================

# Ops whose output size depends on the input values: their first dim is unknown statically.
DATA_DEPENDENT = frozenset({"Where", "Unique", "UniqueWithCounts", "BooleanMask", "ListDiff",
                             "DynamicPartition", "Bincount"})


def infer(prim: dispatch.Primitive, ins, attrs: dict, name: str = "") -> list:
    """The AbstractArrays of `prim`'s outputs for inputs `ins` (by rule or by a dummy run)."""
    if prim.shape_fn is not None:
        return prim.shape_fn(ins, attrs)
    if prim.stateful:
        if prim.nout == 0:  # an update with no outputs: never run it on dummies
            return []
        if "shape" in attrs and "dtype" in attrs:
            return [_graph.AbstractArray(attrs["shape"], attrs["dtype"])]
    unknown = any(t._symbolic and None in t._v.shape for t in ins)
    fills = (1, 0, "eye")  # "eye": identity matrices, for ops that need invertible inputs
    tries = [(sub, f) for sub in ((2, 1) if unknown else (None,)) for f in fills]
    first = None
    with np.errstate(all="ignore"):
        for sub, fill in tries:
            try:
                outs = _dummy_outputs(prim, ins, attrs, sub, fill)
            except Exception as e:  # noqa: BLE001 - any failure: try other dummy values
                first = first or e
                continue
            if unknown and sub == 2:
                try:
                    other = _dummy_outputs(prim, ins, attrs, 3, fill)
                    outs = [([a if a == b else None for a, b in zip(s, o)] if len(s) == len(o)
                             else [None] * len(s), dt) for (s, dt), (o, _) in zip(outs, other)]
                except Exception:  # noqa: BLE001
                    outs = [([None] * len(s), dt) for s, dt in outs]
            break
        else:
            raise _shape_error(prim, ins, first, name) from None
    res = [_graph.AbstractArray(s, dt) for s, dt in outs]
    if prim.name in DATA_DEPENDENT:
        res = [_graph.AbstractArray((None,) + a.shape[1:], a.dtype) if a.shape else a for a in res]
    return res


def concrete_outputs(prim, ins, attrs, values: dict):
    """`prim`'s output arrays on the traced call's real values, or None when unavailable.

    Stateful ops never run here, nor ops with their own shape rule; a failure means None.
    """
    if prim.stateful or prim.shape_fn is not None:
        return None
    arrays = []
    for t in ins:
        if t._symbolic and not t._is_variable:
            a = values.get(id(t))
            if a is None:
                return None
        else:
            a = t._v.copy() if t._is_variable else t._v
        arrays.append(a)
    try:
        with np.errstate(all="ignore"):
            out = prim.impl(backend.xp_of(*arrays), *arrays, **attrs)
    except Exception:  # noqa: BLE001 - shape inference on dummies decides instead
        return None
    outs = [out] if prim.nout == 1 else list(out or ())
    return [o if hasattr(o, "shape") else np.asarray(o) for o in outs]


def _dummy_outputs(prim, ins, attrs, sub, fill) -> list:
    arrays = []
    for t in ins:
        if t._symbolic:
            shape = tuple(sub if d is None else d for d in t._v.shape)
            dt = t._v.dtype
            if dt.kind == "O":
                a = np.full(shape, b"", dtype=dt)
            elif fill == "eye" and len(shape) >= 2:
                a = np.zeros(shape, dt) + np.eye(shape[-2], shape[-1], dtype=dt)
            else:
                a = np.full(shape, 1 if fill == "eye" else fill, dtype=dt)
        else:  # variables (and inputs of stateful ops) are copied: an impl may update in place
            a = t._v.copy() if t._is_variable or prim.stateful else t._v
        arrays.append(a)
    out = prim.impl(backend.xp_of(*arrays), *arrays, **attrs)
    outs = [out] if prim.nout == 1 else list(out or ())
    outs = [np.asarray(o) if not hasattr(o, "shape") else o for o in outs]
    return [(tuple(o.shape), o.dtype) for o in outs]


def _shape_error(prim, ins, e, name):
    shapes = ", ".join("[" + ",".join("?" if d is None else str(d) for d in t._v.shape) + "]"
                       for t in ins)
    if isinstance(e, TypeError):
        return e
    msg = e.message if isinstance(e, errors.OpError) else str(e)
    return ValueError(f"{msg} for '{{{{node {name}}}}} = {prim.name}[]' with input shapes: "
                      f"{shapes}.")
