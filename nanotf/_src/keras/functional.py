"""The functional API: `tf.keras.Input`, symbolic `KerasTensor`s, layer nodes and graph execution.

Calling a layer on KerasTensors records a `Node` (layer, call arguments, outputs) instead of
computing. The output shapes come from running the layer on *scratch* KerasTensors (no history):
every op inside it reaches `KerasTensor._bind_symbolic`, which infers shapes with the graph IR's
rules; if that fails, the layer runs on zeros (None dims set to 2 and 3) and the shapes are merged.
A `tf.*` op applied directly to Keras inputs becomes a `TFOpLambda` layer node, as in Keras 2.
`run_network` replays a model's nodes in creation order (which is topological).
"""

from __future__ import annotations

import itertools

from nanotf._src import dtypes, errors, nest, ops
from nanotf._src.backend import np
from nanotf._src.dispatch import bind
from nanotf._src.graph import AbstractArray, init_scope

try:  # the shape rules moved from graph.py to plan.py; accept either home
    from nanotf._src.plan import infer
except ImportError:  # pragma: no cover
    from nanotf._src.graph import infer  # type: ignore[no-redef]
from nanotf._src.keras import backend
from nanotf._src.keras.input_spec import InputSpec, assert_input_compatibility
from nanotf._src.keras.layer import Layer
from nanotf._src.naming import name_scope
from nanotf._src.tensor import Tensor, tensor_of
from nanotf._src.tensor_shape import TensorShape

_node_ids = itertools.count()


class KerasTensor(Tensor):
    """A symbolic tensor of a functional model: a static shape and dtype, and the node making it."""

    __slots__ = ("_keras_history", "_name", "_op")
    _symbolic = True

    def __init__(self, shape, dtype, history=None, name=None, op=None):
        self._v = AbstractArray(shape, dtypes.as_dtype(dtype)._np)
        self._keras_history = history  # (Node, flat output index), None for scratch tensors
        self._name = name
        self._op = op

    @classmethod
    def _bind_symbolic(cls, prim, inputs, attrs):
        outs = infer(prim, inputs, attrs, prim.name)
        if not any(isinstance(t, KerasTensor) and t._keras_history is not None for t in inputs):
            res = [KerasTensor(a.shape, a.dtype, op=prim.name) for a in outs]
            return res[0] if prim.nout == 1 else tuple(res)
        with init_scope():
            layer = TFOpLambda(prim, attrs)
            return _record(layer, (list(inputs),), {}, outs if prim.nout != 1 else outs[0])

    @property
    def name(self) -> str:
        """The tensor name, e.g. `'input_1'` or `'dense/BiasAdd:0'`."""
        return self._name

    @property
    def node(self):
        """The node that produced this tensor."""
        return self._keras_history[0] if self._keras_history else None

    def numpy(self):
        raise AttributeError("'KerasTensor' object has no attribute 'numpy'")

    def _description(self) -> str:
        if self._keras_history is None:
            return ""
        return f"created by layer '{self._keras_history[0].layer.name}'"

    def __repr__(self) -> str:
        return (f"<KerasTensor: shape={tuple(self._v.shape)} dtype={self.dtype.name} "
                f"({self._description()})>")

    def __str__(self) -> str:
        name = f"'{self._name}'" if self._name else None
        spec_name = f"'{self._name}'" if self._keras_history and isinstance(
            self._keras_history[0].layer, InputLayer) else None
        return (f"KerasTensor(type_spec=TensorSpec(shape={TensorShape(self._v.shape)!s}, "
                f"dtype=tf.{self.dtype.name}, name={spec_name}), name={name}, "
                f'description="{self._description()}")')

    def __hash__(self):
        return id(self)

    def __format__(self, spec):
        return format(str(self), spec)

    def __bool__(self):
        raise TypeError("Using a symbolic `tf.Tensor` as a Python `bool` is not allowed. "
                        f"({self})")

    def __len__(self):
        raise TypeError("Keras symbolic inputs/outputs do not implement `__len__`. You may be "
                        "trying to pass Keras symbolic inputs/outputs to a TF API that does not "
                        "register dispatching, preventing Keras from automatically converting "
                        "the API call to a lambda layer in the Functional Model.")

    def __iter__(self):
        dims = self._v.shape
        if not dims or dims[0] is None:
            raise TypeError(f"Cannot iterate over a Tensor with unknown first dimension: {self}")
        return (self[i] for i in range(dims[0]))

    def __array__(self, dtype=None, copy=None):
        raise TypeError(f"You are passing {self}, an intermediate Keras symbolic input/output, "
                        "to a TF API that does not allow registering custom dispatchers, such as "
                        "`tf.cond`, `tf.function`, gradient tapes, or `tf.map_fn`. Keras "
                        "Functional model construction only supports TF API calls that *do* "
                        "support dispatching, such as `tf.math.add` or `tf.reshape`. Other APIs "
                        "cannot be called directly on symbolic Kerasinputs/outputs. You can work "
                        "around this limitation by putting the operation in a custom Keras "
                        "layer `call` and calling that layer on this symbolic input/output.")

    def __deepcopy__(self, memo):
        return self


