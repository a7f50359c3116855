"""`tf.keras.Model`: a Layer with the training loop (`Trainer`), `layers`, `get_layer`, `summary`.

`Model(inputs, outputs)` makes a functional model (class `Functional`, see `functional.py`);
subclasses define `call`. `summary()` prints Keras 2's table (tf_keras's layout with byte sizes).
"""

from __future__ import annotations

from nanotf._src import nest
from nanotf._src.backend import np
from nanotf._src.keras.layer import Layer, _default
from nanotf._src.keras.trainer import Trainer
from nanotf._src.tensor_shape import TensorShape


def _has_graph_args(args, kwargs) -> bool:
    return len(args) >= 2 or ("inputs" in kwargs and "outputs" in kwargs) or (
        len(args) == 1 and "outputs" in kwargs)


class Model(Trainer, Layer):
    """A trainable stack of layers: functional (`Model(inputs, outputs)`) or subclassed.

    Args:
      inputs: the model's `tf.keras.Input` tensor(s) (functional API).
      outputs: the output tensor(s) computed from `inputs` (functional API).
      name: the model name.

    Example:
      >>> inputs = tf.keras.Input(shape=(3,))
      >>> model = tf.keras.Model(inputs, tf.keras.layers.Dense(2)(inputs))
      >>> model(np.ones((1, 3))).shape
      TensorShape([1, 2])
    """

    _UNTRACKED = Layer._UNTRACKED | frozenset({
        "_trainer", "optimizer", "compiled_loss", "compiled_metrics", "loss", "history",
        "train_function", "test_function", "predict_function", "inputs", "outputs",
        "_nested_inputs", "_nested_outputs", "_network_nodes", "_network_node_ids",
        "_graph_nodes"})

    def __new__(cls, *args, **kwargs):
        if cls is Model and _has_graph_args(args, kwargs):
            from nanotf._src.keras.functional import Functional

            return Functional.__new__(Functional, *args, **kwargs)
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, *args, **kwargs):
        self._is_graph_network = False
        if _has_graph_args(args, kwargs):
            inputs = kwargs.pop("inputs") if "inputs" in kwargs else args[0]
            outputs = kwargs.pop("outputs") if "outputs" in kwargs else args[1]
            name = kwargs.pop("name", None) or (args[2] if len(args) > 2 else None)
            Layer.__init__(self, name=name or self._default_name(), **kwargs)
            from nanotf._src.keras import functional

            functional.init_network(self, inputs, outputs)
            return
        if args:
            raise TypeError(f"Model.__init__() got unexpected positional arguments {args}")
        for k in kwargs:
            if k not in ("name", "trainable", "dtype", "dynamic", "autocast", "input_shape",
                         "batch_input_shape", "input_dim", "batch_size"):
                raise TypeError(f"The following keyword arguments passed to `Model` aren't "
                                f"supported: {{'{k}': {kwargs[k]!r}}}.")
        Layer.__init__(self, **kwargs)

    def _default_name(self):
        return None

    # --- calling and building -----------------------------------------------------------------
    def call(self, inputs, training=None, mask=None):
        """Runs the functional graph (subclassed models override this)."""
        if not self._is_graph_network:
            raise NotImplementedError("Unimplemented `tf.keras.Model.call()`: if you intend to "
                                      "create a `Model` with the Functional API, please provide "
                                      "`inputs` and `outputs` arguments. Otherwise, subclass "
                                      "`Model` with an overridden `call()` method.")
        from nanotf._src.keras import functional

        return functional.run_network(self, inputs)

    @_default
    def build(self, input_shape) -> None:
        """Builds a subclassed model by calling it on a symbolic input of `input_shape`."""
        if self._is_graph_network:
            self.built = True
            return
        if input_shape is None:
            raise ValueError("Input shape must be defined when calling `build()` on a `Model` "
                             "subclass.")
        from nanotf._src.keras import functional
        from nanotf._src.keras.layer_call import call_spec

        def placeholder(shape):
            return functional.KerasTensor(TensorShape(shape).as_list(), self.dtype)

        single = isinstance(input_shape, TensorShape) or (
            isinstance(input_shape, (list, tuple)) and all(
                d is None or isinstance(d, int) for d in input_shape))
        x = placeholder(input_shape) if single else nest.map_structure(placeholder, input_shape)
        kwargs = {"training": False} if call_spec(self).training_index is not None else {}
        try:
            self(x, **kwargs)
        except (ValueError, TypeError, NotImplementedError):
            zeros = nest.map_structure(
                lambda t: np.zeros([1 if d is None else d for d in t.shape.as_list()],
                                   t.dtype._np), x)
            self(zeros, **kwargs)
        self._build_input_shape = input_shape
        self.built = True

    # --- weights: Keras 2 lists a model's sublayers first, then its own variables ---------------
    def _children_then_own(self, kind: str) -> list:
        own, children = self._tracked()
        frozen = not self._trainable
        out: list = []
        for c in children:
            if kind == "all" or (kind == "non_trainable" and frozen):
                out += c.weights if isinstance(c, Layer) else list(c.variables)
            elif kind == "trainable":
                out += c.trainable_weights if isinstance(c, Layer) else list(
                    c.trainable_variables)
            else:
                out += c.non_trainable_weights if isinstance(c, Layer) else list(
                    c.non_trainable_variables)
        if kind == "trainable":
            out += [v for v in own if v.trainable]
        elif kind == "non_trainable" and not frozen:
            out += [v for v in own if not v.trainable]
        else:
            out += [v for v in own if v.trainable] + [v for v in own if not v.trainable]
        return _dedup_list(out)

    @property
    def trainable_weights(self) -> list:
        """The trainable weights: each sublayer's, then the model's own (empty when frozen)."""
        return self._children_then_own("trainable") if self._trainable else []

    @property
    def non_trainable_weights(self) -> list:
        """The non-trainable weights: each sublayer's, then the model's own."""
        return self._children_then_own("non_trainable")

    @property
    def weights(self) -> list:
        """All weights, grouped by sublayer (each layer's `weights`), then the model's own."""
        return self._children_then_own("all")

    variables = weights
    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    # --- layers ---------------------------------------------------------------------------------
    @property
    def layers(self) -> list:
        """The model's layers (functional: in graph order, inputs first)."""
        if self._is_graph_network:
            return list(self._network_layers)
        return self._flatten_layers(include_self=False, recursive=False)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """The layer called `name`, or at position `index` of `layers`."""
        if index is not None and name is not None:
            raise ValueError(f"Provide only a layer name or a layer index. Received: "
                             f"index={index}, name={name}.")
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only "
                                 f"has {len(self.layers)} layers.")
            return self.layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise ValueError(f"No such layer: {name}. Existing layers are: "
                             f"{[layer.name for layer in self.layers]}.")
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    @property
    def input_names(self) -> list:
        """The names of the input layers (functional models)."""
        return [t._keras_history[0].layer.name for t in getattr(self, "inputs", None) or []]

    @property
    def output_names(self) -> list:
        """The names of the layers producing the outputs (functional models)."""
        return [t._keras_history[0].layer.name for t in getattr(self, "outputs", None) or []]

    def _add_symbolic_loss(self, loss) -> None:
        if not self._is_graph_network:
            super()._add_symbolic_loss(loss)
        from nanotf._src.keras import functional

        functional.add_symbolic_loss(self, loss)

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        """A functional model from its graph config, or a subclassed model from its arguments."""
        if "layers" in config and "input_layers" in config:
            from nanotf._src.keras import functional, functional_config

            target = functional.Functional if cls is Model else cls
            return functional_config.from_network_config(target, config, custom_objects)
        return cls(**config)

    def get_config(self) -> dict:
        """Subclassed models: their constructor arguments (see `Layer.get_config`)."""
        if type(self).__init__ is Model.__init__:
            return {"name": self.name, "trainable": self.trainable}
        from nanotf._src.keras.layer_call import auto_config

        return auto_config(self, type(self).__init__)

    # --- saving (implemented in saving.py) -----------------------------------------------------
    def save(self, filepath, overwrite: bool = True, include_optimizer: bool = True,
             save_format=None, signatures=None, options=None, save_traces: bool = True) -> None:
        """Saves the model: `.keras` zip, `.h5`, or a SavedModel directory."""
        from nanotf._src.keras import saving

        saving.save_model(self, filepath, overwrite=overwrite,
                          include_optimizer=include_optimizer, save_format=save_format,
                          signatures=signatures, options=options)

    def save_weights(self, filepath, overwrite: bool = True, save_format=None,
                     options=None) -> None:
        """Saves the weights (`.weights.h5`, `.h5`, or a TF checkpoint prefix)."""
        from nanotf._src.keras import saving

        saving.save_weights(self, filepath, overwrite=overwrite, save_format=save_format,
                            options=options)

    def load_weights(self, filepath, by_name: bool = False, skip_mismatch: bool = False,
                     options=None):
        """Loads weights written by `save_weights` (or a checkpoint)."""
        from nanotf._src.keras import saving

        return saving.load_weights(self, filepath, by_name=by_name,
                                   skip_mismatch=skip_mismatch, options=options)

    def to_json(self, **kwargs) -> str:
        """The model's architecture as a JSON string (`models.model_from_json` reads it)."""
        import json

        from nanotf._src.keras.functional_config import model_json_dict

        return json.dumps(model_json_dict(self), default=_json_default, **kwargs)

    # --- summary --------------------------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None) -> None:
        """Prints the Keras 2 table of layers, output shapes and parameter counts."""
        if not self.built:
            raise ValueError("This model has not yet been built. Build the model first by "
                             "calling `build()` or by calling the model on a batch of data.")
        print_summary(self, line_length, positions, print_fn or print, expand_nested,
                      show_trainable, layer_range)


