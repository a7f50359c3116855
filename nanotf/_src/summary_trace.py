"""Graph summaries: `tf.summary.graph`, and `trace_on` / `trace_export` / `trace_off`.

A nanotf `Graph` (what `tf.function` traces) becomes a `GraphDef` here: one NodeDef per node,
named and typed as the graph names them (op types are TF's), with `T`, `dtype`, `shape` and
`_output_shapes` attributes for TensorBoard. Eager constants feeding the graph become `Const`
nodes (values up to `_MAX_CONST_ELEMENTS` elements are stored; larger ones carry dtype and shape
only, with `_value_omitted`), and variables become `VarHandleOp` nodes named after them.

Tracing records the graph of every distinct concrete function called between `trace_on` and
`trace_export`; `trace_export` writes them as TF 2 does, as a 'graph_run_metadata_graph' summary
holding a `RunMetadata` whose `function_graphs` carry the graphs. nanotf has no profiler: with
`profiler=True` the same graphs are written (plugin 'graph_run_metadata', as TF labels profiled
traces) without step statistics, and no profile files are produced.

The recording hooks `ConcreteFunction._call_flat` (in `function.py`) while a trace is on and
restores it afterwards.
"""

from __future__ import annotations

import logging
import threading

from nanotf._src import events as fmt
from nanotf._src import summary as _summary
from nanotf._src.backend import asnumpy, np
from nanotf._src.dispatch import context
from nanotf._src.tensor import Tensor, constant

_logger = logging.getLogger("nanotf")
_MAX_CONST_ELEMENTS = 1024


# ================================= Graph -> GraphDef =================================


def _attr(name: str, value):
    """A Python attribute value as `events.graphdef.attr_value` takes it, or None to skip."""
    if value is None or callable(value):
        return None
    if isinstance(value, Tensor):
        return None if value._symbolic else _const_array(value)[0]
    if name == "shape" and isinstance(value, (tuple, list)):
        return fmt.Shape(value)
    if isinstance(value, (bool, int, float, str, bytes, np.dtype, np.generic, np.ndarray)):
        return value
    if isinstance(value, (tuple, list)):
        items = [_attr(name, v) for v in value]
        return None if any(v is None for v in items) else items
    return repr(value)


def _const_array(t: Tensor):
    arr = np.asarray(asnumpy(t._v))
    if arr.size > _MAX_CONST_ELEMENTS:
        return None, arr
    return arr, arr


class _Namer:
    def __init__(self, taken):
        self.taken = set(taken)

    def __call__(self, base: str) -> str:
        name, n = base, 0
        while name in self.taken:
            n += 1
            name = f"{base}_{n}"
        self.taken.add(name)
        return name


def graph_def_bytes(graph) -> bytes:
    """Serializes a nanotf Graph (`tf.function` trace or v1 graph) as a `GraphDef`.

    Example:
      >>> gd = graph_def_bytes(f.get_concrete_function(tf.constant(1.0)).graph)
    """
    nodes = list(getattr(graph, "nodes", ()))
    unique = _Namer(n.name for n in nodes)
    extra: list = []  # NodeDefs of the constants and variables the graph reads
    feeds: dict = {}  # id(eager tensor or variable) -> its node name

    def source(t) -> str:
        if t._symbolic:
            return t._node.name if t._index == 0 else f"{t._node.name}:{t._index}"
        name = feeds.get(id(t))
        if name is None:
            dt = np.dtype(t._v.dtype)
            shape = fmt.Shape(tuple(t.shape))
            if t._is_variable:
                name = unique(str(getattr(t, "name", "Variable")).split(":")[0])
                attrs = {"dtype": dt, "shape": shape, "_output_shapes": [fmt.Shape(None)]}
                extra.append(fmt.node_def(name, "VarHandleOp", (), attrs))
            else:
                name = unique("Const")
                value, arr = _const_array(t)
                attrs = {"dtype": dt, "_output_shapes": [fmt.Shape(arr.shape)]}
                if value is not None:
                    attrs["value"] = value
                else:
                    attrs["_value_omitted"] = True
                extra.append(fmt.node_def(name, "Const", (), attrs))
            feeds[id(t)] = name
        return name

    out = []
    for node in nodes:
        inputs = [source(t) for t in node.inputs if isinstance(t, Tensor)]
        inputs += ["^" + c.name for c in getattr(node, "control_inputs", ())]
        attrs = {}
        for k, v in node.attrs.items():
            if k == "name":
                continue
            a = _attr(k, v)
            if a is not None:
                attrs[k] = a
        ins = [t for t in node.inputs if isinstance(t, Tensor)]
        if ins and "T" not in attrs and "dtype" not in attrs:
            attrs["T"] = np.dtype(ins[0]._v.dtype)
        outs = [o for o in node.outputs if isinstance(o, Tensor)]
        if outs:
            attrs["_output_shapes"] = [fmt.Shape(o._v.shape) for o in outs]
        out.append(fmt.node_def(node.name, node.type, inputs, attrs))
    return fmt.graph_def(extra + out)


