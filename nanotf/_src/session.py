"""TF1 graph execution: placeholders, `Session.run`, variable initializers and `tf.gradients`.

A TF1 program builds nodes in the default Graph (any op with a placeholder input becomes a node);
`Session.run(fetches, feed_dict)` prunes the graph to what the fetches need, compiles that into a
Plan (cached per fetch/feed set) and runs it.
"""

from __future__ import annotations

import contextlib

from nanotf._src import errors, naming, nest
from nanotf._src.backend import asnumpy, np
from nanotf._src.dispatch import Primitive, bind, primitive
from nanotf._src.graph import (
    AbstractArray,
    Graph,
    Node,
    SymbolicTensor,
    get_default_graph,
    shape_text,
)
from nanotf._src.plan import Plan, prune, replay
from nanotf._src.tensor import Tensor, _wrap, convert_to_tensor
from nanotf._src.tensor_shape import TensorShape

_default_sessions: list = []


def placeholder(dtype, shape=None, name=None) -> SymbolicTensor:
    """A graph input that `Session.run` must feed (`None` dims take any size).

    Example:
      >>> x = tf.compat.v1.placeholder(tf.float32, [None, 784])
      >>> x
      <tf.Tensor 'Placeholder:0' shape=(?, 784) dtype=float32>
    """
    from nanotf._src.graph import flags

    if flags.eager:
        raise RuntimeError("tf.placeholder() is not compatible with eager execution.")
    return get_default_graph().placeholder(dtype, shape, name=name)


@primitive("PlaceholderWithDefault")
def _with_default(xp, x):
    return x


_with_default.defvjp(lambda g, out, x: g)


def placeholder_with_default(input, shape, name=None) -> SymbolicTensor:  # noqa: A002
    """A placeholder that yields `input` when it is not fed."""
    t = convert_to_tensor(input)
    with _graph_mode(get_default_graph()):
        out = bind(_with_default, t)
    out._v = AbstractArray(TensorShape(shape).as_list(), t._v.dtype)
    return out


@contextlib.contextmanager
def _graph_mode(graph: Graph):
    """Builds nodes into `graph` even for ops whose inputs are all concrete (TF1 semantics)."""
    from nanotf._src.graph import building

    with building(graph):
        yield


# =============================== sessions ===============================


