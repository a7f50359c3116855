"""Recurrent layers: the `RNN` loop and the SimpleRNN, LSTM and GRU cells (Keras 2 gate layouts).

The loop runs in Python over the time steps. Keras cells project every step's input at once
(`_project`, one matmul for the whole sequence) and then apply `_step`; user cells are called as
`cell(x_t, states)`.
"""

from __future__ import annotations

from nanotf._src import nest, ops
from nanotf._src.keras import activations, constraints, initializers, regularizers
from nanotf._src.keras.input_spec import InputSpec
from nanotf._src.keras.layer import Layer
from nanotf._src.tensor_shape import TensorShape


def _ser(obj, module):
    return None if obj is None else module.serialize(obj)


class _Cell(Layer):
    """Shared weights and arguments of the built-in cells (`gates` blocks of `units`)."""

    gates = 1

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        if units is None or int(units) <= 0:
            raise ValueError(f"Received an invalid value for argument `units`, expected a "
                             f"positive integer, got {units}.")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, dropout))
        self.recurrent_dropout = min(1.0, max(0.0, recurrent_dropout))

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self) -> int:
        return self.units

    def _bias_shape(self) -> tuple:
        return (self.gates * self.units,)

    def _bias_init(self):
        return self.bias_initializer

    def build(self, input_shape) -> None:
        dim = TensorShape(input_shape)[-1]
        n = self.gates * self.units
        self.kernel = self.add_weight("kernel", shape=(dim, n),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            "recurrent_kernel", shape=(self.units, n), initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer, constraint=self.recurrent_constraint)
        self.bias = self.add_weight("bias", shape=self._bias_shape(),
                                    initializer=self._bias_init(),
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    def _project(self, x):
        """`x @ kernel (+ input bias)` for a whole `(batch, time, features)` sequence."""
        xw = ops.matmul(x, self.kernel)
        return xw + self.bias if self.bias is not None else xw

    def call(self, inputs, states, training=None):
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        h, new = self._step(self._project(inputs), states)
        return h, new

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None) -> list:
        return [ops.zeros((batch_size, self.units), dtype or self.dtype)]

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": _ser(self.kernel_initializer, initializers),
                "recurrent_initializer": _ser(self.recurrent_initializer, initializers),
                "bias_initializer": _ser(self.bias_initializer, initializers),
                "kernel_regularizer": _ser(self.kernel_regularizer, regularizers),
                "recurrent_regularizer": _ser(self.recurrent_regularizer, regularizers),
                "bias_regularizer": _ser(self.bias_regularizer, regularizers),
                "kernel_constraint": _ser(self.kernel_constraint, constraints),
                "recurrent_constraint": _ser(self.recurrent_constraint, constraints),
                "bias_constraint": _ser(self.bias_constraint, constraints),
                "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout}


class SimpleRNNCell(_Cell):
    """`h = activation(x @ W + h @ U + b)`."""

    def _step(self, xw, states):
        h = self.activation(xw + ops.matmul(states[0], self.recurrent_kernel))
        return h, [h]