def _serialize(graph_data) -> bytes:
    if hasattr(graph_data, "nodes") and hasattr(graph_data, "get_operations"):
        return graph_def_bytes(graph_data)
    if hasattr(graph_data, "SerializeToString") and "GraphDef" in type(graph_data).__name__:
        return graph_data.SerializeToString()
    raise ValueError(f"Argument 'graph_data' is not tf.Graph or tf.compat.v1.GraphDef. "
                     f"Received graph_data={graph_data} of type {type(graph_data).__name__}.")


def graph(graph_data) -> Tensor:
    """Writes a graph (a `tf.function`'s `.graph`, or a GraphDef) to the default writer.

    Returns True if written; False with no default writer or when `record_if` is off.

    Example:
      >>> with writer.as_default():
      ...   tf.summary.graph(f.get_concrete_function(tf.constant(1.0)).graph)
    """
    if context.graph is not None:
        raise ValueError("graph() cannot be invoked inside a graph context.")
    writer = _summary._state.writer
    if writer is None or not _summary._condition():
        return constant(False)
    writer._add(fmt.graph_event(_serialize(graph_data)))  # graphs have no step: 0
    return constant(True)


# ===================================== tracing =====================================


class _Trace:
    def __init__(self, graph: bool, profiler: bool):
        self.graph = graph
        self.profiler = profiler
        self.functions: dict = {}  # id -> ConcreteFunction, in first-call order
        self.patched = None


_trace_lock = threading.Lock()
_trace: _Trace | None = None


def _hook(tr: _Trace):
    """Wraps `ConcreteFunction._call_flat` so each call records its function; None if absent."""
    try:
        from nanotf._src.function import ConcreteFunction
    except ImportError:
        return None
    original = ConcreteFunction.__dict__.get("_call_flat")
    if original is None:
        return None

    def _call_flat(self, tensors):
        current = _trace
        if current is not None and context.graph is None:
            current.functions.setdefault(id(self), self)
        return original(self, tensors)

    ConcreteFunction._call_flat = _call_flat
    return ConcreteFunction, original


def trace_on(graph: bool = True, profiler: bool = False, profiler_outdir=None) -> None:
    """Starts recording the graphs of the `tf.function`s called from now on.

    Args:
      graph: record the function graphs.
      profiler: accepted; nanotf has no profiler, so only graphs are recorded.
      profiler_outdir: ignored (no profile is written).

    Example:
      >>> tf.summary.trace_on(graph=True)
      >>> y = f(x)
      >>> with writer.as_default():
      ...   tf.summary.trace_export('f_trace', step=0)
    """
    global _trace
    if context.graph is not None:
        _logger.warning("Must enable trace in eager mode.")
        return
    with _trace_lock:
        if _trace is not None:
            _logger.warning("Trace already enabled")
            return
        if profiler:
            _logger.warning("nanotf has no profiler: trace_on(profiler=True) records graphs "
                            "only and writes no profile.")
        tr = _Trace(bool(graph), bool(profiler))
        tr.patched = _hook(tr)
        _trace = tr


def trace_off() -> None:
    """Stops the current trace and discards what it recorded.

    Example: `tf.summary.trace_off()`.
    """
    global _trace
    with _trace_lock:
        tr, _trace = _trace, None
    if tr is not None and tr.patched is not None:
        cls, original = tr.patched
        cls._call_flat = original


def trace_export(name, step=None, profiler_outdir=None) -> None:
    """Writes the graphs recorded since `trace_on` to the default writer, then stops the trace.

    Raises:
      ValueError: if no trace is on, or a default writer is set but no step is known.

    Example:
      >>> with writer.as_default():
      ...   tf.summary.trace_export('f_trace', step=0)
    """
    if step is not None:
        _summary._step_int(step)
    if context.graph is not None:
        _logger.warning("Cannot export trace inside a tf.function.")
        return
    with _trace_lock:
        tr = _trace
    if tr is None:
        raise ValueError("Must enable trace before export through tf.summary.trace_on.")
    graphs = [graph_def_bytes(cf.graph) for cf in tr.functions.values()] if tr.graph else []
    plugin = "graph_run_metadata" if tr.profiler else "graph_run_metadata_graph"
    tag = _summary.current_scope() + str(name)
    _summary._write(tag, lambda t, s: fmt.summary_event(
        [fmt.run_metadata_value(t, graphs, plugin)], s), step)
    trace_off()
