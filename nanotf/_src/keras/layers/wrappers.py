"""Layer wrappers: `Bidirectional` (a forward and a backward copy of an RNN) and
`TimeDistributed` (one layer applied to every time step)."""

from __future__ import annotations

from nanotf._src import ops
from nanotf._src.keras.layer import Layer
from nanotf._src.naming import name_scope
from nanotf._src.tensor_shape import TensorShape


def _copy(layer, **changes):
    config = layer.get_config()
    config.update(changes)
    return type(layer).from_config(config)


class Bidirectional(Layer):
    """Runs an RNN forwards and backwards and merges the two outputs.

    Args:
      layer: the recurrent layer to copy (its config is reused for both directions).
      merge_mode: `'concat'` (default), `'sum'`, `'mul'`, `'ave'` or None (a list of both).
      backward_layer: an explicit backward layer (default: a copy with `go_backwards` flipped).

    Example:
      >>> tf.keras.layers.Bidirectional(tf.keras.layers.LSTM(3))(tf.ones([2, 5, 4])).shape
      TensorShape([2, 6])
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Please initialize `Bidirectional` layer with a "
                             f"`tf.keras.layers.Layer` instance. Received: {layer}")
        if merge_mode not in ("sum", "mul", "ave", "concat", None):
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode should be "
                             f"one of {{'sum', 'mul', 'ave', 'concat', None}}")
        super().__init__(**kwargs)
        self.layer = layer
        self.forward_layer = _copy(layer, name="forward_" + layer.name)
        self.backward_layer = backward_layer if backward_layer is not None else _copy(
            layer, name="backward_" + layer.name, go_backwards=not layer.go_backwards)
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self._initial_weights = weights
        self.supports_masking = True

    def build(self, input_shape) -> None:
        for layer in (self.forward_layer, self.backward_layer):
            if not layer.built:
                with name_scope(layer.name):
                    layer.build(input_shape)
                layer.built = True
        self.built = True

    def call(self, inputs, training=None, mask=None, initial_state=None):
        fw_kwargs, bw_kwargs = {}, {}
        if initial_state is not None:
            half = len(initial_state) // 2
            fw_kwargs["initial_state"] = initial_state[:half]
            bw_kwargs["initial_state"] = initial_state[half:]
        y = self.forward_layer(inputs, mask=mask, **fw_kwargs)
        y_rev = self.backward_layer(inputs, mask=mask, **bw_kwargs)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = ops.reverse(y_rev, [1])
        if self.merge_mode == "concat":
            out = ops.concat([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            out = y + y_rev
        elif self.merge_mode == "ave":
            out = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            out = y * y_rev
        else:
            out = [y, y_rev]
        if self.return_state:
            return (out if isinstance(out, list) else [out]) + states
        return out

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        if not self.return_state:
            return out
        n = len(self.forward_layer.compute_mask(inputs, None) or []) - 1
        return ([out] if self.merge_mode is not None else [out, out]) + [None] * (2 * n)

    def reset_states(self, states=None) -> None:
        """Resets both directions' carried states."""
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    def get_config(self) -> dict:
        from nanotf._src.keras.functional_config import serialize_layer

        config = {**super().get_config(), "layer": serialize_layer(self.layer, build=False),
                  "merge_mode": self.merge_mode}
        if self.backward_layer.name != "backward_" + self.layer.name:
            config["backward_layer"] = serialize_layer(self.backward_layer, build=False)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        from nanotf._src.keras.functional_config import deserialize_layer

        config = dict(config)
        config["layer"] = deserialize_layer(config["layer"], custom_objects)
        if "backward_layer" in config:
            config["backward_layer"] = deserialize_layer(config["backward_layer"],
                                                         custom_objects)
        return cls(**config)


class TimeDistributed(Layer):
    """Applies `layer` to every step of `(batch, time, ...)` inputs.

    Example:
      >>> tf.keras.layers.TimeDistributed(tf.keras.layers.Dense(2))(tf.ones([4, 5, 3])).shape
      TensorShape([4, 5, 2])
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Please initialize `TimeDistributed` layer with a "
                             f"`tf.keras.layers.Layer` instance. Received: {layer}")
        super().__init__(**kwargs)
        self.layer = layer
        self.supports_masking = True

    def build(self, input_shape) -> None:
        shape = TensorShape(input_shape).as_list()
        if len(shape) < 3:
            raise ValueError(f"`TimeDistributed` Layer should be passed an `input_shape` with "
                             f"at least 3 dimensions, received: {tuple(shape)}")
        if not self.layer.built:
            self.layer.build(TensorShape([None] + shape[2:]))
            self.layer.built = True
        self.built = True

    def call(self, inputs, training=None, mask=None):
        shape = inputs.shape.as_list()
        steps = shape[1]
        flat = ops.reshape(inputs, [-1] + shape[2:])
        y = self.layer(flat)
        out = y.shape.as_list()[1:]
        batch = shape[0] if shape[0] is not None else -1
        if steps is None:
            steps = -1 if batch != -1 else ops.shape(inputs)[1]
        return ops.reshape(y, [batch, steps] + out)

    def get_config(self) -> dict:
        from nanotf._src.keras.functional_config import serialize_layer

        return {**super().get_config(), "layer": serialize_layer(self.layer, build=False)}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        from nanotf._src.keras.functional_config import deserialize_layer

        config = dict(config)
        config["layer"] = deserialize_layer(config["layer"], custom_objects)
        return cls(**config)


__all__ = [
    "Bidirectional", "TimeDistributed",
]
