"""`tf.keras.Sequential`: a stack of layers, kept as a functional graph once its input is known.

With an input shape (an `InputLayer`, `tf.keras.Input`, or `input_shape=` on the first layer)
the graph is built as layers are added. Otherwise it is built on the first call from the data's
shape (batch dimension included, as Keras 2 does) and relaxed to None dims when later calls
differ. Layers that cannot run symbolically make the model fall back to calling its layers one
after another.
"""

from __future__ import annotations

from nanotf._src import errors, nest
from nanotf._src.graph import init_scope
from nanotf._src.keras import functional
from nanotf._src.keras.functional import Functional, Input, InputLayer, KerasTensor
from nanotf._src.keras.layer import Layer
from nanotf._src.keras.model import Model
from nanotf._src.tensor import Tensor
from nanotf._src.tensor_shape import TensorShape


def _first_input(layer):
    """`(batch_shape, dtype)` declared by the first layer (looking inside nested models)."""
    while True:
        shape = getattr(layer, "_batch_input_shape", None)
        if shape is not None:
            return shape, layer.dtype
        if getattr(layer, "_is_graph_network", False) and getattr(layer, "inputs", None):
            t = layer.inputs[0]
            return tuple(t.shape.as_list()), t.dtype.name
        if isinstance(layer, Sequential) and layer._layers:
            layer = layer._layers[0]
            continue
        return None, None


def _relax(old: tuple, new: tuple):
    if old is None:
        return new
    if len(old) != len(new):
        return None
    return tuple(a if a == b else None for a, b in zip(old, new))


