"""Graph IR: nodes of primitives over symbolic tensors, placeholders, the default graph.

A Graph is a list of Nodes in creation order, which is already topological. `bind` hands it every op
that has a symbolic input (or every op, while a graph is being traced). `plan.py` runs them.
"""

from __future__ import annotations

import contextlib

from nanotf._src import backend, dispatch, dtypes, errors, naming
from nanotf._src.backend import np
from nanotf._src.dispatch import Primitive, context, primitive
from nanotf._src.tensor import Tensor, _wrap
from nanotf._src.tensor_shape import TensorShape


class _Flags:
    """Process-wide switches that `tf.compat.v1` toggles."""

    v2_tensorshape = True  # False: shapes print with '?' (TF1)
    v2_equality = True  # False: `==` on graph tensors is identity and they hash by id (TF1)
    eager = True  # False after disable_eager_execution()


flags = _Flags()


class AbstractArray:
    """Stands in for a symbolic tensor's array: a static shape (None = unknown dim) and dtype."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape, dtype):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self):
        n = 1
        for d in self.shape:
            if d is None:
                return None
            n *= d
        return n

    def __array__(self, dtype=None, copy=None):
        raise NotImplementedError("Cannot convert a symbolic tf.Tensor to a numpy array. This "
                                  "error may indicate that you're trying to pass a Tensor to a "
                                  "NumPy call, which is not supported.")

    def __repr__(self) -> str:
        return f"AbstractArray({self.shape}, {self.dtype})"


def shape_text(shape) -> str:
    """A static shape as TF prints it: `(None, 3)`, or `(?, 3)` under TF1 shapes."""
    dims = ["?" if d is None and not flags.v2_tensorshape else str(d) for d in shape]
    return f"({dims[0]},)" if len(dims) == 1 else "(" + ", ".join(dims) + ")"


# =============================== nodes and symbolic tensors ===============================


class Node:
    """One op in a Graph (TF's `Operation`): a primitive, its inputs, attributes and outputs."""

    __slots__ = ("graph", "prim", "inputs", "attrs", "outputs", "name", "control_inputs",
                 "__weakref__")

    def __init__(self, graph, prim, inputs, attrs, name, control_inputs=()):
        self.graph = graph
        self.prim = prim
        self.inputs = inputs
        self.attrs = attrs
        self.name = name
        self.control_inputs = control_inputs
        self.outputs = ()

    @property
    def type(self) -> str:
        """The op type, e.g. `'MatMul'`."""
        return self.prim.name

    @property
    def stateful(self) -> bool:
        return self.prim.stateful

    def run(self, feed_dict=None, session=None) -> None:
        """Runs this op in `session` (default: the default session)."""
        from nanotf._src.session import _session_for

        _session_for(session, self).run(self, feed_dict=feed_dict)

    def __repr__(self) -> str:
        return f"<tf.Operation '{self.name}' type={self.type}>"


class SymbolicTensor(Tensor):
    """A tensor of a Graph: the `index`-th output of a Node, with a static shape and dtype.

    It has no value; `tf.compat.v1.Session.run` or a traced function's call computes one.
    """

    __slots__ = ("_node", "_index")
    _symbolic = True

    def __init__(self, node: Node, index: int, abstract: AbstractArray):
        self._node = node
        self._index = index
        self._v = abstract

    @classmethod
    def _bind_symbolic(cls, prim, inputs, attrs):
        for t in inputs:
            if t._symbolic:
                return t._node.graph.add(prim, inputs, attrs)

    # --- graph attributes -------------------------------------------------------------------
    @property
    def graph(self) -> Graph:
        """The Graph this tensor belongs to."""
        return self._node.graph

    @property
    def op(self) -> Node:
        """The Node (Operation) that produces this tensor."""
        return self._node

    @property
    def name(self) -> str:
        """`'<op name>:<output index>'`, e.g. `'Placeholder:0'`."""
        return f"{self._node.name}:{self._index}"

    @property
    def value_index(self) -> int:
        """The output index within its op."""
        return self._index

    @property
    def device(self) -> str:
        return ""

    def set_shape(self, shape) -> None:
        """Refines the static shape with `shape` (ValueError when incompatible)."""
        merged = self.shape.merge_with(shape)
        self._v = AbstractArray(merged.as_list(), self._v.dtype)

    def eval(self, feed_dict=None, session=None):
        """The value computed by `session` (default: the default session)."""
        from nanotf._src.session import _session_for

        return _session_for(session, self._node).run(self, feed_dict=feed_dict)

    @property
    def numpy(self):
        """Symbolic tensors have no value: `hasattr(t, 'numpy')` is False, as in TF."""
        raise AttributeError(f"'{type(self).__name__}' object has no attribute 'numpy'")

    # --- Python protocols that need a value ---------------------------------------------------
    def __bool__(self):
        from nanotf._src import autograph

        return autograph.symbolic_bool(self)

    def __iter__(self):
        from nanotf._src import autograph

        return autograph.symbolic_iter(self)

    def __len__(self):
        raise TypeError(f"len is not well defined for a symbolic Tensor ({self.name}). Please "
                        f"call `x.shape` rather than `len(x)` for shape information.")

    def __index__(self):
        raise TypeError(f"Cannot use a symbolic tensor ({self.name}) as a Python integer.")

    __int__ = __float__ = __complex__ = __index__

    def __array__(self, dtype=None, copy=None):
        raise NotImplementedError(f"Cannot convert a symbolic tf.Tensor ({self.name}) to a numpy "
                                  f"array. This error may indicate that you're trying to pass a "
                                  f"Tensor to a NumPy call, which is not supported.")

    def __hash__(self):
        if flags.v2_equality and self._node.graph.building_function:
            raise TypeError("Tensor is unhashable. Instead, use tensor.ref() as the key.")
        return id(self)

    def __eq__(self, other):
        if not flags.v2_equality:
            return self is other
        return Tensor.__eq__(self, other)

    def __ne__(self, other):
        if not flags.v2_equality:
            return self is not other
        return Tensor.__ne__(self, other)

    def __format__(self, spec):
        return format(str(self), spec)

    def __repr__(self) -> str:
        return (f"<tf.Tensor '{self.name}' shape={shape_text(self._v.shape)} "
                f"dtype={self.dtype.name}>")

    def __str__(self) -> str:
        return f'Tensor("{self.name}", shape={shape_text(self._v.shape)}, dtype={self.dtype.name})'

    def __reduce__(self):
        raise TypeError(f"Cannot pickle a symbolic tensor ({self.name}).")

    def __deepcopy__(self, memo):
        return self


# =============================== the graph ===============================

# TF1 names the ops that Python operators create in lower case.
_OP_NAMES = {"AddV2": "add", "Sub": "sub", "Mul": "mul", "RealDiv": "truediv"}


class Graph:
    """A graph of Nodes, built by tracing (`tf.function`) or by TF1-style code (`tf.compat.v1`).

    Args:
      outer: the enclosing graph when this one is a branch or loop body (its free tensors are
        captured as placeholders).
      building_function: True for `tf.function` graphs (their tensors are unhashable, as in TF 2).
    """

    def __init__(self, outer: Graph | None = None, building_function: bool = False):
        self.nodes: list = []
        self.outer = outer
        self.building_function = building_function
        self.captures: list = []  # (outer tensor or variable, inner placeholder)
        self._captured: dict = {}
        self._names: dict = {}
        self._by_name: dict = {}
        self._control: list = []
        self.collections: dict = {}
        self.finalized = False
        self.seed = None
        self._plans: dict = {}
        # While tracing with the first call's values: id(tensor) -> array, so static shapes come
        # from real values; `guards` holds the shapes data-dependent nodes must keep (id(node)).
        self.concrete: dict | None = None
        self.guards: dict = {}

    # --- building ---------------------------------------------------------------------------
    def add(self, prim: Primitive, inputs, attrs: dict):
        """Appends `prim(inputs, **attrs)` and returns its symbolic output(s)."""
        ins = []
        live = False
        for t in inputs:
            if t._symbolic:
                if t._node.graph is not self:
                    t = self.capture(t)
                live = True
            elif t._is_variable:
                if self.outer is not None:
                    t = self.capture(t)
                live = True
            ins.append(t)
        if not live and not prim.stateful and self.building_function and not _recording():
            return _fold(prim, ins, attrs)  # constant folding: TF would fold these too
        if self.finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")
        name = self.unique_name(naming.current_scope() + _OP_NAMES.get(prim.name, prim.name))
        vals = None if self.concrete is None else _plan.concrete_outputs(prim, ins, attrs,
                                                                         self.concrete)
        guard = vals is not None and prim.name in _plan.DATA_DEPENDENT
        if guard and any(n.prim.stateful for n in self.nodes):
            vals = guard = None  # a failed guard reruns the function: no side effects before it
        if vals is None:
            abstract = _plan.infer(prim, ins, attrs, name)
        else:
            abstract = [AbstractArray(v.shape, v.dtype) for v in vals]
        node = Node(self, prim, tuple(ins), attrs, name, tuple(self._control))
        node.outputs = tuple(SymbolicTensor(node, i, a) for i, a in enumerate(abstract))
        self._append(node)
        if vals is not None:
            self.concrete.update(zip(map(id, node.outputs), vals))
            if guard:
                self.guards[id(node)] = tuple(v.shape for v in vals)
        if prim.nout == 1:
            res = node.outputs[0]
        elif prim.nout == 0 and not node.outputs:
            res = node
        else:
            res = node.outputs
        if dispatch._tapes and not prim.nondiff and node.outputs:
            dispatch._record(prim, node.inputs, res, attrs)
        return res

    def _append(self, node: Node) -> None:
        self.nodes.append(node)
        self._by_name[node.name] = node

    def placeholder(self, dtype, shape, name: str | None = None) -> SymbolicTensor:
        """A new input tensor of this graph (fed by Session.run or a function call)."""
        dt = dtypes.as_dtype(dtype)
        shape = TensorShape(shape)
        dims = shape.as_list() if shape.rank is not None else ()
        node = Node(self, PLACEHOLDER, (), {}, self.unique_name(name or "Placeholder"))
        node.attrs = {"dtype": dt._np, "shape": tuple(dims), "name": node.name}
        node.outputs = (SymbolicTensor(node, 0, AbstractArray(dims, dt._np)),)
        self._append(node)
        return node.outputs[0]

    def capture(self, t):
        """The placeholder standing for outer tensor (or variable) `t` in this graph."""
        c = self._captured.get(id(t))
        if c is None:
            shape = t._v.shape if t._symbolic else t.shape
            c = self.placeholder(t.dtype, shape, name="capture")
            self._captured[id(t)] = c
            self.captures.append((t, c))
        return c

    def unique_name(self, base: str, mark_as_used: bool = True) -> str:
        """`base`, or `base_1`, `base_2`, ... if taken (case-insensitively, as TF)."""
        key = base.lower()
        n = self._names.get(key, 0)
        name = base if n == 0 else f"{base}_{n}"
        while name.lower() in self._names and name.lower() != key:
            n += 1
            name = f"{base}_{n}"
        if mark_as_used:
            self._names[key] = n + 1
            self._names.setdefault(name.lower(), 1)
        return name

    @contextlib.contextmanager
    def control_dependencies(self, control_inputs):
        """Nodes created inside run after `control_inputs` (ops or tensors)."""
        saved = list(self._control)
        if control_inputs is None:
            self._control = []
        else:
            for c in control_inputs:
                if isinstance(c, SymbolicTensor):
                    c = c._node
                if isinstance(c, Node):
                    self._control.append(c)
        try:
            yield
        finally:
            self._control = saved

    # --- TF1 Graph API ------------------------------------------------------------------------
    @contextlib.contextmanager
    def as_default(self):
        """Makes this the default graph inside the block."""
        _default_stack.append(self)
        try:
            yield self
        finally:
            _default_stack.remove(self)

    def name_scope(self, name):
        """A name scope for the ops and variables created inside."""
        return naming.name_scope(name)

    @contextlib.contextmanager
    def device(self, device_name):
        """Accepted for compatibility; nanotf places everything on its one device."""
        yield

    def get_operations(self) -> list:
        """The graph's ops in creation order."""
        return list(self.nodes)

    def get_operation_by_name(self, name: str) -> Node:
        """The op called `name` (KeyError if none)."""
        node = self._by_name.get(name)
        if node is None:
            raise KeyError(f"The name '{name}' refers to an Operation not in the graph.")
        return node

    def get_tensor_by_name(self, name: str) -> SymbolicTensor:
        """The tensor called `'op:index'`."""
        op, _, idx = name.rpartition(":")
        if not op:
            raise ValueError(f"The name '{name}' looks like an (invalid) Operation name, not a "
                             f"Tensor name. Tensor names must be of the form "
                             f"\"<op_name>:<output_index>\".")
        node = self._by_name.get(op)
        if node is None or int(idx) >= len(node.outputs):
            raise KeyError(f"The name '{name}' refers to a Tensor which does not exist. The "
                           f"operation, '{op}', does not exist in the graph.")
        return node.outputs[int(idx)]

    def finalize(self) -> None:
        """Makes the graph read-only."""
        self.finalized = True

    def add_to_collection(self, name, value) -> None:
        """Appends `value` to the collection `name`."""
        self.collections.setdefault(name, []).append(value)

    def get_collection(self, name, scope=None) -> list:
        """A copy of the collection `name` (filtered by name prefix `scope`)."""
        items = list(self.collections.get(name, []))
        if scope:
            items = [x for x in items if getattr(x, "name", "").startswith(scope)]
        return items

    def get_collection_ref(self, name) -> list:
        """The collection list itself."""
        return self.collections.setdefault(name, [])

    def get_all_collection_keys(self) -> list:
        """The names of the non-empty collections."""
        return [k for k, v in self.collections.items() if v]

    def node_records(self) -> list:
        """`(name, op, input names, attrs)` per node, for graph writers (TensorBoard's GraphDef).

        Constants and variables a node reads appear as `Const` / `VarHandleOp` records; attrs
        hold the output `dtype` (NumPy) and `shape` (None for unknown dims).
        """
        recs, seen = [], {}
        for n in self.nodes:
            ins = []
            for t in n.inputs:
                if t._symbolic and not t._is_variable:
                    ins.append(t._node.name if t._index == 0 else t.name[:-2] + f":{t._index}")
                    continue
                if id(t) not in seen:
                    op = "VarHandleOp" if t._is_variable else "Const"
                    seen[id(t)] = self.unique_name(t.name[:-2] if t._is_variable else "Const")
                    recs.append((seen[id(t)], op, [], {"dtype": t._v.dtype,
                                                       "shape": tuple(t._v.shape)}))
                ins.append(seen[id(t)])
            out = n.outputs[0]._v if n.outputs else None
            attrs = {} if out is None else {"dtype": out.dtype, "shape": tuple(out.shape)}
            recs.append((n.name, n.prim.name, ins, attrs))
        return recs

    def __repr__(self) -> str:
        return f"<nanotf Graph with {len(self.nodes)} ops>"


@primitive("Placeholder", nondiff=True)
def _placeholder_impl(xp, dtype, shape, name):
    dims = ",".join("?" if d is None else str(d) for d in shape)
    raise errors.InvalidArgumentError(
        None, None, f"You must feed a value for placeholder tensor '{name}' with dtype "
        f"{_dtype_word(dtype)} and shape [{dims}]\n\t [[{{{{node {name}}}}}]]")


PLACEHOLDER = _placeholder_impl


def _dtype_word(npd) -> str:
    name = dtypes.from_numpy(np.dtype(npd)).name
    return {"float32": "float", "float64": "double"}.get(name, name)


def _recording() -> bool:
    return any(t._recording for t in dispatch._tapes)


def _fold(prim, ins, attrs):
    arrays = [t._v for t in ins]
    xp = backend.xp_of(*arrays)
    try:
        out = prim.impl(xp, *arrays, **attrs)
    except (ValueError, IndexError) as e:
        raise dispatch._op_error(prim, ins, e) from None
    return _wrap(out) if prim.nout == 1 else tuple(_wrap(o) for o in out)


# =============================== variables in graphs ===============================


def _assign_prim(op: str, name: str) -> Primitive:
    def impl(xp, value, var):
        from nanotf._src.variables import Variable

        getattr(Variable, op)(var, _wrap(value), read_value=False)  # the eager update itself
        return var._v

    prim = Primitive(impl, name, nondiff=True, stateful=True)
    prim.shape_fn = lambda ins, attrs: [AbstractArray(tuple(attrs["var"].shape.as_list()),
                                                      attrs["var"]._v.dtype)]
    return prim


_ASSIGN = {"assign": _assign_prim("assign", "AssignVariableOp"),
           "assign_add": _assign_prim("assign_add", "AssignAddVariableOp"),
           "assign_sub": _assign_prim("assign_sub", "AssignSubVariableOp")}


def variable_update(var, op: str, value):
    """`var.<op>(value)` as a graph node (tracing, or a symbolic value); returns the new value.

    `op` is 'assign', 'assign_add' or 'assign_sub'. Variables call this from their update
    methods when `context.graph` is set or `value` is symbolic.
    """
    from nanotf._src.tensor import convert_to_tensor

    if not isinstance(value, Tensor):
        value = convert_to_tensor(value, dtype=var.dtype)
    elif value.dtype != var.dtype:
        raise TypeError(f"Cannot {op} a {value.dtype.name} value to variable '{var.name}' of "
                        f"dtype {var.dtype.name}")
    return dispatch.bind(_ASSIGN[op], value, var=var)


# =============================== default graph, tracing scopes ===============================

_default_stack: list = []
_global_default: list = []


def get_default_graph() -> Graph:
    """The graph that TF1-style ops and placeholders go into."""
    if _default_stack:
        return _default_stack[-1]
    if not _global_default:
        _global_default.append(Graph())
    return _global_default[0]


def reset_default_graph() -> None:
    """Replaces the global default graph with a new empty one."""
    if _default_stack:
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs. If you "
                             "need a cleared graph, exit the nesting and create a new graph.")
    _global_default[:] = [Graph()]


@contextlib.contextmanager
def building(graph: Graph):
    """Routes every op into `graph` (tracing), hiding the tapes that were already recording."""
    saved = (context.graph, context.graph_bind)
    tapes = list(dispatch._tapes)
    context.graph, context.graph_bind = graph, graph.add
    dispatch._tapes[:] = []
    try:
        yield graph
    finally:
        context.graph, context.graph_bind = saved
        dispatch._tapes[:] = tapes


@contextlib.contextmanager
def init_scope():
    """Leaves any graph being traced: ops inside run eagerly and tapes pause, as `tf.init_scope`.

    Example:
      >>> with tf.init_scope():
      ...   v = tf.Variable(tf.random.normal([2]))   # created eagerly even inside tf.function
    """
    saved = (context.graph, context.graph_bind)
    paused = [t for t in dispatch._tapes if t._recording]
    context.graph = context.graph_bind = None
    for t in paused:
        t._recording = False
    try:
        yield
    finally:
        context.graph, context.graph_bind = saved
        for t in paused:
            t._recording = True


from nanotf._src import plan as _plan  # noqa: E402 - plan.py uses this module's classes