class Node:
    """One call of a layer on symbolic inputs: the arguments given and the outputs made."""

    __slots__ = ("layer", "args", "kwargs", "outputs", "flat_outputs", "id")

    def __init__(self, layer, args, kwargs, outputs):
        self.layer, self.args, self.kwargs = layer, args, kwargs
        self.outputs = outputs
        self.flat_outputs = nest.flatten(outputs)
        self.id = next(_node_ids)

    @property
    def keras_inputs(self) -> list:
        """The KerasTensors among the call arguments."""
        return [t for t in nest.flatten((list(self.args), self.kwargs))
                if isinstance(t, KerasTensor)]

    @property
    def parents(self) -> list:
        """The nodes producing this node's inputs."""
        return [t._keras_history[0] for t in self.keras_inputs if t._keras_history]

    @property
    def input(self):
        return self.args[0] if self.args else []

    @property
    def output(self):
        return self.outputs

    @property
    def input_shape(self):
        return _shape_struct(self.input)

    @property
    def output_shape(self):
        return _shape_struct(self.outputs)

    def iterate_inbound(self):
        """`(layer, node_index, tensor_index)` of each KerasTensor input."""
        for t in self.keras_inputs:
            node, index = t._keras_history
            yield node.layer, node.layer._inbound_nodes.index(node), index


def _shape_struct(x):
    if isinstance(x, Tensor):
        return tuple(x.shape.as_list())
    return nest.map_structure(lambda t: tuple(t.shape.as_list()), x)


# --- input layers --------------------------------------------------------------------------------
class InputLayer(Layer):
    """The layer behind `tf.keras.Input`: it makes the model's symbolic input tensor.

    Args:
      input_shape: the shape without the batch dimension.
      batch_size: a fixed batch size (default None).
      dtype: the input dtype (default `floatx()`).
      name: the layer name (default `input_1`, `input_2`, ...).
    """

    def __init__(self, input_shape=None, batch_size=None, dtype=None, input_tensor=None,
                 sparse=None, name=None, ragged=None, type_spec=None, **kwargs):
        batch_input_shape = kwargs.pop("batch_input_shape", kwargs.pop("batch_shape", None))
        kwargs.pop("optional", None)
        if name is None:
            name = backend.unique_object_name("input", zero_based=False)
        if input_tensor is not None:
            batch_input_shape = tuple(input_tensor.shape.as_list())
            dtype = dtype or input_tensor.dtype.name
        elif batch_input_shape is None:
            if input_shape is None:
                raise ValueError("Please provide to Input a `shape` or a `tensor` or a "
                                 "`type_spec` argument. Note that `shape` does not include the "
                                 "batch dimension.")
            shape = (input_shape,) if isinstance(input_shape, int) else tuple(input_shape)
            batch_input_shape = (batch_size,) + shape
        super().__init__(name=name, dtype=dtype or backend.floatx(), **kwargs)
        self._batch_input_shape = tuple(None if d is None else int(d)
                                        for d in TensorShape(batch_input_shape).as_list())
        self.sparse, self.ragged = bool(sparse), bool(ragged)
        self.built = True
        if input_tensor is not None and isinstance(input_tensor, KerasTensor):
            out = input_tensor
        else:
            out = KerasTensor(self._batch_input_shape, self._dtype, name=name)
        node = Node(self, (), {}, [out])
        out._keras_history = (node, 0)
        self._inbound_nodes.append(node)

    def get_config(self) -> dict:
        return {"batch_input_shape": self._batch_input_shape, "dtype": self._dtype,
                "sparse": self.sparse, "ragged": self.ragged, "name": self.name,
                "optional": False}


