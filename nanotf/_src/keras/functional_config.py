"""Layer and functional-graph configs: `serialize_layer`, `deserialize_layer` and the
`get_config` / `from_config` of functional models (Keras 2's `inbound_nodes` layout)."""

from __future__ import annotations

from nanotf._src import nest
from nanotf._src.backend import np
from nanotf._src.dispatch import REGISTRY, Primitive
from nanotf._src.keras import serialization
from nanotf._src.keras.functional import InputLayer, KerasTensor, TFOpLambda
from nanotf._src.tensor import Tensor, constant


def serialize_layer(layer, build: bool = True) -> dict:
    """`{'module', 'class_name', 'config', 'registered_name', 'build_config'}` for a layer."""
    reg = serialization._REGISTERED_NAMES.get(id(type(layer)))
    out = {"module": "keras.layers" if reg is None else None,
           "class_name": type(layer).__name__, "config": layer.get_config(),
           "registered_name": reg}
    if build and not isinstance(layer, InputLayer):
        bc = layer.get_build_config()
        if bc is not None:
            out["build_config"] = bc
    return out


def _builtins() -> dict:
    from nanotf._src.keras import layers
    from nanotf._src.keras.functional import Functional
    from nanotf._src.keras.model import Model
    from nanotf._src.keras.sequential import Sequential

    table = {k: v for k, v in vars(layers).items() if isinstance(v, type)}
    table.update({"Model": Model, "Functional": Functional, "Sequential": Sequential,
                  "InputLayer": InputLayer, "TFOpLambda": TFOpLambda})
    return table


def deserialize_layer(config, custom_objects=None):
    """A layer (or model) from `serialize_layer` output, resolving custom classes by name."""
    if isinstance(config, str):
        config = {"class_name": config, "config": {}}
    cls = serialization.lookup_class(config, _builtins(), custom_objects, "layer")
    cfg = dict(config.get("config") or {})
    if cls is TFOpLambda:
        return _tfop_from_config(cfg)
    try:
        return cls.from_config(cfg, custom_objects=custom_objects)
    except TypeError:
        return cls.from_config(cfg)


# --- TF-op layers: the primitive and its attributes, JSON-encoded ---------------------------------
def _encode(v):
    if isinstance(v, np.dtype) or (isinstance(v, type) and issubclass(v, np.generic)):
        return {"__dtype__": np.dtype(v).name}
    if isinstance(v, (np.ndarray, np.generic)):
        return {"__array__": np.asarray(v).tolist(), "dtype": np.asarray(v).dtype.name}
    if isinstance(v, Tensor):
        return {"__array__": v.numpy().tolist(), "dtype": v.dtype.name}
    if isinstance(v, slice):
        return {"__slice__": [v.start, v.stop, v.step]}
    if isinstance(v, (list, tuple)):
        return {"__tuple__": [_encode(x) for x in v]}
    if isinstance(v, dict):
        return {k: _encode(x) for k, x in v.items()}
    if v is Ellipsis:
        return {"__ellipsis__": True}
    return v


def _decode(v):
    if isinstance(v, dict):
        if "__dtype__" in v:
            return np.dtype(v["__dtype__"])
        if "__array__" in v:
            return np.asarray(v["__array__"], dtype=v["dtype"])
        if "__slice__" in v:
            return slice(*v["__slice__"])
        if "__tuple__" in v:
            return tuple(_decode(x) for x in v["__tuple__"])
        if "__ellipsis__" in v:
            return Ellipsis
        return {k: _decode(x) for k, x in v.items()}
    return v


def _primitive(name: str) -> Primitive:
    prim = REGISTRY.get(name)
    if prim is None:
        raise ValueError(f"Unknown TF op '{name}' in a TFOpLambda config.")
    return prim


def _tfop_from_config(cfg: dict):
    prim = _primitive(cfg["op"])
    return TFOpLambda(prim, _decode(cfg.get("attrs", {})), name=cfg.get("name"))


# --- functional graphs ----------------------------------------------------------------------------
def _node_key(model, node) -> int:
    own = [n for n in node.layer._inbound_nodes if n.id in model._network_node_ids]
    return own.index(node) if node in own else 0


def _tensor_ref(model, t: KerasTensor) -> list:
    node, index = t._keras_history
    return [node.layer.name, _node_key(model, node), index]


