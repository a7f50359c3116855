"""Sequential, functional and subclassed models: building, calling, `summary()`, configs.

Expected summaries were printed by tf_keras (TF 2.21, TF_USE_LEGACY_KERAS=1) for the same code.
"""

from __future__ import annotations

import io
import os
import warnings
from contextlib import redirect_stdout

import numpy as np
import pytest

import nanotf as tf

K = tf.keras
L = K.layers


@pytest.fixture(autouse=True)
def _fresh_session():
    K.backend.clear_session()
    yield
    K.backend.clear_session()


def summary_of(model, **kwargs) -> str:
    buf = io.StringIO()
    with redirect_stdout(buf):
        model.summary(**kwargs)
    return buf.getvalue()


def seed004_model():
    return K.models.Sequential([L.Flatten(input_shape=(28, 28)), L.Dense(128, activation="relu"),
                                L.Dropout(0.2), L.Dense(10)])


DATA = os.path.join(os.path.dirname(__file__), "data")


def snapshot(name: str) -> str:
    """A summary printed by tf_keras for the same model (data/summary_<name>.txt)."""
    with open(os.path.join(DATA, f"summary_{name}.txt"), encoding="utf-8") as f:
        return f.read()


# --- summaries ------------------------------------------------------------------------------------
def test_sequential_summary_matches_tf_keras():
    assert summary_of(seed004_model()) == snapshot("sequential")


def test_functional_summary_matches_tf_keras():
    inp, inp2 = K.Input((8,), name="a"), K.Input((4,))
    z = L.Concatenate()([L.Dense(16)(inp), L.Dense(16)(inp2)])
    z = tf.reshape(z * 2.0, [-1, 32])
    model = K.Model([inp, inp2], [L.Dense(1, name="out1")(z), L.Dense(3)(z)])
    assert type(model).__name__ == "Functional" and model.name == "model"
    assert summary_of(model) == snapshot("functional")
    out = model([np.ones((2, 8)), np.ones((2, 4))])
    assert [tuple(t.shape) for t in out] == [(2, 1), (2, 3)]
    assert model.output_names == ["out1", "dense_2"] and model.input_names == ["a", "input_1"]


def test_shared_layer_summary_with_trainable_column():
    inp = K.Input((4,))
    d = L.Dense(4)
    model = K.Model(inp, L.BatchNormalization()(d(d(inp))))
    model.layers[1].trainable = False
    assert summary_of(model, show_trainable=True) == snapshot("shared")


def test_subclassed_summary_and_unbuilt_error():
    class M(K.Model):
        def __init__(self):
            super().__init__()
            self.d = L.Dense(3)
            self.e = L.Dense(2)

        def call(self, x):
            return self.e(self.d(x))

    m = M()
    with pytest.raises(ValueError, match="This model has not yet been built. Build the model "
                                         "first by calling `build\\(\\)` or by calling the "
                                         "model on a batch of data."):
        m.summary()
    m(np.zeros((1, 5)))
    assert summary_of(m) == snapshot("subclassed")
    assert [w.name for w in m.weights] == ["m/dense/kernel:0", "m/dense/bias:0",
                                           "m/dense_1/kernel:0", "m/dense_1/bias:0"]


def test_nested_functional_expand_nested():
    inp = K.Input((8,))
    inner = K.Model(inp, L.Dense(4)(inp))
    i2 = K.Input((8,))
    outer = K.Model(i2, L.Dense(2)(inner(i2)), name="outer")
    assert summary_of(outer, expand_nested=True) == snapshot("nested")
    assert inner.output_shape == (None, 4)


def test_cnn_rnn_and_deferred_summaries():
    cnn = K.Sequential([L.Conv2D(32, 3, activation="relu", input_shape=(28, 28, 1)),
                        L.MaxPooling2D(), L.Conv2D(64, 3, activation="relu"), L.MaxPooling2D(),
                        L.Flatten(), L.Dropout(0.5), L.Dense(10, activation="softmax")])
    assert summary_of(cnn) == snapshot("cnn")
    K.backend.clear_session()
    rnn = K.Sequential([L.Embedding(1000, 16, input_length=20),
                        L.Bidirectional(L.LSTM(8, return_sequences=True)), L.GRU(4), L.Dense(1)])
    assert summary_of(rnn) == snapshot("rnn")
    K.backend.clear_session()
    deferred = K.Sequential([L.Dense(4), L.BatchNormalization()])
    deferred(tf.zeros((2, 3)))
    assert summary_of(deferred) == snapshot("deferred")


def test_print_fn_and_line_length():
    lines = []
    seed004_model().summary(print_fn=lines.append, line_length=80)
    assert lines[0] == 'Model: "sequential"' and len(lines[1]) == 80