def Input(shape=None, batch_size=None, name=None, dtype=None, sparse=None, tensor=None,  # noqa: N802
          ragged=None, type_spec=None, **kwargs) -> KerasTensor:
    """A symbolic input for a functional model: `tf.keras.Input(shape=(784,))`.

    Args:
      shape: the shape without the batch dimension (an int or a tuple; None dims allowed).
      batch_size: a fixed batch size.
      name: the input name (default `input_1`, ...).
      dtype: the input dtype (default float32).
      batch_shape: (keyword) the full shape, batch dimension included.

    Example:
      >>> x = tf.keras.Input(shape=(784,))
      >>> x.shape
      TensorShape([None, 784])
    """
    batch_shape = kwargs.pop("batch_shape", kwargs.pop("batch_input_shape", None))
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {list(kwargs)}")
    if shape is None and batch_shape is None and tensor is None:
        raise ValueError("Please provide to Input a `shape` or a `tensor` or a `type_spec` "
                         "argument. Note that `shape` does not include the batch dimension.")
    with init_scope():
        layer = InputLayer(input_shape=shape, batch_size=batch_size, dtype=dtype, name=name,
                           sparse=sparse, ragged=ragged, input_tensor=tensor,
                           batch_input_shape=batch_shape)
    return layer._inbound_nodes[0].outputs[0]


# --- TF ops on Keras tensors ---------------------------------------------------------------------
_OP_NAMES = {"AddV2": "__operators__.add", "Sub": "math.subtract", "Mul": "math.multiply",
             "RealDiv": "math.truediv", "Reshape": "reshape", "Relu": "nn.relu",
             "Softmax": "nn.softmax", "StridedSlice": "__operators__.getitem",
             "ConcatV2": "concat", "Transpose": "compat.v1.transpose", "Cast": "cast",
             "Sum": "math.reduce_sum", "Mean": "math.reduce_mean", "Max": "math.reduce_max",
             "BatchMatMulV2": "linalg.matmul", "Sigmoid": "math.sigmoid", "Tanh": "math.tanh",
             "Exp": "math.exp", "Log": "math.log", "Square": "math.square", "Sqrt": "math.sqrt",
             "Maximum": "math.maximum", "Minimum": "math.minimum", "Neg": "math.negative",
             "GatherV2": "compat.v1.gather", "Pow": "math.pow", "Abs": "math.abs"}


def _op_name(prim_name: str) -> str:
    name = _OP_NAMES.get(prim_name)
    if name is None:
        name = "math." + "".join("_" + c.lower() if c.isupper() else c for c in prim_name)\
            .lstrip("_")
    return "tf." + name


class TFOpLambda(Layer):
    """A `tf.*` op applied to Keras symbolic tensors, wrapped as a layer node (Keras 2)."""

    def __init__(self, prim, attrs: dict, name=None, **kwargs):
        super().__init__(name=name or backend.unique_object_name(_op_name(prim.name)),
                         autocast=False, **kwargs)
        self.symbol = _op_name(prim.name)
        self._prim, self._attrs = prim, attrs
        self.built = True

    def call(self, inputs):
        return bind(self._prim, *[t if isinstance(t, Tensor) else ops.convert_to_tensor(t)
                                  for t in inputs], **self._attrs)

    def get_config(self) -> dict:
        return {"name": self.name, "trainable": self.trainable, "dtype": self.dtype,
                "function": self.symbol[3:]}


# --- recording layer calls -----------------------------------------------------------------------
def _record(layer, args, kwargs, outs):
    """Creates the Node of `layer(*args, **kwargs)` whose outputs have the shapes of `outs`."""
    node = Node(layer, args, kwargs, None)
    flat = []
    for i, a in enumerate(nest.flatten(outs)):
        shape, dt = (a.shape, a.dtype) if isinstance(a, AbstractArray) else (a._v.shape, a._v.dtype)
        op = layer._prim.name if isinstance(layer, TFOpLambda) else (
            getattr(a, "_op", None) or "Identity")
        flat.append(KerasTensor(shape, dt, (node, i), name=f"{layer.name}/{op}:{i}"))
    node.outputs = nest.pack_sequence_as(outs, flat)
    node.flat_outputs = flat
    layer._inbound_nodes.append(node)
    for parent in node.parents:
        parent.layer._outbound_nodes.append(node)
    return node.outputs