class LSTMCell(_Cell):
    """LSTM cell: gates i, f, c, o in that order; `unit_forget_bias` starts f's bias at 1."""

    gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 unit_forget_bias=True, **kwargs):
        kwargs.pop("implementation", None)
        super().__init__(units, activation, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias

    @property
    def state_size(self):
        return [self.units, self.units]

    def _bias_init(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        init, u = self.bias_initializer, self.units

        def forget_ones(shape, dtype=None, **kwargs):
            return ops.concat([init((u,), dtype), ops.ones((u,), dtype), init((2 * u,), dtype)],
                              0)
        return forget_ones

    def _step(self, xw, states):
        h, c = states
        z = xw + ops.matmul(h, self.recurrent_kernel)
        zi, zf, zc, zo = ops.split(z, 4, axis=-1)
        sig = self.recurrent_activation
        c = sig(zf) * c + sig(zi) * self.activation(zc)
        h = sig(zo) * self.activation(c)
        return h, [h, c]

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None) -> list:
        return [ops.zeros((batch_size, self.units), dtype or self.dtype)] * 2

    def get_config(self) -> dict:
        config = super().get_config()
        config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        config["unit_forget_bias"] = self.unit_forget_bias
        config["implementation"] = 2
        return config


class GRUCell(_Cell):
    """GRU cell: gates z, r, h; Keras 2's default `reset_after=True` has separate biases."""

    gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 reset_after=True, **kwargs):
        kwargs.pop("implementation", None)
        super().__init__(units, activation, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = reset_after

    def _bias_shape(self) -> tuple:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _project(self, x):
        xw = ops.matmul(x, self.kernel)
        if self.bias is None:
            return xw
        return xw + (self.bias[0] if self.reset_after else self.bias)

    def _step(self, xw, states):
        h = states[0]
        u = self.units
        xz, xr, xh = ops.split(xw, 3, axis=-1)
        sig = self.recurrent_activation
        if self.reset_after:
            inner = ops.matmul(h, self.recurrent_kernel)
            if self.bias is not None:
                inner = inner + self.bias[1]
            rz, rr, rh = ops.split(inner, 3, axis=-1)
            z, r = sig(xz + rz), sig(xr + rr)
            hh = self.activation(xh + r * rh)
        else:
            rk = self.recurrent_kernel
            z = sig(xz + ops.matmul(h, rk[:, :u]))
            r = sig(xr + ops.matmul(h, rk[:, u:2 * u]))
            hh = self.activation(xh + ops.matmul(r * h, rk[:, 2 * u:]))
        h = z * h + (1.0 - z) * hh
        return h, [h]

    def get_config(self) -> dict:
        config = super().get_config()
        config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        config["reset_after"] = self.reset_after
        config["implementation"] = 2
        return config


def _sizes(cell) -> list:
    size = cell.state_size
    return list(size) if isinstance(size, (list, tuple)) else [size]


class RNN(Layer):
    """Runs `cell` over the time axis of `(batch, time, features)` inputs.

    Args:
      cell: a cell layer (`call(x_t, states) -> (output, new_states)`, `state_size`).
      return_sequences: return every step's output (else the last).
      return_state: also return the final states.
      go_backwards: process the sequence in reverse.
      stateful: carry the final states into the next call (`reset_states()` clears them).
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, time_major=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(cell, (list, tuple)):
            raise ValueError("Stacked cells are not supported; stack RNN layers instead.")
        self.cell = cell
        self.return_sequences, self.return_state = return_sequences, return_state
        self.go_backwards, self.unroll, self.time_major = go_backwards, unroll, time_major
        self._stateful = stateful
        self._carried = None
        self.input_spec = InputSpec(ndim=3)
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        if self.return_state:
            return [out] + [None] * len(_sizes(self.cell))
        return out

    @property
    def states(self):
        """The carried states of a stateful layer."""
        return self._carried

    def reset_states(self, states=None) -> None:
        """Clears (or sets) the carried states of a stateful layer."""
        self._carried = None if states is None else nest.flatten(states)

    def build(self, input_shape) -> None:
        shape = TensorShape(input_shape)
        step = TensorShape([shape[1 if self.time_major else 0], shape[-1]])
        if not self.cell.built:
            with _scope(self.cell):
                self.cell.build(step)
            self.cell.built = True
        self.input_spec = InputSpec(ndim=3, axes={-1: shape[-1]})
        self.built = True

    def _initial(self, x, initial_state) -> list:
        if initial_state is not None:
            return nest.flatten(initial_state)
        if self._stateful and self._carried is not None:
            return list(self._carried)
        zero = ops.zeros_like(x[:, 0, :1])
        return [ops.tile(zero, [1, n]) for n in _sizes(self.cell)]

    def call(self, inputs, mask=None, training=None, initial_state=None):
        x = ops.transpose(inputs, [1, 0, 2]) if self.time_major else inputs
        steps = x.shape[1]
        if steps is None:
            raise ValueError(f"Layer '{self.name}' needs a known number of time steps; got "
                             f"input shape {inputs.shape}.")
        states = self._initial(x, initial_state)
        fast = hasattr(self.cell, "_step")
        xw = self.cell._project(x) if fast else x
        xw, states = self._dropout(x, xw, states, training, fast)
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        outputs = []
        for t in order:
            xt = xw[:, t]
            if fast:
                out, new = self.cell._step(xt, self._rec_drop(states))
            else:
                out, new = self.cell(xt, states, training=training) if _takes_training(
                    self.cell) else self.cell(xt, states)
                new = nest.flatten(new)
            if mask is not None:
                m = ops.cast(mask[:, t:t + 1], out.dtype)  # (batch, 1), no reshape needed
                prev = outputs[-1] if outputs else ops.zeros_like(out)
                out = out * m + prev * (1.0 - m)
                new = [n * m + s * (1.0 - m) for n, s in zip(new, states)]
            states = new
            outputs.append(out)
        if self._stateful:
            self._carried = [ops.stop_gradient(s) for s in states]
        result = ops.stack(outputs, axis=1) if self.return_sequences else outputs[-1]
        if self.return_sequences and self.time_major:
            result = ops.transpose(result, [1, 0, 2])
        return [result] + list(states) if self.return_state else result

    def _dropout(self, x, xw, states, training, fast):
        self._rmask = None
        cell = self.cell
        if not training or not fast:
            return xw, states
        if getattr(cell, "dropout", 0) > 0:
            keep = ops.dropout(ops.ones_like(x[:, 0, :]), cell.dropout)
            xw = cell._project(x * ops.expand_dims(keep, 1))
        if getattr(cell, "recurrent_dropout", 0) > 0:
            self._rmask = ops.dropout(ops.ones_like(states[0]), cell.recurrent_dropout)
        return xw, states

    def _rec_drop(self, states):
        if self._rmask is None:
            return states
        return [states[0] * self._rmask] + list(states[1:])

    def get_config(self) -> dict:
        config = {**super().get_config(), "return_sequences": self.return_sequences,
                  "return_state": self.return_state, "go_backwards": self.go_backwards,
                  "stateful": self._stateful, "unroll": self.unroll,
                  "time_major": self.time_major}
        if type(self) is RNN:
            from nanotf._src.keras.functional_config import serialize_layer

            config["cell"] = serialize_layer(self.cell, build=False)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        if cls is RNN:
            from nanotf._src.keras.functional_config import deserialize_layer

            config = dict(config)
            config["cell"] = deserialize_layer(config["cell"], custom_objects)
        return cls(**config)


def _takes_training(cell) -> bool:
    from nanotf._src.keras.layer_call import call_spec

    return call_spec(cell).training_index is not None


def _scope(cell):
    from nanotf._src.naming import name_scope

    return name_scope(cell.name)


class _Builtin(RNN):
    """A built-in recurrent layer: cell arguments are its own, the cell named `<kind>_cell`."""

    _cell_cls = SimpleRNNCell
    _cell_name = "simple_rnn_cell"

    def __init__(self, units, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, time_major=False, **kwargs):
        layer_keys = ("name", "trainable", "dtype", "input_shape", "batch_input_shape",
                      "input_dim", "batch_size", "weights", "activity_regularizer", "autocast")
        layer_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in layer_keys}
        cell = self._cell_cls(units, name=self._cell_name, dtype=layer_kwargs.get("dtype"),
                              **kwargs)
        super().__init__(cell, return_sequences, return_state, go_backwards, stateful, unroll,
                         time_major, **layer_kwargs)

    def __getattr__(self, name):
        if name.startswith("_") or name == "cell":
            raise AttributeError(name)
        return getattr(self.cell, name)

    def get_config(self) -> dict:
        config = RNN.get_config(self)
        cell = self.cell.get_config()
        cell["activity_regularizer"] = _ser(self.activity_regularizer, regularizers)
        config.update({k: cell[k] for k in _CONFIG_ORDER if k in cell})
        return config


_CONFIG_ORDER = ("units", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
                 "recurrent_initializer", "bias_initializer", "unit_forget_bias",
                 "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                 "activity_regularizer", "kernel_constraint", "recurrent_constraint",
                 "bias_constraint", "dropout", "recurrent_dropout", "implementation",
                 "reset_after")


class SimpleRNN(_Builtin):
    """Fully-connected RNN: `h_t = tanh(x_t @ W + h_{t-1} @ U + b)`.

    Example:
      >>> tf.keras.layers.SimpleRNN(4)(tf.ones([2, 5, 3])).shape
      TensorShape([2, 4])
    """


class LSTM(_Builtin):
    """Long short-term memory layer (Keras 2: sigmoid recurrent activation, unit forget bias).

    Example:
      >>> out, h, c = tf.keras.layers.LSTM(4, return_state=True)(tf.ones([2, 5, 3]))
    """

    _cell_cls = LSTMCell
    _cell_name = "lstm_cell"


class GRU(_Builtin):
    """Gated recurrent unit layer (Keras 2 default `reset_after=True`)."""

    _cell_cls = GRUCell
    _cell_name = "gru_cell"


__all__ = ["RNN", "SimpleRNN", "LSTM", "GRU", "SimpleRNNCell", "LSTMCell", "GRUCell"]
