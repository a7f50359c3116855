"""`GraphDef`, `RunMetadata` and the graph summaries TensorBoard's graph plugin reads.

Graphs arrive as plain node records, so this module knows nothing of nanotf's graph objects:

    gd = graph_def([node_def('x', 'Placeholder', attrs={'dtype': np.dtype('float32'),
                                                        'shape': Shape([None, 3])}),
                    node_def('Relu', 'Relu', ['x'], {'T': np.dtype('float32')})])

- `graph_event(gd)` (in `messages`) stores it in `Event.graph_def`, as `tf.summary.graph` does.
- `run_metadata_value(tag, [gd, ...])` is the summary `tf.summary.trace_export` writes: a string
  tensor holding a `RunMetadata` whose `function_graphs[i].pre_optimization_graph` are the graphs
  (TensorBoard merges exactly those), plugin 'graph_run_metadata_graph'.
- `keras_model_value(tag, json)` is the 'keras' summary of a model's JSON config that Keras's
  TensorBoard callback writes (plugin 'graph_keras_model').

`parse_graph_def` decodes a GraphDef back into dicts (for tests and tools).
"""

from __future__ import annotations

import struct
from typing import Mapping, Sequence

import numpy as np

from nanotf._src.events.proto import (
    I32,
    LEN,
    dtype_enum,
    f_bytes,
    f_int,
    f_msg,
    f_str,
    fields,
    key,
    parse_tensor,
    read_varint,
    signed64,
    tensor_proto,
    to_bytes,
    varint,
)
from nanotf._src.events.values import tensor_value

# GraphDef version of the TF release whose files nanotf matches (TF 2.21 writes 2474).
GRAPH_DEF_PRODUCER = 2474


class Shape:
    """A static shape for an attribute value (`None` or -1 = unknown dim, `dims=None` = rank)."""

    __slots__ = ("dims",)

    def __init__(self, dims: Sequence[int | None] | None):
        self.dims = None if dims is None else [(-1 if d is None else int(d)) for d in dims]


def shape_proto(dims: Sequence[int | None] | None) -> bytes:
    """A serialized `TensorShapeProto` (-1 or None for an unknown dim; None for unknown rank)."""
    if dims is None:
        return f_int(3, 1)
    return b"".join(f_msg(2, f_int(1, -1 if d is None else int(d))) for d in dims)


def _is_dtype(v) -> bool:
    return isinstance(v, np.dtype) or (isinstance(v, type) and issubclass(v, np.generic))


def _packed(field: int, items: list, enc) -> bytes:
    return f_bytes(field, b"".join(enc(x) for x in items)) if items else b""


def _list_value(items: list) -> bytes:
    if all(isinstance(x, (bool, np.bool_)) for x in items):
        return _packed(5, items, lambda x: varint(int(bool(x))))
    if all(isinstance(x, (int, np.integer)) for x in items):
        return _packed(3, items, lambda x: varint(int(x)))
    if all(isinstance(x, (int, float, np.integer, np.floating)) for x in items):
        return _packed(4, items, lambda x: struct.pack("<f", float(x)))
    if all(_is_dtype(x) for x in items):
        return _packed(6, items, lambda x: varint(dtype_enum(x)))
    if all(isinstance(x, Shape) for x in items):
        return b"".join(f_msg(7, shape_proto(x.dims)) for x in items)
    return b"".join(key(2, LEN) + varint(len(b)) + b
                    for b in (_text(x) for x in items))


def _text(v) -> bytes:
    return to_bytes(v) if isinstance(v, (str, bytes)) else repr(v).encode("utf-8")


def attr_value(v) -> bytes:
    """A serialized `AttrValue` for a Python attribute value.

    bool -> b, int -> i, float -> f, str/bytes -> s, numpy dtype -> type, `Shape` -> shape,
    numpy array -> tensor, list/tuple -> list; anything else is stored as the text of its repr.
    """
    if isinstance(v, (bool, np.bool_)):
        return key(5, 0) + varint(int(bool(v)))
    if isinstance(v, (int, np.integer)):
        return key(3, 0) + varint(int(v))
    if isinstance(v, (float, np.floating)):
        return key(4, I32) + struct.pack("<f", float(v))
    if _is_dtype(v):
        return key(6, 0) + varint(dtype_enum(v))
    if isinstance(v, Shape):
        return f_msg(7, shape_proto(v.dims))
    if isinstance(v, np.ndarray):
        return f_msg(8, tensor_proto(v))
    if isinstance(v, (list, tuple)):
        return f_msg(1, _list_value(list(v)))
    return key(2, LEN) + varint(len(_text(v))) + _text(v)