# --- Sequential -----------------------------------------------------------------------------------
def test_sequential_input_shape_and_errors():
    model = seed004_model()
    assert model.output_shape == (None, 10) and len(model.layers) == 4
    assert model.inputs[0].shape == (None, 28, 28)
    with pytest.raises(ValueError) as e:
        model(np.zeros((32, 784)))
    assert str(e.value) == ('Input 0 of layer "sequential" is incompatible with the layer: '
                            'expected shape=(None, 28, 28), found shape=(32, 784)')
    y = model(np.zeros((2, 28, 28)))  # float64 NumPy input: cast to float32
    assert y.dtype == tf.float32 and y.shape == (2, 10)
    with pytest.raises(TypeError, match="The added layer must be an instance of class Layer"):
        model.add(3)
    with pytest.raises(ValueError, match='Name "dense" is already the name of a layer'):
        model.add(L.Dense(3, name="dense"))


def test_sequential_deferred_build_and_relaxation():
    model = K.Sequential([L.Dense(4), L.BatchNormalization()])
    assert not model.built
    with pytest.raises(ValueError, match="not yet been built"):
        model.summary()
    model(tf.zeros((2, 3)))
    assert model.layers[0].output_shape == (2, 4)  # Keras 2 keeps the first batch size
    assert [w.name for w in model.weights][:2] == ["dense/kernel:0", "dense/bias:0"]
    model(tf.zeros((5, 3)))
    assert model.layers[0].output_shape == (None, 4)
    assert len(model.layers[0]._inbound_nodes) == 1


def test_sequential_add_pop_build_and_nesting():
    model = K.Sequential()
    model.add(K.Input(shape=(16,)))
    model.add(L.Dense(8))
    model.add(L.Dense(4))
    assert model.output_shape == (None, 4)
    model.pop()
    assert len(model.layers) == 1 and model.output_shape == (None, 8)
    with pytest.raises(TypeError, match="There are no layers in the model."):
        K.Sequential().pop()
    built = K.Sequential([L.Dense(3)])
    built.build((None, 5))
    assert built.built and built.count_params() == 18
    outer = K.Sequential([seed004_model(), L.Softmax()])
    assert outer.output_shape == (None, 10) and outer.built
    probs = outer(np.random.rand(3, 28, 28)).numpy()
    np.testing.assert_allclose(probs.sum(1), 1.0, rtol=1e-5)


def test_sequential_with_layers_that_cannot_run_symbolically():
    class Python(L.Layer):
        def call(self, x):
            return x * float(np.asarray(x.numpy()).mean() * 0 + 1)  # needs concrete values

    model = K.Sequential([L.Dense(2), Python()])
    assert model(np.ones((3, 4))).shape == (3, 2)


# --- functional -----------------------------------------------------------------------------------
def test_functional_ops_multi_io_and_dict_inputs():
    a, b = K.Input((3,), name="a"), K.Input((3,), name="b")
    s = tf.nn.relu(a - b) + tf.reduce_sum(b, axis=1, keepdims=True)
    y = L.Dense(2, name="head")(s)
    model = K.Model({"a": a, "b": b}, {"y": y, "s": s})
    out = model({"a": np.ones((2, 3)), "b": np.zeros((2, 3))})
    assert sorted(out) == ["s", "y"] and out["y"].shape == (2, 2)
    np.testing.assert_allclose(out["s"].numpy(), np.ones((2, 3)))
    with pytest.raises(ValueError, match="Graph disconnected"):
        K.Model(a, L.Add()([a, b]))


def test_functional_input_dtype_and_training_flags():
    inp = K.Input((5,), dtype="int32")
    x = L.Embedding(10, 4)(inp)
    x = L.Dropout(0.9)(x)
    model = K.Model(inp, L.GlobalAveragePooling1D()(x))
    a = model(np.arange(10).reshape(2, 5)).numpy()
    np.testing.assert_allclose(model(np.arange(10).reshape(2, 5)).numpy(), a)
    assert not np.allclose(model(np.arange(10).reshape(2, 5), training=True).numpy(), a)


def test_functional_symbolic_add_loss_and_layer_reuse():
    inp = K.Input((3,))
    h = L.Dense(3)(inp)
    model = K.Model(inp, h)
    model.add_loss(tf.reduce_mean(tf.square(h)))
    y = model(np.ones((2, 3)))
    np.testing.assert_allclose(model.losses[0].numpy(), np.mean(np.square(y.numpy())), rtol=1e-6)
    x2 = K.Input((3,))
    twice = K.Model(x2, model(model(x2)))
    assert twice(np.ones((1, 3))).shape == (1, 3) and len(twice.weights) == 2


