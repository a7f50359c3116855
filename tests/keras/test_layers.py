"""Every Keras layer through one generic check (`run_layer_test`, Keras's layer-test helper):
output shape and dtype, weight counts, config round trip, a symbolic call, one training step.

`test_matches_tf` compares outputs with numbers written by tf_keras (TF 2.21,
TF_USE_LEGACY_KERAS=1) for the same deterministic weights (data/layers_tf_ref.json).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import numpy as np
import pytest

import nanotf as tf

K = tf.keras
L = K.layers


@dataclass
class LayerSpec:
    """One row of the table: how to build the layer, what to feed it, what must come out."""

    cls: type
    kwargs: dict = field(default_factory=dict)
    input_shape: tuple = (2, 3)
    output_shape: tuple = (2, 3)
    weights: int = 0
    trainable: int | None = None
    input_dtype: str = "float32"
    call_kwargs: dict = field(default_factory=dict)
    train: bool = True
    id: str = ""


SPECS = [
    LayerSpec(L.Dense, {"units": 4}, (2, 3), (2, 4), 2),
    LayerSpec(L.Dense, {"units": 4, "use_bias": False, "activation": "relu"}, (2, 5, 3), (2, 5, 4),
              1, id="dense3d"),
    LayerSpec(L.Activation, {"activation": "tanh"}),
    LayerSpec(L.Softmax, {}, (2, 5), (2, 5)),
    LayerSpec(L.ReLU, {"max_value": 6.0}),
    LayerSpec(L.LeakyReLU, {"alpha": 0.1}),
    LayerSpec(L.ELU, {}),
    LayerSpec(L.Identity, {}, train=False),
    LayerSpec(L.Lambda, {"function": lambda x: x * 2.0}),
    LayerSpec(L.Embedding, {"input_dim": 10, "output_dim": 4}, (2, 5), (2, 5, 4), 1,
              input_dtype="int32"),
    LayerSpec(L.Dropout, {"rate": 0.5}, call_kwargs={"training": True}),
    LayerSpec(L.SpatialDropout1D, {"rate": 0.5}, (2, 4, 3), (2, 4, 3),
              call_kwargs={"training": True}),
    LayerSpec(L.SpatialDropout2D, {"rate": 0.5}, (2, 4, 4, 3), (2, 4, 4, 3),
              call_kwargs={"training": True}),
    LayerSpec(L.GaussianNoise, {"stddev": 0.1}, call_kwargs={"training": True}),
    LayerSpec(L.GaussianDropout, {"rate": 0.3}, call_kwargs={"training": True}),
    LayerSpec(L.ActivityRegularization, {"l1": 0.01}),
    LayerSpec(L.Flatten, {}, (2, 3, 4), (2, 12)),
    LayerSpec(L.Reshape, {"target_shape": (4, -1)}, (2, 3, 4), (2, 4, 3)),
    LayerSpec(L.Permute, {"dims": (2, 1)}, (2, 3, 4), (2, 4, 3)),
    LayerSpec(L.RepeatVector, {"n": 3}, (2, 4), (2, 3, 4)),
    LayerSpec(L.ZeroPadding1D, {"padding": 2}, (2, 3, 4), (2, 7, 4)),
    LayerSpec(L.ZeroPadding2D, {"padding": (1, 2)}, (2, 3, 3, 1), (2, 5, 7, 1)),
    LayerSpec(L.UpSampling1D, {"size": 2}, (2, 3, 4), (2, 6, 4)),
    LayerSpec(L.UpSampling2D, {"size": (2, 3)}, (2, 3, 3, 1), (2, 6, 9, 1)),
    LayerSpec(L.Cropping1D, {"cropping": (1, 1)}, (2, 5, 4), (2, 3, 4)),
    LayerSpec(L.Cropping2D, {"cropping": ((1, 0), (0, 2))}, (2, 4, 5, 1), (2, 3, 3, 1)),
    LayerSpec(L.LayerNormalization, {}, (2, 5), (2, 5), 2),
    LayerSpec(L.BatchNormalization, {}, (4, 3), (4, 3), 4, 2, call_kwargs={"training": True}),
    LayerSpec(L.BatchNormalization, {"axis": 1}, (4, 2, 3, 3), (4, 2, 3, 3), 4, 2,
              id="bn_axis1"),
    LayerSpec(L.Conv1D, {"filters": 2, "kernel_size": 3}, (2, 6, 3), (2, 4, 2), 2),
    LayerSpec(L.Conv1D, {"filters": 2, "kernel_size": 3, "padding": "causal",
                         "dilation_rate": 2}, (2, 6, 3), (2, 6, 2), 2, id="conv1d_causal"),
    LayerSpec(L.Conv2D, {"filters": 4, "kernel_size": 3}, (2, 6, 6, 2), (2, 4, 4, 4), 2),
    LayerSpec(L.Conv2D, {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same",
                         "groups": 2}, (2, 6, 6, 2), (2, 3, 3, 4), 2, id="conv2d_groups"),
    LayerSpec(L.Conv2DTranspose, {"filters": 3, "kernel_size": 3, "strides": 2},
              (2, 4, 4, 2), (2, 9, 9, 3), 2),
    LayerSpec(L.MaxPooling1D, {}, (2, 6, 3), (2, 3, 3)),
    LayerSpec(L.AveragePooling1D, {"pool_size": 3, "padding": "same"}, (2, 6, 3), (2, 2, 3)),
    LayerSpec(L.MaxPooling2D, {}, (2, 6, 6, 3), (2, 3, 3, 3)),
    LayerSpec(L.AveragePooling2D, {"pool_size": 3, "strides": 1}, (2, 6, 6, 3), (2, 4, 4, 3)),
    LayerSpec(L.GlobalAveragePooling1D, {}, (2, 6, 3), (2, 3)),
    LayerSpec(L.GlobalMaxPooling1D, {}, (2, 6, 3), (2, 3)),
    LayerSpec(L.GlobalAveragePooling2D, {}, (2, 4, 4, 3), (2, 3)),
    LayerSpec(L.GlobalMaxPooling2D, {"keepdims": True}, (2, 4, 4, 3), (2, 1, 1, 3)),
    LayerSpec(L.SimpleRNN, {"units": 3}, (2, 5, 4), (2, 3), 3),
    LayerSpec(L.LSTM, {"units": 3, "return_sequences": True}, (2, 5, 4), (2, 5, 3), 3),
    LayerSpec(L.GRU, {"units": 3, "go_backwards": True}, (2, 5, 4), (2, 3), 3),
    LayerSpec(L.GRU, {"units": 3, "reset_after": False, "dropout": 0.2,
                      "recurrent_dropout": 0.2}, (2, 5, 4), (2, 3), 3, id="gru_v1_dropout",
              call_kwargs={"training": True}),
    LayerSpec(L.Bidirectional, {"layer": L.LSTM(2)}, (2, 5, 4), (2, 4), 6),
    LayerSpec(L.TimeDistributed, {"layer": L.Dense(2)}, (2, 5, 4), (2, 5, 2), 2),
]
MERGE_SPECS = [
    (L.Add, {}, [(2, 3), (2, 3)], (2, 3)),
    (L.Subtract, {}, [(2, 3), (2, 3)], (2, 3)),
    (L.Multiply, {}, [(2, 3), (2, 3), (2, 3)], (2, 3)),
    (L.Average, {}, [(2, 3), (2, 3)], (2, 3)),
    (L.Maximum, {}, [(2, 3), (2, 3)], (2, 3)),
    (L.Minimum, {}, [(2, 3), (2, 3)], (2, 3)),
    (L.Concatenate, {}, [(2, 3), (2, 4)], (2, 7)),
    (L.Concatenate, {"axis": 1}, [(2, 3, 4), (2, 1, 4)], (2, 4, 4)),
    (L.Dot, {"axes": 1}, [(2, 3), (2, 3)], (2, 1)),
]


def _input(shape, dtype="float32", seed=0):
    rng = np.random.RandomState(seed)
    if dtype.startswith("int"):
        return rng.randint(0, 5, shape).astype(dtype)
    return rng.randn(*shape).astype(dtype)


def _fresh(spec: LayerSpec):
    kwargs = dict(spec.kwargs)
    if "layer" in kwargs:  # wrappers need a new inner layer each time
        inner = kwargs["layer"]
        kwargs["layer"] = type(inner).from_config(inner.get_config())
    return spec.cls(**kwargs)


def run_layer_test(spec: LayerSpec) -> None:
    """Shapes, weights, config round trip, symbolic call and one gradient step of one layer."""
    layer = _fresh(spec)
    x = _input(spec.input_shape, spec.input_dtype)
    y = layer(x, **spec.call_kwargs)
    assert tuple(y.shape) == spec.output_shape
    assert y.dtype == tf.float32
    assert len(layer.weights) == spec.weights
    n_train = spec.weights if spec.trainable is None else spec.trainable
    assert len(layer.trainable_weights) == n_train
    assert len(layer.non_trainable_weights) == spec.weights - n_train
    assert layer.count_params() == sum(int(np.prod(w.shape)) for w in layer.weights)

    config = layer.get_config()
    clone = spec.cls.from_config(config)
    assert clone.get_config() == config
    y2 = clone(x)
    assert tuple(y2.shape) == spec.output_shape
    if spec.weights:
        clone.set_weights(layer.get_weights())
        np.testing.assert_allclose(clone(x).numpy(), layer(x).numpy(), rtol=1e-5, atol=1e-6)

    sym = _fresh(spec)
    inp = K.Input(spec.input_shape[1:], dtype=spec.input_dtype)
    out = sym(inp)
    assert tuple(out.shape) == (None,) + spec.output_shape[1:]
    model = K.Model(inp, out)
    assert tuple(model(x).shape) == spec.output_shape

    if spec.train and layer.trainable_weights:
        before = [w.numpy().copy() for w in layer.trainable_weights]
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.square(layer(x, **spec.call_kwargs)))
        grads = tape.gradient(loss, layer.trainable_weights)
        assert all(g is not None for g in grads)
        assert [tuple(g.shape) for g in grads] == [tuple(w.shape) for w in layer.trainable_weights]
        K.optimizers.SGD(0.1).apply_gradients(zip(grads, layer.trainable_weights))
        assert any(not np.allclose(b, w.numpy()) for b, w in zip(before, layer.trainable_weights))


@pytest.mark.parametrize("spec", SPECS, ids=[s.id or s.cls.__name__ for s in SPECS])
def test_layer(spec):
    run_layer_test(spec)


@pytest.mark.parametrize("cls,kwargs,shapes,out", MERGE_SPECS,
                         ids=[f"{c.__name__}{i}" for i, (c, *_) in enumerate(MERGE_SPECS)])
def test_merge_layer(cls, kwargs, shapes, out):
    xs = [_input(s, seed=i) for i, s in enumerate(shapes)]
    layer = cls(**kwargs)
    assert tuple(layer(xs).shape) == out
    assert cls.from_config(layer.get_config()).get_config() == layer.get_config()
    inputs = [K.Input(s[1:]) for s in shapes]
    model = K.Model(inputs, cls(**kwargs)(inputs))
    np.testing.assert_allclose(model(xs).numpy(), layer(xs).numpy(), rtol=1e-6)


def test_merge_errors():
    with pytest.raises(ValueError, match="should be called on a list of inputs"):
        L.Add()(np.ones((2, 3), "float32"))
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        L.Subtract()([np.ones((2, 3), "float32")] * 3)
    with pytest.raises(ValueError, match="matching shapes except for the concatenation axis"):
        L.Concatenate()([K.Input((3, 2)), K.Input((4, 2))])


# --- numbers from tf_keras ----------------------------------------------------------------------
def _pat(shape, k=1.0):
    n = int(np.prod(shape))
    return (np.sin(np.arange(n) * 0.37 + k) * 0.5).reshape(shape).astype(np.float32)


def _weighted(layer, shape, offset):
    layer.build(shape)
    layer.set_weights([_pat(w.shape, i + offset) for i, w in enumerate(layer.weights)])
    return layer


def _cases():
    x, xi, x1, xd = _pat((2, 4, 3), 2.0), _pat((1, 5, 5, 2), 1.0), _pat((1, 6, 2), 0.3), \
        _pat((3, 4), 0.1)
    rnn = {"simple_rnn": L.SimpleRNN(2, return_sequences=True),
           "lstm": L.LSTM(2, return_sequences=True), "gru": L.GRU(2, return_sequences=True),
           "gru_v1": L.GRU(2, return_sequences=True, reset_after=False),
           "lstm_back": L.LSTM(2, go_backwards=True),
           "bidir": L.Bidirectional(L.SimpleRNN(2, return_sequences=True))}
    for name, layer in rnn.items():
        yield name, lambda layer=layer: _weighted(layer, x.shape, 0.5)(x)
    conv = {"conv2d_same_s2": (L.Conv2D(3, 3, strides=2, padding="same"), xi),
            "conv2d_valid": (L.Conv2D(2, (2, 3), activation="relu"), xi),
            "conv2d_dil": (L.Conv2D(2, 2, dilation_rate=2), xi)}
    for name, (layer, inp) in conv.items():
        yield name, lambda layer=layer, inp=inp: _weighted(layer, inp.shape, 0.25)(inp)
    conv1 = {"conv1d_causal": L.Conv1D(2, 3, padding="causal"),
             "conv1d_s2": L.Conv1D(1, 2, strides=2, padding="same")}
    for name, layer in conv1.items():
        yield name, lambda layer=layer: _weighted(layer, x1.shape, 0.75)(x1)
    plain = {"maxpool2d": (L.MaxPooling2D(), xi),
             "avgpool2d_same": (L.AveragePooling2D(3, 2, padding="same"), xi),
             "maxpool1d": (L.MaxPooling1D(2), x1), "gap2d": (L.GlobalAveragePooling2D(), xi),
             "upsampling2d": (L.UpSampling2D(), xi),
             "zeropad2d": (L.ZeroPadding2D(((1, 0), (0, 2))), xi),
             "layernorm": (L.LayerNormalization(), xd),
             "dense_seeded": (L.Dense(2, activation="tanh",
                                      kernel_initializer=K.initializers.GlorotUniform(seed=3)),
                              xd),
             "embedding_seeded": (L.Embedding(
                 5, 2, embeddings_initializer=K.initializers.RandomUniform(seed=1)),
                 np.array([[0, 4], [2, 2]]))}
    for name, (layer, inp) in plain.items():
        yield name, lambda layer=layer, inp=inp: layer(inp)

    def bn_case():
        bn = L.BatchNormalization()
        out = bn(xd, training=True)
        return out, np.stack([bn.moving_mean.numpy(), bn.moving_variance.numpy()])
    yield "bn_train", lambda: bn_case()[0]
    yield "bn_moving", lambda: bn_case()[1]


REF_PATH = os.path.join(os.path.dirname(__file__), "data", "layers_tf_ref.json")
CASES = list(_cases())


@pytest.mark.parametrize("name,fn", CASES, ids=[c[0] for c in CASES])
def test_matches_tf(name, fn):
    with open(REF_PATH) as f:
        ref = json.load(f)[name]
    got = fn()
    got = got.numpy() if hasattr(got, "numpy") else got
    np.testing.assert_allclose(got, np.asarray(ref, np.float32), atol=2e-6)


def _masked(name, rnn):
    inp = K.Input((4,), dtype="int32")
    model = K.Model(inp, rnn(L.Embedding(5, 3, mask_zero=True)(inp)))
    model.set_weights([_pat(w.shape, i) for i, w in enumerate(model.weights)])
    out = model(np.array([[3, 1, 0, 0], [2, 0, 4, 0]]))
    return out[0] if isinstance(out, list) else out


@pytest.mark.parametrize("name,rnn", [
    ("lstm_seq", lambda: L.LSTM(2, return_sequences=True)), ("gru_last", lambda: L.GRU(2)),
    ("simple_seq_state", lambda: L.SimpleRNN(2, return_sequences=True, return_state=True))])
def test_masks_propagate_like_tf(name, rnn):
    with open(REF_PATH) as f:
        ref = np.asarray(json.load(f)["mask_" + name], np.float32)
    np.testing.assert_allclose(_masked(name, rnn()).numpy(), ref, atol=2e-6)
    seq = K.Sequential([L.Embedding(5, 3, mask_zero=True), rnn()])
    ids = np.array([[3, 1, 0, 0], [2, 0, 4, 0]])
    seq(ids)
    seq.set_weights([_pat(w.shape, i) for i, w in enumerate(seq.weights)])
    out = seq(ids)
    np.testing.assert_allclose((out[0] if isinstance(out, list) else out).numpy(), ref, atol=2e-6)


def test_masking_layer_and_masked_average():
    with open(REF_PATH) as f:
        ref = np.asarray(json.load(f)["mask_masking_gap"], np.float32)
    inp = K.Input((4, 2))
    x = L.GlobalAveragePooling1D()(L.LSTM(2, return_sequences=True)(L.Masking()(inp)))
    model = K.Model(inp, x)
    model.set_weights([_pat(w.shape, i) for i, w in enumerate(model.weights)])
    xin = _pat((2, 4, 2))
    xin[0, 2:] = 0
    xin[1, 1] = 0
    np.testing.assert_allclose(model(xin).numpy(), ref, atol=2e-6)


def test_batchnorm_modes_and_freezing():
    x = _pat((8, 3), 0.2) * 4 + 1
    bn = L.BatchNormalization(momentum=0.5)
    inference = bn(x).numpy()
    np.testing.assert_allclose(inference, x / np.sqrt(1 + 1e-3), rtol=1e-5)
    bn(x, training=True)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.5 * x.mean(0), rtol=1e-5)
    bn.trainable = False  # a frozen BatchNormalization runs in inference mode (TF 2)
    frozen = bn(x, training=True).numpy()
    mm, mv = bn.moving_mean.numpy(), bn.moving_variance.numpy()
    np.testing.assert_allclose(frozen, (x - mm) / np.sqrt(mv + 1e-3), rtol=1e-5, atol=1e-6)


def test_dropout_training_only():
    x = np.ones((100, 10), "float32")
    d = L.Dropout(0.5, seed=1)
    np.testing.assert_array_equal(d(x).numpy(), x)
    y = d(x, training=True).numpy()
    assert set(np.unique(y)) <= {0.0, 2.0} and 0.3 < (y == 0).mean() < 0.7


def test_rnn_states_and_initial_state():
    x = _pat((2, 4, 3))
    out, h, c = L.LSTM(2, return_state=True)(x)
    np.testing.assert_allclose(out.numpy(), h.numpy())
    assert c.shape == (2, 2)
    gru = L.GRU(2, return_sequences=True, return_state=True)
    seq, state = gru(x, initial_state=[tf.ones((2, 2))])
    assert seq.shape == (2, 4, 2) and state.shape == (2, 2)
    np.testing.assert_allclose(seq.numpy()[:, -1], state.numpy())


def test_stateful_rnn_carries_state():
    x = _pat((1, 3, 2))
    rnn = L.SimpleRNN(2, stateful=True)
    a = rnn(x).numpy()
    b = rnn(x).numpy()
    assert not np.allclose(a, b)
    rnn.reset_states()
    np.testing.assert_allclose(rnn(x).numpy(), a, rtol=1e-6)


def test_layer_names_and_variable_names():
    K.backend.clear_session()
    d1, d2 = L.Dense(2), L.Dense(2)
    assert (d1.name, d2.name) == ("dense", "dense_1")
    lstm = L.LSTM(2)
    lstm(np.zeros((1, 3, 4), "float32"))
    assert [w.name for w in lstm.weights] == ["lstm/lstm_cell/kernel:0",
                                              "lstm/lstm_cell/recurrent_kernel:0",
                                              "lstm/lstm_cell/bias:0"]
    conv = L.Conv2D(1, 1, name="c")
    conv(np.ones((1, 2, 2, 1), "float32"))
    assert [w.name for w in conv.weights] == ["c/kernel:0", "c/bias:0"]