def _scratch(x):
    if isinstance(x, KerasTensor):
        return KerasTensor(x._v.shape, x._v.dtype)
    return x


def symbolic_call(layer: Layer, args, kwargs):
    """`layer(*args, **kwargs)` on KerasTensors: builds the layer and returns symbolic outputs."""
    with init_scope(), name_scope(None):
        if layer.input_spec is not None:
            assert_input_compatibility(layer.input_spec, args[0], layer.name)
        s_args = nest.map_structure(_scratch, list(args))
        s_kwargs = nest.map_structure(_scratch, kwargs)
        try:
            outs = layer(*s_args, **s_kwargs)
        except (ValueError, TypeError, AttributeError, errors.OpError,
                NotImplementedError) as e:
            outs = _dummy_outputs(layer, s_args, s_kwargs, e)
        return _record(layer, tuple(args), kwargs, outs)


def _dummy_outputs(layer, args, kwargs, first):
    """Output shapes from two concrete runs with None dims set to 2 and to 3."""
    runs = []
    for fill in (2, 3):
        def concrete(t, fill=fill):
            if not isinstance(t, KerasTensor):
                return t
            shape = tuple(fill if d is None else d for d in t._v.shape)
            return tensor_of(np.zeros(shape, t._v.dtype))
        try:
            out = layer(*nest.map_structure(concrete, args),
                        **nest.map_structure(concrete, kwargs))
        except Exception:  # noqa: BLE001 - the symbolic attempt's error is the informative one
            raise first from None
        runs.append(out)
    merged = []
    for a, b in zip(nest.flatten(runs[0]), nest.flatten(runs[1])):
        shape = tuple(x if x == y else None for x, y in zip(a._v.shape, b._v.shape))
        merged.append(AbstractArray(shape, a._v.dtype))
    return nest.pack_sequence_as(runs[0], merged)


def infer_output_shape(layer: Layer, input_shape):
    """The output shape(s) of `layer` for inputs of `input_shape` (builds the layer if needed)."""
    def placeholder(shape):
        return KerasTensor(TensorShape(shape).as_list(), layer.dtype)

    is_shape = isinstance(input_shape, TensorShape) or (
        isinstance(input_shape, (list, tuple)) and all(
            d is None or isinstance(d, int) for d in input_shape))
    inputs = placeholder(input_shape) if is_shape else nest.map_structure(
        placeholder, input_shape, )
    with init_scope():
        outs = layer(inputs, training=False) if _takes_training(layer) else layer(inputs)
    if isinstance(outs, Tensor):
        return outs.shape
    return nest.map_structure(lambda t: t.shape, outs)


def _takes_training(layer) -> bool:
    from nanotf._src.keras.layer_call import call_spec

    return call_spec(layer).expects_training


# --- networks ------------------------------------------------------------------------------------
def _check_inputs(inputs: list) -> None:
    for x in inputs:
        if not isinstance(x, KerasTensor) or x._keras_history is None:
            raise ValueError(f"Input tensors to a Functional must come from `tf.keras.Input`. "
                             f"Received: {x} (missing previous layer metadata).")


def init_network(model, inputs, outputs) -> None:
    """Makes `model` a graph network from `inputs` to `outputs` (KerasTensors or structures)."""
    if isinstance(inputs, dict):
        flat_in = [inputs[k] for k in inputs]
    else:
        flat_in = nest.flatten(inputs)
    flat_out = nest.flatten(outputs)
    _check_inputs(flat_in)
    _check_inputs(flat_out)
    input_ids = {id(t) for t in flat_in}
    nodes, seen, stack = [], set(), [t._keras_history[0] for t in flat_out]
    while stack:
        node = stack.pop()
        if node.id in seen:
            continue
        seen.add(node.id)
        nodes.append(node)
        for t in node.keras_inputs:
            if id(t) not in input_ids:
                stack.append(t._keras_history[0])
    for node in nodes:
        if isinstance(node.layer, InputLayer) and id(node.flat_outputs[0]) not in input_ids:
            raise ValueError(f"Graph disconnected: cannot obtain value for tensor "
                             f"{node.flat_outputs[0]} at layer \"{node.layer.name}\". The "
                             f"following previous layers were accessed without issue: "
                             f"{[n.layer.name for n in nodes if n is not node][:5]}")
    nodes.sort(key=lambda n: n.id)
    layers = [t._keras_history[0].layer for t in flat_in]
    for node in nodes:
        if node.layer not in layers:
            layers.append(node.layer)
    model._nested_inputs, model._nested_outputs = inputs, outputs
    model.inputs, model.outputs = flat_in, flat_out
    model._network_nodes = [n for n in nodes if not isinstance(n.layer, InputLayer)]
    model._network_node_ids = {n.id for n in nodes}
    model._network_layers = layers
    model._is_graph_network = True
    model.input_spec = [InputSpec(shape=t.shape, allow_last_axis_squeeze=True,
                                  name=t._keras_history[0].layer.name) for t in flat_in]
    model.built = True
    model._inbound_nodes[:] = [Node(model, (inputs,), {}, outputs)]