class Session:
    """Runs parts of a TF1 graph: `sess.run(fetches, feed_dict)`.

    Args:
      target: unused (no distributed runtime).
      graph: the graph to run (the default graph if None).
      config: a ConfigProto (accepted, ignored).

    Example:
      >>> with tf.compat.v1.Session() as sess:
      ...   sess.run(y, feed_dict={x: data})
    """

    def __init__(self, target: str = "", graph: Graph | None = None, config=None):
        self._graph = graph if graph is not None else get_default_graph()
        self._closed = False
        self._ctx = []

    @property
    def graph(self) -> Graph:
        """The graph this session runs."""
        return self._graph

    @property
    def sess_str(self) -> str:
        return ""

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Computes `fetches` (a nested structure of tensors, ops, variables or names).

        Returns NumPy values in the same structure (None for ops).
        """
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        flat = [self._resolve(f) for f in nest.flatten(fetches)]
        feeds = self._feeds(feed_dict)
        wanted = [f for f in flat if isinstance(f, (SymbolicTensor, Node))
                  or (isinstance(f, Tensor) and f._symbolic)]
        tensors = [f for f in wanted if not isinstance(f, Node)]
        values = self._execute(wanted, tensors, feeds) if wanted else []
        got = {id(t): v for t, v in zip(tensors, values)}
        out = []
        for f in flat:
            if isinstance(f, Node):
                out.append(None)
            elif id(f) in got:
                out.append(_numpy(got[id(f)], copy=f._is_variable))
            elif isinstance(f, Tensor):
                out.append(_numpy(f._v, copy=f._is_variable))
            else:
                out.append(f)
        return nest.pack_sequence_as(fetches, out)

    def _resolve(self, f):
        if isinstance(f, str):
            return (self._graph.get_tensor_by_name(f) if ":" in f
                    else self._graph.get_operation_by_name(f))
        if f is None:
            raise TypeError("Fetch argument None has invalid type <class 'NoneType'>")
        if not isinstance(f, (Tensor, Node)) and hasattr(f, "_as_graph_element"):
            return f._as_graph_element()
        if not isinstance(f, (Tensor, Node)):
            raise TypeError(f"Fetch argument {f!r} has invalid type {type(f)}, must be a string "
                            f"or Tensor. (Can not convert a {type(f).__name__} into a Tensor or "
                            f"Operation.)")
        return f

    def _feeds(self, feed_dict) -> dict:
        feeds = {}
        for k, v in (feed_dict or {}).items():
            k = self._resolve(k)
            if not isinstance(k, Tensor) or not k._symbolic:
                raise TypeError(f"The value of a feed cannot be a tf.Tensor object: {k!r}")
            a = v._v if isinstance(v, Tensor) and not v._symbolic else np.asarray(v)
            want = k._v.dtype
            if a.dtype != want:
                if want.kind == "O":
                    a = convert_to_tensor(v)._v
                else:
                    a = np.asarray(a, dtype=want)
            if not TensorShape(k._v.shape).is_compatible_with(a.shape):
                raise ValueError(f"Cannot feed value of shape {shape_text(a.shape)} for Tensor "
                                 f"{k.name}, which has shape {shape_text(k._v.shape)}")
            feeds[k] = a
        return feeds

    def _execute(self, wanted, tensors, feeds):
        fed = list(feeds)
        key = (tuple(id(x) for x in wanted), tuple(id(x) for x in fed))
        plan = self._graph._plans.get(key)
        if plan is None:
            plan = Plan(prune(self._graph.nodes, wanted, fed), fed, tensors)
            self._graph._plans[key] = plan
        return plan([feeds[k] for k in fed])

    def close(self) -> None:
        """Releases the session; later `run` calls raise RuntimeError."""
        self._closed = True

    def as_default(self):
        """A context in which this is the default session (for `Tensor.eval`)."""
        return _DefaultSession(self)

    def list_devices(self) -> list:
        """The devices this session can use."""
        return []

    def __enter__(self) -> Session:
        ctx = [self.as_default(), self._graph.as_default()]
        for c in ctx:
            c.__enter__()
        self._ctx.append(ctx)
        return self

    def __exit__(self, *exc) -> None:
        for c in reversed(self._ctx.pop()):
            c.__exit__(*exc)
        self.close()

    def __del__(self):
        self._closed = True


class InteractiveSession(Session):
    """A Session that installs itself as the default session (for `t.eval()` in notebooks)."""

    def __init__(self, target: str = "", graph: Graph | None = None, config=None):
        super().__init__(target, graph, config)
        _default_sessions.append(self)

    def close(self) -> None:
        super().close()
        if self in _default_sessions:
            _default_sessions.remove(self)


class _DefaultSession:
    def __init__(self, sess):
        self._sess = sess

    def __enter__(self):
        _default_sessions.append(self._sess)
        return self._sess

    def __exit__(self, *exc):
        if self._sess in _default_sessions:
            _default_sessions.remove(self._sess)


def get_default_session():
    """The innermost default session, or None."""
    return _default_sessions[-1] if _default_sessions else None


def _session_for(session, node):
    sess = session or get_default_session()
    if sess is None:
        raise ValueError("Cannot evaluate tensor using `eval()`: No default session is registered. "
                         "Use `with sess.as_default()` or pass an explicit session to "
                         "`eval(session=sess)`")
    return sess


def _numpy(a, copy=False):
    a = asnumpy(a)
    if a.ndim == 0:
        return a[()]
    return a.copy() if copy else a


# =============================== grouping ops ===============================


@primitive("NoOp", nout=0, nondiff=True, stateful=True)
def _noop(xp, *arrays):
    return ()


_noop.shape_fn = lambda ins, attrs: []


def no_op(name=None):
    """An op that does nothing (a handle for control dependencies); None when eager."""
    return group(name=name)


def group(*inputs, name=None):
    """An op that runs all `inputs` (ops or tensors); None when executing eagerly."""
    items = [x for x in nest.flatten(list(inputs)) if x is not None]
    graphs = [x.graph for x in items if isinstance(x, Node) or (
        isinstance(x, Tensor) and x._symbolic and hasattr(x, "graph"))]
    if not graphs:
        from nanotf._src.dispatch import context

        if context.graph is None:
            return None
        graphs = [context.graph]
    g = graphs[0]
    nodes = [x if isinstance(x, Node) else x.op for x in items
             if isinstance(x, Node) or (isinstance(x, Tensor) and x._symbolic)]
    with g.control_dependencies(nodes):
        node = Node(g, _noop, (), {}, g.unique_name(name or "NoOp"), tuple(g._control))
    g._append(node)
    return node


def control_dependencies(control_inputs):
    """Ops created inside run after `control_inputs` (in the default graph)."""
    from nanotf._src.dispatch import context

    g = context.graph or get_default_graph()
    return g.control_dependencies(control_inputs)


# =============================== initializers ===============================


@primitive("InitVariables", nout=0, nondiff=True, stateful=True)
def _init_vars(xp, *arrays, variables):
    for v, a in zip(variables, arrays):
        v._assign_array(a)
    return ()


_init_vars.shape_fn = lambda ins, attrs: []


def variables_initializer(var_list, name: str = "init"):
    """An op that (re)assigns each variable its initial value."""
    var_list = list(var_list)
    g = get_default_graph()
    inits = [getattr(v, "_init_tensor", None) for v in var_list]
    inits = [t if t is not None else _wrap(v._v.copy()) for t, v in zip(inits, var_list)]
    node = Node(g, _init_vars, tuple(inits), {"variables": tuple(var_list)}, g.unique_name(name))
    g._append(node)
    return node


def global_variables_initializer():
    """An op initializing every variable in the default graph's GLOBAL_VARIABLES collection.

    Example:
      >>> sess.run(tf.compat.v1.global_variables_initializer())
    """
    return variables_initializer(get_default_graph().get_collection("variables"), "init")


def local_variables_initializer():
    """An op initializing the LOCAL_VARIABLES collection."""
    return variables_initializer(get_default_graph().get_collection("local_variables"), "init_1")


# =============================== gradients ===============================


def gradients(ys, xs, grad_ys=None, name="gradients", colocate_gradients_with_ops=False,
              gate_gradients=False, aggregation_method=None, stop_gradients=None,
              unconnected_gradients="none"):
    """Symbolic gradients of `sum(ys)` with respect to each of `xs` (TF1 graphs).

    Returns a list with one tensor per `xs` (None where unconnected). The VJP rules are applied to
    the graph's nodes; where a rule needs a size the static shape lacks, one node computes the
    gradients at run time under a GradientTape instead.

    Example:
      >>> g, = tf.compat.v1.gradients(tf.reduce_sum(x * x), [x])
    """
    ys = list(ys) if isinstance(ys, (list, tuple)) else [ys]
    xs_list = list(xs) if isinstance(xs, (list, tuple)) else [xs]
    gys = None if grad_ys is None else (list(grad_ys) if isinstance(grad_ys, (list, tuple))
                                         else [grad_ys])
    graph = next((t.graph for t in ys if isinstance(t, Tensor) and t._symbolic), None)
    if graph is None:
        raise RuntimeError("tf.gradients is not supported when eager execution is enabled. Use "
                           "tf.GradientTape instead.")
    fwd = prune(graph.nodes, ys)
    used = {id(t) for n in fwd for t in n.inputs} | {id(y) for y in ys}
    live = [x for x in xs_list if id(x) in used]
    result = dict.fromkeys(map(id, xs_list))
    if live:
        with naming.name_scope(graph.unique_name(name) + "/"):
            grads = _symbolic_grads(graph, fwd, ys, live, gys)
            if grads is None:
                grads = _runtime_grads(graph, fwd, ys, live, gys)
        result.update({id(x): g for x, g in zip(live, grads)})
    out = [result[id(x)] for x in xs_list]
    if str(getattr(unconnected_gradients, "value", unconnected_gradients)) == "zero":
        from nanotf._src.ops import zeros_like

        out = [zeros_like(x) if g is None else g for g, x in zip(out, xs_list)]
    return out


def _symbolic_grads(graph, fwd, ys, xs, gys):
    from nanotf._src.tape import GradientTape

    log = [(n.prim, n.inputs, n.outputs, n.attrs) for n in fwd
           if not n.prim.nondiff and any(o._v.dtype.kind in "fc" for o in n.outputs)]
    mark = len(graph.nodes)
    tape = GradientTape(persistent=True)
    tape._log = log
    try:
        return tape._sweep(ys, xs, gys, "none")
    except (TypeError, ValueError, LookupError, errors.OpError, NotImplementedError):
        for n in graph.nodes[mark:]:
            graph._by_name.pop(n.name, None)
        del graph.nodes[mark:]
        return None
    finally:
        tape._release()


def _runtime_grads(graph, fwd, ys, xs, gys):
    """One node that reruns the forward subgraph under a tape when the session runs it."""
    from nanotf._src.graph import PLACEHOLDER

    leaves = [n.outputs[0] for n in fwd if n.prim is PLACEHOLDER]
    body = [n for n in fwd if n.prim is not PLACEHOLDER]
    extra = [convert_to_tensor(g) for g in gys] if gys is not None else []

    def impl(xp, *arrays):
        from nanotf._src.tape import GradientTape

        env = {id(p): _wrap(a) for p, a in zip(leaves, arrays)}
        with GradientTape(persistent=True) as tape:
            for n in body:  # variables become plain tensors so ops run eagerly
                if n.prim.name == "VariableV2":
                    env[id(n.outputs[0])] = _wrap(n.outputs[0]._v)
            for x in xs:
                if id(x) in env:
                    tape.watch(env[id(x)])
            _replay_watching(body, env, tape, {id(x) for x in xs})
            targets = [env.get(id(y), y) for y in ys]
        srcs = [env.get(id(x), x) for x in xs]
        ogs = [_wrap(a) for a in arrays[len(leaves):]] or None
        gs = tape.gradient(targets, srcs, output_gradients=ogs)
        return tuple(np.zeros_like(s._v) if g is None else g._v for g, s in zip(gs, srcs))

    prim = Primitive(impl, "SymbolicGradient", nout=len(xs), nondiff=True)
    shapes = [AbstractArray(x._v.shape, x._v.dtype) for x in xs]
    prim.shape_fn = lambda ins, attrs: shapes
    res = graph.add(prim, leaves + extra, {})
    return list(res) if isinstance(res, tuple) else [res]


def _replay_watching(nodes, env, tape, watch_ids):
    for n in nodes:
        if n.prim.name == "VariableV2":
            continue
        replay([n], env)
        for o in n.outputs:
            if id(o) in watch_ids:
                tape.watch(env[id(o)])



initialize_all_variables = global_variables_initializer  # deprecated TF1 names
initialize_local_variables = local_variables_initializer
