"""`tf.keras.layers.Layer`: lazy build, weights, the `training` flag, losses and configs (Keras 2).

A Layer is a `tf.Module`: its sublayers and raw Variables are found by walking its attributes, and
the weights it makes with `add_weight` are kept in creation order. `__call__` converts NumPy inputs,
resolves `training` (explicit > outer call > learning phase > `call`'s default), checks
`input_spec`, builds on first use, casts floating inputs to the layer dtype and runs `call` in
its name scope. Symbolic (`tf.keras.Input`) inputs go to `functional.symbolic_call` instead.
"""

from __future__ import annotations

import warnings
import weakref

from nanotf._src import checkpoint, dtypes, nest, ops
from nanotf._src.backend import np
from nanotf._src.graph import init_scope
from nanotf._src.keras import backend, constraints, initializers, regularizers
from nanotf._src.keras.input_spec import InputSpec, assert_input_compatibility
from nanotf._src.keras.layer_call import (
    auto_config,
    autocast,
    call_spec,
    convert_inputs,
    ctx,
    is_symbolic,
    mask_of,
    masks,
    resolve_training,
    set_mask,
    shapes_of,
    to_snake_case,
)
from nanotf._src.module import Module, walk
from nanotf._src.naming import name_scope
from nanotf._src.tensor import Tensor, convert_to_tensor
from nanotf._src.tensor_shape import TensorShape
from nanotf._src.variables import Variable, VariableAggregation, VariableSynchronization

__all__ = ["Layer", "InputSpec", "to_snake_case"]

_loss_holders: weakref.WeakSet = weakref.WeakSet()  # layers holding losses from the last call
_ALLOWED_KWARGS = frozenset({"input_dim", "input_shape", "batch_input_shape", "batch_size",
                             "weights", "activity_regularizer", "autocast", "implementation"})
_WEIGHT_KWARGS = frozenset({"getter", "collections", "experimental_autocast", "caching_device",
                            "partitioner", "autocast"})
_MISSING = object()
_K2_ORDER = ("name", "shape", "dtype", "initializer", "regularizer", "trainable", "constraint",
             "use_resource", "synchronization", "aggregation")
_K3_ORDER = ("shape", "initializer", "dtype", "trainable", "autocast", "regularizer",
             "constraint", "aggregation", "name")


def _default(fn):
    fn._is_default = True
    return fn