def run_network(model, inputs):
    """Runs a graph network's nodes on concrete (or graph) inputs; returns its outputs."""
    if isinstance(inputs, dict) and not isinstance(model._nested_inputs, dict):
        flat = [inputs[t._keras_history[0].layer.name] for t in model.inputs]
    elif isinstance(inputs, dict):
        flat = [inputs[k] for k in model._nested_inputs]
    else:
        flat = nest.flatten(inputs)
    if len(flat) != len(model.inputs):
        raise ValueError(f'Layer "{model.name}" expects {len(model.inputs)} input(s), but it '
                         f"received {len(flat)} input tensors. Inputs received: {inputs}")
    values = {}
    for ref, x in zip(model.inputs, flat):
        x = x if isinstance(x, Tensor) else ops.convert_to_tensor(x)
        if x.dtype._np != ref._v.dtype:
            x = ops.cast(x, ref.dtype)
        if x.shape.rank == ref.shape.rank - 1 and ref.shape[-1] == 1:
            x = ops.expand_dims(x, -1)
        values[id(ref)] = x

    def get(t):
        return values[id(t)] if isinstance(t, KerasTensor) else t

    for node in model._network_nodes:
        args = nest.map_structure(get, list(node.args))
        kwargs = nest.map_structure(get, node.kwargs) if node.kwargs else {}
        out = node.layer(*args, **kwargs)
        for t, v in zip(node.flat_outputs, nest.flatten(out)):
            values[id(t)] = v
    for t in getattr(model, "_symbolic_losses", ()):
        model.add_loss(values[id(t)])
    return nest.pack_sequence_as(model._nested_outputs, [values[id(t)] for t in model.outputs])


def add_symbolic_loss(model, loss: KerasTensor) -> None:
    """`model.add_loss(symbolic tensor)`: the loss is computed on every call of the model."""
    known = {n.id for n in model._network_nodes} | model._network_node_ids
    inputs = {id(t) for t in model.inputs}
    extra, stack = [], [loss._keras_history[0]]
    while stack:
        node = stack.pop()
        if node.id in known:
            continue
        if isinstance(node.layer, InputLayer):
            raise ValueError(f"The symbolic loss {loss} depends on an input that is not an input "
                             f"of model '{model.name}'.")
        known.add(node.id)
        extra.append(node)
        stack.extend(t._keras_history[0] for t in node.keras_inputs if id(t) not in inputs)
    model._network_nodes = sorted(model._network_nodes + extra, key=lambda n: n.id)
    model._symbolic_losses = getattr(model, "_symbolic_losses", []) + [loss]


# --- the Functional model class ------------------------------------------------------------------
from nanotf._src.keras.model import Model  # noqa: E402 - model.py imports this module lazily


class Functional(Model):
    """A model defined by a graph of layers: what `tf.keras.Model(inputs, outputs)` returns.

    Example:
      >>> x = tf.keras.Input((4,))
      >>> type(tf.keras.Model(x, tf.keras.layers.Dense(2)(x))).__name__
      'Functional'
    """

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        Model.__init__(self, inputs=inputs, outputs=outputs, name=name, trainable=trainable,
                       **kwargs)

    def _default_name(self):
        return backend.unique_object_name("model")

    def get_config(self) -> dict:
        """The graph: layer configs with their inbound nodes, and the input/output layers."""
        from nanotf._src.keras import functional_config

        return functional_config.network_config(self)

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        """Rebuilds a functional model from `get_config()` output."""
        from nanotf._src.keras import functional_config

        return functional_config.from_network_config(cls, config, custom_objects)