class Sequential(Functional):
    """A model whose layers each take the previous layer's output.

    Args:
      layers: the initial list of layers.
      name: the model name (default `sequential`, `sequential_1`, ...).

    Example:
      >>> model = tf.keras.Sequential([tf.keras.layers.Dense(8, activation='relu'),
      ...                              tf.keras.layers.Dense(1)])
      >>> model(np.zeros((2, 3))).shape
      TensorShape([2, 1])
    """

    def __init__(self, layers=None, name=None):
        Model.__init__(self, name=name)
        self.supports_masking = True
        self._layers: list = []
        self._input_kt = None
        self._explicit_input = False
        self._inferred_shape = None
        self._eager_only = False
        self._graph_nodes: list = []
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self) -> list:
        """The layers, without the input layer."""
        return list(self._layers)

    def _default_name(self):
        return None

    # --- building the graph -----------------------------------------------------------------
    def add(self, layer) -> None:
        """Appends a layer (or an `InputLayer` / `tf.keras.Input` tensor to set the input)."""
        if isinstance(layer, KerasTensor) and layer._keras_history is not None:
            layer = layer._keras_history[0].layer
        if not isinstance(layer, Layer):
            raise TypeError(f"The added layer must be an instance of class Layer. Received: "
                            f"layer={layer} of type {type(layer)}.")
        if isinstance(layer, InputLayer):
            self._input_kt = layer._inbound_nodes[0].outputs[0]
            self._explicit_input = True
            self._rebuild()
            return
        if any(layer.name == other.name for other in self._layers):
            raise ValueError(f"All layers added to a Sequential model should have unique names. "
                             f'Name "{layer.name}" is already the name of a layer in this model. '
                             f"Update the `name` argument to pass a unique name.")
        self._layers.append(layer)
        if self._input_kt is None and len(self._layers) == 1:
            shape, dtype = _first_input(layer)
            if shape is not None:
                self._input_kt = Input(batch_shape=shape, dtype=dtype,
                                       name=layer.name + "_input")
                self._explicit_input = True
        if self._explicit_input:
            if self._is_graph_network and len(self._layers) > 1:
                with init_scope():
                    out = self._call_symbolic(layer, self.outputs[0])
                functional.init_network(self, self._input_kt, out)
            else:
                self._rebuild()
        elif self._inferred_shape is not None:
            self._rebuild()

    def _call_symbolic(self, layer, x):
        out = layer(x)
        if len(nest.flatten(out)) != 1:
            raise ValueError("All layers in a Sequential model should have a single output "
                             "tensor. For multi-output layers, use the functional API.")
        self._graph_nodes.append(out._keras_history[0])
        return out

    def _clear_nodes(self) -> None:
        for node in self._graph_nodes:
            if node in node.layer._inbound_nodes:
                node.layer._inbound_nodes.remove(node)
            for parent in node.parents:
                if node in parent.layer._outbound_nodes:
                    parent.layer._outbound_nodes.remove(node)
        self._graph_nodes = []

    def _rebuild(self, inp=None) -> None:
        """(Re)makes the graph from the input tensor through all layers."""
        inp = inp if inp is not None else self._input_kt
        self._clear_nodes()
        if inp is None or not self._layers:
            self._is_graph_network = False
            self.built = False
            return
        with init_scope():
            x = inp
            for layer in self._layers:
                x = self._call_symbolic(layer, x)
        functional.init_network(self, inp, x)
        if not self._explicit_input:
            self.input_spec = None  # inferred shapes do not constrain later calls

    def pop(self) -> None:
        """Removes the last layer."""
        if not self._layers:
            raise TypeError("There are no layers in the model.")
        self._layers.pop()
        if self._is_graph_network or self._explicit_input:
            self._rebuild()

    def build(self, input_shape=None) -> None:
        """Builds the graph for inputs of `input_shape` (batch dimension included)."""
        if input_shape is None:
            if self._is_graph_network:
                self.built = True
                return
            raise ValueError("You must provide an `input_shape` argument.")
        if isinstance(input_shape, (list, tuple)) and input_shape and isinstance(
                input_shape[0], (list, tuple, TensorShape)):
            input_shape = input_shape[0]
        self._infer_graph(tuple(TensorShape(input_shape).as_list()), None)
        if not self._is_graph_network:
            for layer in self._layers:  # eager-only models: build layer by layer
                layer.build(input_shape) if not layer.built else None
                layer.built = True
                input_shape = layer.compute_output_shape(input_shape)
        self._build_input_shape = input_shape
        self.built = True

    def _infer_graph(self, shape: tuple, dtype) -> None:
        if self._explicit_input or self._eager_only or not self._layers:
            return
        new = _relax(self._inferred_shape, shape)
        if new is None:
            self._eager_only = True
            return
        if new == self._inferred_shape and self._is_graph_network:
            return
        with init_scope():
            inp = Input(batch_shape=new, dtype=dtype, name=self._layers[0].name + "_input")
        try:
            self._rebuild(inp)
        except (ValueError, TypeError, NotImplementedError, errors.OpError):
            self._clear_nodes()
            self._is_graph_network = False
            self._eager_only = True
            return
        self._inferred_shape = new

    # --- calling ------------------------------------------------------------------------------
    def call(self, inputs, training=None, mask=None):
        """Runs the layers in order (through the graph when it matches the input)."""
        if isinstance(inputs, Tensor) and not self._explicit_input and not self._eager_only:
            shape = tuple(inputs.shape.as_list())
            if self._inferred_shape is None or not TensorShape(
                    self._inferred_shape).is_compatible_with(shape):
                self._infer_graph(shape, inputs.dtype.name)
        if self._is_graph_network and not self._eager_only and self._compatible(inputs):
            return functional.run_network(self, inputs)
        x = inputs
        for layer in self._layers:
            x = layer(x)
        return x

    def _compatible(self, inputs) -> bool:
        if not isinstance(inputs, Tensor):
            return True
        return self.inputs[0].shape.is_compatible_with(inputs.shape)

    # --- configuration ------------------------------------------------------------------------
    def get_config(self) -> dict:
        """`{'name', 'layers': [serialized layers]}` (the input layer first when declared)."""
        from nanotf._src.keras.functional_config import serialize_layer

        layers = []
        if self._explicit_input and self._input_kt is not None:
            layers.append(serialize_layer(self._input_kt._keras_history[0].layer,
                                          build=False))
        layers += [serialize_layer(layer) for layer in self._layers]
        return {"name": self.name, "layers": layers}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuilds a Sequential model from `get_config()` output."""
        from nanotf._src.keras.functional_config import deserialize_layer

        if isinstance(config, list):
            config = {"layers": config}
        model = cls(name=config.get("name"))
        for cfg in config["layers"]:
            layer = deserialize_layer(cfg, custom_objects)
            model.add(layer)
            build = cfg.get("build_config") if isinstance(cfg, dict) else None
            if not layer.built and build and not model._is_graph_network:
                layer.build_from_config(build)
        return model