def _json_default(obj):
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if isinstance(obj, TensorShape):
        return obj.as_list()
    raise TypeError(f"Not JSON serializable: {obj!r}")


def _chain_like(model) -> bool:
    """True when the functional graph is a simple chain (printed without 'Connected to')."""
    if not model._is_graph_network or type(model).__name__ == "Sequential":
        return True
    used: set = set()
    for node in model._network_nodes:
        ins = node.keras_inputs
        if len(ins) > 1 or len(model.inputs) > 1:
            return False
        for t in ins:
            if id(t) in used:
                return False
            used.add(id(t))
    counts: dict = {}
    for node in model._network_nodes:
        counts[id(node.layer)] = counts.get(id(node.layer), 0) + 1
    return max(counts.values(), default=1) == 1


def _row(fields, positions, print_fn, level: int = 0) -> None:
    left = [str(f) for f in fields]
    while any(left):
        line = ""
        for col, text in enumerate(left):
            start = positions[col - 1] if col else 0
            last = col == len(positions) - 1
            space = 0 if last else 2
            cutoff = positions[col] - start - space - (0 if last else 1) - (level if not col else 0)
            fit = text[:cutoff]
            breaks = [fit.find(s) + len(s) for s in ("),", "},", "],", "',") if fit.find(s) >= 0]
            if breaks:
                cutoff = min(breaks)
                fit = fit[:cutoff]
            if col == 0:
                line += "|" * level + " "
            line += fit + " " * space
            left[col] = text[cutoff:]
            pad = positions[col] - len(line) - (level if level and last else 0)
            line += " " * pad
        print_fn(line + "|" * level)