def test_configs_round_trip_and_clone():
    model = seed004_model()
    config = model.get_config()
    assert [c["class_name"] for c in config["layers"]] == ["InputLayer", "Flatten", "Dense",
                                                           "Dropout", "Dense"]
    clone = K.Sequential.from_config(config)
    assert summary_of(clone) == snapshot("sequential")  # the config keeps the name
    assert [la.get_config() for la in clone.layers] == [la.get_config() for la in model.layers]
    inp = K.Input((4,))
    out = L.Dense(2)(tf.reshape(inp * 2.0, [-1, 4]))
    fn = K.Model(inp, out)
    rebuilt = K.Model.from_config(fn.get_config())
    rebuilt.set_weights(fn.get_weights())
    x = np.random.rand(3, 4)
    np.testing.assert_allclose(rebuilt(x).numpy(), fn(x).numpy(), rtol=1e-6)
    again = K.models.model_from_json(fn.to_json())
    again.set_weights(fn.get_weights())
    np.testing.assert_allclose(again(x).numpy(), fn(x).numpy(), rtol=1e-6)
    twin = K.models.clone_model(fn)
    assert twin.count_params() == fn.count_params() and twin.layers[-1] is not fn.layers[-1]


def test_weight_order_matches_tf_keras():
    seq = K.Sequential([L.Dense(3, input_shape=(2,)), L.BatchNormalization(), L.Dense(1)])
    # a model lists each layer's weights in turn (tf_keras), not all trainable ones first
    assert [w.name for w in seq.weights] == [
        "dense/kernel:0", "dense/bias:0", "batch_normalization/gamma:0",
        "batch_normalization/beta:0", "batch_normalization/moving_mean:0",
        "batch_normalization/moving_variance:0", "dense_1/kernel:0", "dense_1/bias:0"]

    class S(K.Model):
        def __init__(self):
            super().__init__()
            self.v = tf.Variable(1.0, name="raw")
            self.bn = L.BatchNormalization()
            self.d = L.Dense(2)
            self.extra = self.add_weight("own", (1,), trainable=False)

        def call(self, x):
            return self.d(self.bn(x)) * self.v

    s = S()
    s(np.ones((1, 3)))
    assert [w.name for w in s.weights] == [
        "s/batch_normalization_1/gamma:0", "s/batch_normalization_1/beta:0",
        "s/batch_normalization_1/moving_mean:0", "s/batch_normalization_1/moving_variance:0",
        "s/dense_2/kernel:0", "s/dense_2/bias:0", "raw:0", "own:0"]
    assert [w.name for w in s.trainable_variables] == [
        "s/batch_normalization_1/gamma:0", "s/batch_normalization_1/beta:0",
        "s/dense_2/kernel:0", "s/dense_2/bias:0", "raw:0"]
    assert [la.name for la in s.layers] == ["batch_normalization_1", "dense_2"]


def test_get_layer():
    model = seed004_model()
    assert model.get_layer("dense_1") is model.layers[3]
    assert model.get_layer(index=0).name == "flatten"
    with pytest.raises(ValueError, match=r"No such layer: zz. Existing layers are: \['flatten', "):
        model.get_layer("zz")
    with pytest.raises(ValueError, match="Was asked to retrieve layer at index 10 but model only "
                                         "has 4 layers."):
        model.get_layer(index=10)
    with pytest.raises(ValueError, match="Provide either a layer name or layer index"):
        model.get_layer()


# --- subclassed (seed 003) ------------------------------------------------------------------------
class MyDense(L.Layer):
    def __init__(self, in_dim, out_dim):
        super().__init__()
        self.kernel = self.add_variable("w", [in_dim, out_dim])
        self.bias = self.add_variable("b", [out_dim])

    def call(self, inputs, training=None):
        return inputs @ self.kernel + self.bias


class SeedModel(K.Model):
    def __init__(self):
        super().__init__()
        self.fc1 = MyDense(32 * 32 * 3, 16)
        self.fc2 = MyDense(16, 10)

    def call(self, inputs, training=None):
        inputs = tf.reshape(inputs, [-1, 32 * 32 * 3])
        return self.fc2(tf.nn.relu(self.fc1(inputs)))


def test_seed003_subclassed_model_trains():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = SeedModel()
    assert model.name == "seed_model" and len(model.trainable_variables) == 4
    x = np.random.RandomState(0).rand(8, 32, 32, 3).astype("float32")
    y = np.arange(8) % 10
    loss_fn = K.losses.SparseCategoricalCrossentropy(from_logits=True)
    opt = K.optimizers.SGD(0.01)
    losses = []
    for _ in range(5):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        losses.append(float(loss))
    assert losses[-1] < losses[0]
    assert model.layers == [model.fc1, model.fc2]


def test_subclassed_build_and_errors():
    class Net(K.Model):
        def __init__(self):
            super().__init__()
            self.d = L.Dense(2)

        def call(self, x):
            return self.d(x)

    net = Net()
    net.build((None, 3))
    assert net.built and net.count_params() == 8
    with pytest.raises(ValueError, match="Input shape must be defined"):
        Net().build(None)
    with pytest.raises(NotImplementedError, match="Unimplemented `tf.keras.Model.call\\(\\)`"):
        K.Model()(np.ones((1, 2)))