class Layer(Module):
    """The base class of Keras layers: override `build(input_shape)` and `call(inputs)`.

    Args:
      trainable: whether the layer's weights are updated by training.
      name: the layer name (default: snake_case class name made unique, `dense`, `dense_1`, ...).
      dtype: the dtype of weights and computations (default `floatx()`, float32).
      input_shape / batch_input_shape / input_dim: an input shape for the first model layer.

    Example:
      >>> class Scale(tf.keras.layers.Layer):
      ...   def build(self, input_shape):
      ...     self.w = self.add_weight('w', shape=(input_shape[-1],), initializer='ones')
      ...   def call(self, x):
      ...     return x * self.w
      >>> Scale()(tf.ones([2, 3])).shape
      TensorShape([2, 3])
    """

    _walk_ordered = False
    _UNTRACKED = frozenset({"_own_weights", "_inbound_nodes", "_outbound_nodes", "_losses",
                            "_callable_losses", "_init_args", "input_spec", "_initial_weights"})

    def __new__(cls, *args, **kwargs):
        self = super().__new__(cls)
        self._init_args = (args, kwargs)
        return self

    def __init__(self, trainable: bool = True, name: str | None = None, dtype=None,
                 dynamic: bool = False, **kwargs):
        for k in kwargs:
            if k not in _ALLOWED_KWARGS:
                raise TypeError("Keyword argument not understood:", k)
        self._name = name or backend.unique_object_name(to_snake_case(type(self).__name__))
        self._scope_name = self._name + "/"
        self._trainable = bool(trainable)
        self._set_dtype(dtype)
        self._dynamic = dynamic
        self.built = False
        self.supports_masking = False
        self.input_spec = None
        self._own_weights: list = []
        self._losses: list = []
        self._callable_losses: list = []
        self._inbound_nodes: list = []
        self._outbound_nodes: list = []
        self._autocast = kwargs.get("autocast", True)
        self._initial_weights = kwargs.get("weights")
        self._activity_regularizer = regularizers.get(kwargs.get("activity_regularizer"))
        self._batch_input_shape = None
        if "batch_input_shape" in kwargs:
            self._batch_input_shape = tuple(kwargs["batch_input_shape"])
        elif "input_shape" in kwargs or "input_dim" in kwargs:
            shape = kwargs.get("input_shape")
            if shape is None:
                shape = (kwargs["input_dim"],)
            shape = (shape,) if isinstance(shape, int) else tuple(shape)
            self._batch_input_shape = (kwargs.get("batch_size"),) + shape

    def _set_dtype(self, dtype) -> None:
        if dtype is None:
            dtype = backend.floatx()
        if hasattr(dtype, "name") and not isinstance(dtype, str) and hasattr(dtype, "_np"):
            dtype = dtype.name
        if isinstance(dtype, str) and dtype.startswith("mixed_"):
            dtype = "float32"  # mixed-precision policies compute in float32 here
        if hasattr(dtype, "compute_dtype"):
            dtype = dtype.compute_dtype
        self._dtype = dtypes.as_dtype(dtype).name
        self._compute_np = dtypes.as_dtype(self._dtype)._np

    # --- properties -------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The layer's unique name."""
        return self._name

    @property
    def name_scope(self) -> name_scope:
        """A name scope named after the layer (relative to the current scope)."""
        return name_scope(self._name)

    @property
    def dtype(self) -> str:
        """The dtype of the layer's weights, e.g. `'float32'`."""
        return self._dtype

    @property
    def compute_dtype(self) -> str:
        """The dtype of the layer's computations."""
        return self._dtype

    variable_dtype = dtype

    @property
    def dtype_policy(self):
        """The layer's dtype policy (`.name`, `.compute_dtype`, `.variable_dtype`)."""
        from types import SimpleNamespace

        return SimpleNamespace(name=self._dtype, compute_dtype=self._dtype,
                               variable_dtype=self._dtype)

    @property
    def trainable(self) -> bool:
        """Whether the layer's weights are trained; setting it applies to all sublayers."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        for layer in self._flatten_layers():
            layer._trainable = bool(value)

    @property
    def dynamic(self) -> bool:
        """Whether the layer must run eagerly."""
        return self._dynamic

    @property
    def stateful(self) -> bool:
        """Whether the layer keeps state between calls (RNNs with `stateful=True`)."""
        return getattr(self, "_stateful", False)

    @property
    def activity_regularizer(self):
        """The regularizer applied to the layer's outputs, or None."""
        return self._activity_regularizer

    @activity_regularizer.setter
    def activity_regularizer(self, value) -> None:
        self._activity_regularizer = value

    # --- tracking (one attribute walk) ----------------------------------------------------------
    def _walk_ignore(self) -> frozenset:
        return self._UNTRACKED

    def _tracked(self) -> tuple:
        """(own variables, direct child modules) in tracking order."""
        own = list(self._own_weights)
        seen = {id(v) for v in own}
        seen.add(id(self))
        children = []
        for _, leaf in walk(self, (), seen, False, self._walk_ignore()):
            (own if isinstance(leaf, Variable) else children).append(leaf)
        return own, children

    def _flatten_layers(self, include_self: bool = True, recursive: bool = True) -> list:
        out, seen, queue = [], {id(self)}, [self]
        if include_self:
            out.append(self)
        while queue:
            layer = queue.pop(0)
            for child in layer._tracked()[1]:
                if isinstance(child, Layer) and id(child) not in seen:
                    seen.add(id(child))
                    out.append(child)
                    if recursive:
                        queue.append(child)
        return out

    def _collect(self, kind: str) -> list:
        own, children = self._tracked()
        if kind == "trainable":
            if not self._trainable:
                return []
            out = [v for v in own if v.trainable]
            for c in children:
                out += c.trainable_weights if isinstance(c, Layer) else list(c.trainable_variables)
            return out
        if self._trainable:
            out = [v for v in own if not v.trainable]
            for c in children:
                out += (c.non_trainable_weights if isinstance(c, Layer)
                        else list(c.non_trainable_variables))
        else:
            out = [v for v in own if v.trainable] + [v for v in own if not v.trainable]
            for c in children:
                out += c.weights if isinstance(c, Layer) else list(c.variables)
        return out

    @property
    def trainable_weights(self) -> list:
        """The weights updated by training (empty when the layer is frozen)."""
        return _dedup(self._collect("trainable"))

    @property
    def non_trainable_weights(self) -> list:
        """The weights not updated by training (all of them when the layer is frozen)."""
        return _dedup(self._collect("non_trainable"))

    @property
    def weights(self) -> list:
        """Trainable weights followed by non-trainable weights."""
        return _dedup(self._collect("trainable") + self._collect("non_trainable"))

    variables = weights
    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    # --- weights ----------------------------------------------------------------------------------
    def add_weight(self, *args, **kwargs) -> Variable:
        """Creates a weight Variable owned by this layer.

        Keras 2 order: `add_weight(name=None, shape=None, dtype=None, initializer=None,
        regularizer=None, trainable=None, constraint=None, ...)`, so `add_weight('w', shape)`
        works; a non-string first positional argument selects Keras 3's order
        `(shape, initializer, dtype, trainable, autocast, regularizer, constraint, aggregation,
        name)`. Float weights default to `glorot_uniform`, integer and bool weights to zeros.

        Example:
          >>> self.kernel = self.add_weight('kernel', shape=(4, 2), initializer='zeros')
        """
        order = _K2_ORDER if not args or args[0] is None or isinstance(args[0], str) \
            else _K3_ORDER
        if len(args) > len(order):
            raise TypeError(f"add_weight() takes at most {len(order)} positional arguments")
        for key, value in zip(order, args):
            if key in kwargs:
                raise TypeError(f"add_weight() got multiple values for argument '{key}'")
            kwargs[key] = value
        return self._add_weight(**kwargs)

    def _add_weight(self, name=None, shape=None, dtype=None, initializer=None, regularizer=None,
                    trainable=None, constraint=None, use_resource=None,
                    synchronization=VariableSynchronization.AUTO,
                    aggregation=VariableAggregation.NONE, **kwargs) -> Variable:
        kwargs.pop("autocast", None)
        if isinstance(aggregation, str):
            aggregation = VariableAggregation.NONE
        for k in kwargs:
            if k not in _WEIGHT_KWARGS:
                raise TypeError("Unknown keyword argument:", k)
        shape = () if shape is None else shape
        shape = tuple(TensorShape(shape).as_list())
        dt = dtypes.as_dtype(dtype or self._dtype)
        if synchronization == VariableSynchronization.ON_READ:
            if trainable:
                raise ValueError("Synchronization value can be set to VariableSynchronization."
                                 "ON_READ only for non-trainable variables. You have specified "
                                 "trainable=True and synchronization=VariableSynchronization."
                                 "ON_READ.")
            trainable = False
        elif trainable is None:
            trainable = True
        if initializer is None:
            if dt.is_floating:
                initializer = initializers.GlorotUniform()
            elif dt.is_integer or dt.is_bool:
                initializer = initializers.Zeros()
            else:
                raise ValueError(f"An initializer for variable {name} of type {dt!s} is required "
                                 f"for layer {self.name}. Received: {initializer}.")
        init = initializers.get(initializer)
        with init_scope():
            value = init(shape, dtype=dt)
            var = Variable(value, name=name, trainable=trainable, dtype=dt,
                           constraint=constraints.get(constraint),
                           synchronization=synchronization, aggregation=aggregation)
        self._own_weights.append(var)
        reg = regularizers.get(regularizer)
        if reg is not None:
            self._callable_losses.append(lambda r=reg, v=var: r(v))
        return var

    def add_variable(self, *args, **kwargs) -> Variable:
        """Deprecated alias of `add_weight`."""
        warnings.warn("`layer.add_variable` is deprecated and will be removed in a future "
                      "version. Please use the `layer.add_weight()` method instead.",
                      stacklevel=2)
        return self.add_weight(*args, **kwargs)

    def get_weights(self) -> list:
        """The weights as a list of NumPy arrays (same order as `weights`)."""
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights) -> None:
        """Assigns NumPy arrays to the weights (same order and shapes as `get_weights()`)."""
        params = self.weights
        weights = list(weights)
        if len(params) != len(weights):
            raise ValueError(
                f'You called `set_weights(weights)` on layer "{self.name}" with a weight list of '
                f"length {len(weights)}, but the layer was expecting {len(params)} weights. "
                f"Provided weights: {str(weights)[:50]}...")
        for p, w in zip(params, weights):
            w = np.asarray(w)
            ref = tuple(p.shape.as_list())
            if not TensorShape(ref).is_compatible_with(w.shape):
                raise ValueError(f"Layer {self.name} weight shape {ref} is not compatible with "
                                 f"provided weight shape {w.shape}.")
            p.assign(w.astype(p.dtype._np, copy=False))

    def count_params(self) -> int:
        """The number of scalars in the layer's weights (the layer must be built)."""
        if not self.built:
            if not getattr(self, "_is_graph_network", False):
                raise ValueError(f"You tried to call `count_params` on layer {self.name}, but "
                                 f"the layer isn't built. You can build it manually via: "
                                 f"`{self.name}.build(batch_input_shape)`.")
        return int(sum(int(np.prod(v.shape.as_list())) for v in self.weights))

    # --- losses -----------------------------------------------------------------------------------
    def add_loss(self, losses, inputs=None, **kwargs) -> None:
        """Adds a loss: a tensor computed in `call`, or a zero-argument callable (any time)."""
        for loss in losses if isinstance(losses, (list, tuple)) else [losses]:
            if loss is None:
                continue
            if callable(loss) and not isinstance(loss, Tensor):
                self._callable_losses.append(loss)
            elif isinstance(loss, Tensor) and loss._symbolic:
                if getattr(ctx, "depth", 0) == 0:  # inside a call it is re-added when run
                    self._add_symbolic_loss(loss)
            elif getattr(ctx, "depth", 0) > 0:
                self._losses.append(loss if isinstance(loss, Tensor) else convert_to_tensor(
                    loss, dtype=backend.floatx()))
                _loss_holders.add(self)
            else:
                raise ValueError("Expected a symbolic Tensors or a callable for the loss value. "
                                 "Please wrap your loss computation in a zero argument `lambda`.")

    def _add_symbolic_loss(self, loss) -> None:
        raise ValueError("Symbolic losses can only be added to a functional Model.")

    @property
    def losses(self) -> list:
        """Losses from the last call (`add_loss`, activity regularization) and weight penalties."""
        out = []
        for layer in self._flatten_layers():
            out.extend(layer._losses)
            for fn in layer._callable_losses:
                loss = fn()
                if loss is not None:
                    out.append(loss if isinstance(loss, Tensor) else convert_to_tensor(
                        loss, dtype=backend.floatx()))
        return out

    # --- calling ----------------------------------------------------------------------------------
    @_default
    def build(self, input_shape) -> None:
        """Creates the weights for inputs of `input_shape` (override it; call `super().build`)."""
        self._build_input_shape = input_shape
        self.built = True

    def call(self, inputs, *args, **kwargs):
        """The layer's computation (override it). The base layer returns its inputs."""
        return inputs

    def __call__(self, *args, **kwargs):
        if args:
            inputs = args[0]
        else:
            first = call_spec(self).names[0] if call_spec(self).names else "inputs"
            if first not in kwargs:
                raise ValueError("The first argument to `Layer.call` must always be passed.")
            inputs = kwargs.pop(first)
            args = (inputs,)
        if not isinstance(inputs, Tensor):
            inputs = convert_inputs(inputs)
            args = (inputs,) + args[1:]
        if is_symbolic(inputs) or (len(args) > 1 and is_symbolic(list(args[1:]))):
            from nanotf._src.keras import functional

            return functional.symbolic_call(self, args, kwargs)
        args, kwargs, training = resolve_training(self, args, kwargs)
        masking = bool(masks) or type(self).compute_mask is not Layer.compute_mask
        if masking:
            mask = kwargs.get("mask")
            if mask is None:
                mask = mask_of(inputs)
                if mask is not None and call_spec(self).expects_mask:
                    kwargs["mask"] = mask
        if self.input_spec is not None:
            assert_input_compatibility(self.input_spec, inputs, self._name)
        if self._autocast:
            cast = autocast(inputs, self._compute_np)
            if cast is not inputs:
                args = (cast,) + args[1:]
        depth = getattr(ctx, "depth", 0)
        if depth == 0 and _loss_holders:
            for layer in list(_loss_holders):
                layer._losses = []
            _loss_holders.clear()
        saved = getattr(ctx, "training", None)
        ctx.depth, ctx.training = depth + 1, training
        try:
            with name_scope(self._name):
                if not self.built:
                    self._maybe_build(inputs)
                outputs = self.call(*args, **kwargs)
            if self._activity_regularizer is not None:
                self._activity_loss(outputs)
            if masking:
                set_mask(outputs, self.compute_mask(inputs, mask))
        finally:
            ctx.depth, ctx.training = depth, saved
        return outputs

    def _maybe_build(self, inputs) -> None:
        shapes = shapes_of(inputs)
        if not getattr(type(self).build, "_is_default", False):
            with init_scope():
                self.build(shapes)
        self._build_input_shape = shapes
        self.built = True
        checkpoint.restore_deferred(self)  # values a checkpoint holds for weights made just now
        if self._initial_weights is not None:
            weights, self._initial_weights = self._initial_weights, None
            self.set_weights(weights)

    def _activity_loss(self, outputs) -> None:
        for out in nest.flatten(outputs):
            if isinstance(out, Tensor) and not out._symbolic:
                batch = ops.cast(ops.shape(out)[0], out.dtype)
                self.add_loss(self._activity_regularizer(out) / batch)

    def compute_output_shape(self, input_shape):
        """The output shape for inputs of `input_shape`, found by a symbolic call."""
        from nanotf._src.keras import functional

        return functional.infer_output_shape(self, input_shape)

    def compute_mask(self, inputs, mask=None):
        """The output mask: the input mask for layers that support masking, else None."""
        return mask if self.supports_masking else None

    # --- configuration ----------------------------------------------------------------------------
    def get_config(self) -> dict:
        """The constructor arguments as a JSON-friendly dict."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": self._dtype}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = self._batch_input_shape
        init = type(self).__init__
        if init is Layer.__init__ or type(self).get_config is not Layer.get_config:
            return config
        return auto_config(self, init)

    @classmethod
    def from_config(cls, config: dict):
        """Creates a layer from `get_config()` output."""
        return cls(**config)

    def get_build_config(self) -> dict | None:
        """`{'input_shape': ...}` of the first build (None if not built)."""
        shape = getattr(self, "_build_input_shape", None)
        if shape is None:
            return None
        return {"input_shape": nest.map_structure(
            lambda s: tuple(s.as_list()) if isinstance(s, TensorShape) else s, shape,
        ) if not isinstance(shape, TensorShape) else tuple(shape.as_list())}

    def build_from_config(self, config: dict) -> None:
        """Builds the layer from `get_build_config()` output."""
        shape = (config or {}).get("input_shape")
        if shape is not None and not self.built:
            self.build(shape)
            self.built = True
            checkpoint.restore_deferred(self)

    # --- functional-API views ---------------------------------------------------------------------
    def _node_attr(self, what: str):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} is not connected, no input to return."
                                 if what.startswith("input") else
                                 "The layer has never been called and thus has no defined "
                                 f"{what.replace('_', ' ')}.")
        values = {repr(getattr(n, what)) for n in self._inbound_nodes}
        if len(values) > 1:
            raise AttributeError(
                f'The layer "{self.name}" has multiple inbound nodes, with different '
                f'{what.replace("_", " ")}s. Hence the notion of "{what.replace("_", " ")}" is '
                f"ill-defined for the layer. Use `get_{what}_at(node_index)` instead.")
        return getattr(self._inbound_nodes[0], what)

    input = property(lambda self: self._node_attr("input"), doc="The symbolic input.")
    output = property(lambda self: self._node_attr("output"), doc="The symbolic output.")
    input_shape = property(lambda self: self._node_attr("input_shape"), doc="The input shape.")
    output_shape = property(lambda self: self._node_attr("output_shape"), doc="The output shape.")

    def get_input_at(self, node_index: int):
        """The input of the layer's `node_index`-th call."""
        return self._inbound_nodes[node_index].input

    def get_output_at(self, node_index: int):
        """The output of the layer's `node_index`-th call."""
        return self._inbound_nodes[node_index].output

    def get_output_shape_at(self, node_index: int):
        """The output shape of the layer's `node_index`-th call."""
        return self._inbound_nodes[node_index].output_shape



def _dedup(weights: list) -> list:
    seen, out = set(), []
    for w in weights:
        if id(w) not in seen:
            seen.add(id(w))
            out.append(w)
    return out