def node_def(name: str, op: str, inputs: Sequence[str] = (),
             attrs: Mapping[str, object] | None = None, device: str = "") -> bytes:
    """A serialized `NodeDef`; inputs are `'node'`, `'node:1'` or `'^node'` (control input)."""
    out = f_str(1, name) + f_str(2, op)
    out += b"".join(key(3, LEN) + varint(len(b)) + b for b in (to_bytes(i) for i in inputs))
    out += f_str(4, device)
    for k in sorted(attrs or {}):  # a map serializes in key order, as TF's does
        out += f_msg(5, f_str(1, k) + f_msg(2, attr_value(attrs[k])))
    return out


def graph_def(nodes: Sequence[bytes], producer: int = GRAPH_DEF_PRODUCER) -> bytes:
    """A serialized `GraphDef` of serialized `NodeDef`s, with `versions.producer` set."""
    return b"".join(f_msg(1, n) for n in nodes) + f_msg(4, f_int(1, producer))


def run_metadata(graphs: Sequence[bytes]) -> bytes:
    """A serialized `RunMetadata` with one `function_graphs` entry per serialized GraphDef."""
    return b"".join(f_msg(4, f_msg(2, g)) for g in graphs)


def run_metadata_value(tag: str, graphs: Sequence[bytes],
                       plugin_name: str = "graph_run_metadata_graph") -> bytes:
    """The `Summary.Value` `tf.summary.trace_export` writes for the traced function graphs.

    Args:
      tag: the summary tag (the `name` given to `trace_export`).
      graphs: serialized GraphDefs, one per traced function.
      plugin_name: 'graph_run_metadata_graph' for graph traces; 'graph_run_metadata' is what TF
        uses when the profiler was on.
    """
    rm = np.array(run_metadata(graphs), dtype=object)
    return tensor_value(tag, rm, plugin_name, plugin_content=b"1")


def keras_model_value(tag: str, model_json: str) -> bytes:
    """The 'keras' summary of Keras's TensorBoard callback: the model's JSON config."""
    return tensor_value(tag, np.array(model_json.encode("utf-8"), dtype=object),
                        "graph_keras_model", plugin_content=b"1")


# --------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------


def _parse_shape(buf: bytes) -> list | None:
    dims: list = []
    for field, _, v in fields(buf):
        if field == 3 and v:
            return None
        if field == 2:
            size = 0
            for f2, _, x in fields(v):
                if f2 == 1:
                    size = signed64(x)
            dims.append(None if size < 0 else size)
    return dims


def _varints(buf: bytes) -> list:
    out, pos = [], 0
    while pos < len(buf):
        x, pos = read_varint(buf, pos)
        out.append(signed64(x))
    return out


def _parse_list(buf: bytes) -> list:
    out: list = []
    for field, wire, v in fields(buf):
        if field == 2:
            out.append(bytes(v))
        elif field in (3, 5, 6):
            vals = _varints(v) if wire == LEN else [signed64(v)]
            out.extend([bool(x) for x in vals] if field == 5 else vals)
        elif field == 4:
            out.extend(x for (x,) in struct.iter_unpack("<f", v))
        elif field == 7:
            out.append(_parse_shape(v))
    return out


def _parse_attr(buf: bytes):
    for field, _, v in fields(buf):
        if field == 1:
            return _parse_list(v)
        if field == 2:
            return bytes(v)
        if field in (3, 6):
            return signed64(v)
        if field == 4:
            return struct.unpack("<f", v)[0]
        if field == 5:
            return bool(v)
        if field == 7:
            return _parse_shape(v)
        if field == 8:
            return parse_tensor(v)
    return None


def parse_graph_def(buf: bytes) -> dict:
    """Decodes a serialized GraphDef: `{'producer': int, 'nodes': [{'name', 'op', 'input',
    'device', 'attr'}]}`; attribute values become bytes, int (also dtype enums), float, bool,
    a shape list (None = unknown), a numpy array, or a list of those."""
    out: dict = {"producer": 0, "nodes": []}
    for field, _, v in fields(buf):
        if field == 1:
            node: dict = {"name": "", "op": "", "input": [], "device": "", "attr": {}}
            for f2, _, x in fields(v):
                if f2 in (1, 2, 4):
                    node[{1: "name", 2: "op", 4: "device"}[f2]] = bytes(x).decode("utf-8")
                elif f2 == 3:
                    node["input"].append(bytes(x).decode("utf-8"))
                elif f2 == 5:
                    k, val = "", None
                    for f3, _, y in fields(x):
                        if f3 == 1:
                            k = bytes(y).decode("utf-8")
                        elif f3 == 2:
                            val = _parse_attr(y)
                    node["attr"][k] = val
            out["nodes"].append(node)
        elif field == 4:
            for f2, _, x in fields(v):
                if f2 == 1:
                    out["producer"] = x
    return out


def parse_run_metadata(buf: bytes) -> list:
    """The serialized pre-optimization GraphDefs of a RunMetadata's `function_graphs`."""
    graphs = []
    for field, _, v in fields(buf):
        if field == 4:
            graphs.extend(bytes(x) for f2, _, x in fields(v) if f2 == 2)
    return graphs