def network_config(model) -> dict:
    """The functional `get_config()`: layers with `inbound_nodes`, input and output layers."""
    layers = []
    for layer in model.layers:
        entry = serialize_layer(layer)
        if isinstance(layer, TFOpLambda):
            entry["config"]["op"] = layer._prim.name
            entry["config"]["attrs"] = _encode(layer._attrs)
        entry["name"] = layer.name
        nodes = []
        for node in layer._inbound_nodes:
            if node.id not in model._network_node_ids or isinstance(layer, InputLayer):
                continue
            first = node.args[0] if node.args else []
            flat = nest.flatten(first)
            refs = [_tensor_ref(model, t) + [{}] if isinstance(t, KerasTensor)
                    else ["__constant__", 0, 0, {"value": _encode(t)}] for t in flat]
            kwargs = {k: (_tensor_ref(model, v) if isinstance(v, KerasTensor) else _encode(v))
                      for k, v in node.kwargs.items()}
            if kwargs and refs:
                refs[0][3] = {"__call_kwargs__": kwargs}
            nodes.append(refs)
        entry["inbound_nodes"] = nodes
        layers.append(entry)
    return {"name": model.name, "trainable": model.trainable, "layers": layers,
            "input_layers": [_tensor_ref(model, t) for t in model.inputs],
            "output_layers": [_tensor_ref(model, t) for t in model.outputs]}


def _resolve(ref, made: dict):
    if ref[0] == "__constant__":
        value = _decode(ref[3]["value"])
        return value if not isinstance(value, np.ndarray) else constant(value)
    name, node_index, index = ref[0], ref[1], ref[2]
    outs = made.get((name, node_index))
    return None if outs is None else outs[index]


def from_network_config(cls, config: dict, custom_objects=None):
    """Rebuilds a functional model by replaying the recorded calls in dependency order."""
    created, made = {}, {}
    pending = []
    with serialization.custom_object_scope(custom_objects or {}):
        for entry in config["layers"]:
            layer = deserialize_layer(entry, custom_objects)
            created[entry.get("name", layer.name)] = layer
            if isinstance(layer, InputLayer):
                made[(layer.name, 0)] = [layer._inbound_nodes[0].outputs[0]]
            for i, node in enumerate(entry.get("inbound_nodes", [])):
                pending.append((layer, i, node))
    while pending:
        progress = False
        for item in list(pending):
            layer, i, node = item
            if isinstance(node, dict) or (node and not isinstance(node[0], list)):
                node = [node]
            args = [_resolve(ref, made) for ref in node]
            if any(a is None for a in args):
                continue
            kwargs = {}
            if node and isinstance(node[0][3], dict) and "__call_kwargs__" in node[0][3]:
                kwargs = {k: (_resolve(v, made) if isinstance(v, list) and len(v) == 3
                              else _decode(v)) for k, v in node[0][3]["__call_kwargs__"].items()}
            inputs = args if (len(args) > 1 or isinstance(layer, TFOpLambda)) else args[0]
            out = layer(inputs, **kwargs)
            made[(layer.name, i)] = nest.flatten(out)
            pending.remove(item)
            progress = True
        if not progress:
            raise ValueError("Cannot rebuild the functional model: its layer graph is "
                             "disconnected or cyclic in the config.")
    inputs = [_resolve(ref, made) for ref in config["input_layers"]]
    outputs = [_resolve(ref, made) for ref in config["output_layers"]]
    return cls(inputs=inputs if len(inputs) > 1 else inputs[0],
               outputs=outputs if len(outputs) > 1 else outputs[0], name=config.get("name"))



# --- whole models ---------------------------------------------------------------------------------
def model_json_dict(model) -> dict:
    """`{'class_name', 'config', 'keras_version', 'backend'}` (what `Model.to_json` writes)."""
    return {"class_name": type(model).__name__, "config": model.get_config(),
            "keras_version": "2.10.0", "backend": "tensorflow"}


def model_from_config(config: dict, custom_objects=None):
    """A new (unbuilt or freshly built) model from `{'class_name', 'config'}`.

    Example: `tf.keras.models.model_from_config(model_json_dict)`.
    """
    return deserialize_layer(config, custom_objects)


def model_from_json(json_string: str, custom_objects=None):
    """A new model from `Model.to_json()` output."""
    import json

    return model_from_config(json.loads(json_string), custom_objects)


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model with the same architecture and freshly initialized weights.

    Example:
      >>> twin = tf.keras.models.clone_model(model)
    """
    from nanotf._src.keras.sequential import Sequential

    if clone_function is None and isinstance(model, Sequential):
        return Sequential.from_config(model.get_config())
    if clone_function is not None and isinstance(model, Sequential):
        return Sequential([clone_function(layer) for layer in model.layers], name=model.name)
    if not getattr(model, "_is_graph_network", False):
        raise ValueError(f"Expected `model` argument to be a functional `Model` instance, but "
                         f"got a subclassed model instead: {model}")
    return type(model).from_config(model.get_config())