def _shape_text(layer) -> str:
    try:
        return str(layer.output_shape)
    except AttributeError:
        return "multiple"


def print_summary(model, line_length, positions, print_fn, expand_nested, show_trainable,
                  layer_range) -> None:
    """Prints `model.summary()` (see tf_keras's `print_summary` for the layout)."""
    chain = _chain_like(model)
    if chain:
        line_length = line_length or 65
        positions = positions or [0.45, 0.85, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #"]
    else:
        line_length = line_length or 98
        positions = positions or [0.3, 0.6, 0.70, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    if show_trainable:
        line_length += 11
        positions = list(positions) + [line_length]
        header.append("Trainable")
    print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    _row(header, positions, print_fn)
    print_fn("=" * line_length)
    node_ids = getattr(model, "_network_node_ids", set())

    def one(layer, level, last):
        params = layer.count_params() if layer.built or getattr(
            layer, "_is_graph_network", False) else "0 (unused)"
        fields = [f"{layer.name} ({type(layer).__name__})", _shape_text(layer), params]
        if not chain:
            fields.append([f"{lay.name}[{ni}][{ti}]" for node in layer._inbound_nodes
                           if node.id in node_ids for lay, ni, ti in node.iterate_inbound()])
        if show_trainable:
            fields.append("Y" if layer.trainable else "N")
        _row(fields, positions, print_fn, level)
        inner = getattr(layer, "layers", None) if isinstance(layer, Model) else None
        if expand_nested and inner:
            print_fn("|" * (level + 1) + "¯" * (line_length - 2 * level - 2) + "|" * (level + 1))
            for i, sub in enumerate(inner):
                one(sub, level + 1, i == len(inner) - 1)
            print_fn("|" * level + "¯" * (line_length - 2 * level) + "|" * level)
            last = True  # as tf_keras: no spacer line after an expanded block
        if not last:
            print_fn("|" * level + " " * (line_length - 2 * level) + "|" * level)

    layers = model.layers
    if layer_range is not None:
        names = [la.name for la in layers]
        layers = layers[names.index(layer_range[0]):names.index(layer_range[1]) + 1]
    for layer in layers:
        one(layer, 0, False)
    print_fn("=" * line_length)
    trainable = _dedup_list(model.trainable_weights)
    frozen = _dedup_list(model.non_trainable_weights)
    n_t = sum(int(np.prod(w.shape.as_list())) for w in trainable)
    n_f = sum(int(np.prod(w.shape.as_list())) for w in frozen)
    # TF <= 2.10's totals: thousands separators, no memory size
    print_fn(f"Total params: {n_t + n_f:,}")
    print_fn(f"Trainable params: {n_t:,}")
    print_fn(f"Non-trainable params: {n_f:,}")
    print_fn("_" * line_length)


def _dedup_list(ws) -> list:
    seen, out = set(), []
    for w in ws:
        if id(w) not in seen:
            seen.add(id(w))
            out.append(w)
    return out
