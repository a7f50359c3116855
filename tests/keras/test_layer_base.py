"""The Layer base class, tf.Module, keras.backend, initializers, regularizers and constraints.

Numbers and messages marked "tf_keras" were produced by TF 2.21 with TF_USE_LEGACY_KERAS=1.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nanotf as tf
from nanotf._src.module import Module

K = tf.keras
L = K.layers


@pytest.fixture(autouse=True)
def _fresh_session():
    from nanotf._src.keras import backend

    K.backend.clear_session()
    yield
    K.backend.clear_session()
    backend._SEED_GENERATOR.generator = None  # undo tf.keras.utils.set_random_seed


# --- tf.Module ------------------------------------------------------------------------------------
class Lin(Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.w = tf.Variable(1.0, name="w")
        self.b = tf.Variable(2.0, name="b", trainable=False)


class MLP(Module):
    def __init__(self):
        super().__init__()
        self.z = [Lin(), Lin()]
        self.a = {"y": tf.Variable(3.0, name="y"), "x": Lin(name="lx")}


def test_module_walk_matches_tf():
    m = MLP()
    # tf.Module: sorted attributes, own leaves first, then submodules (tf 2.21)
    assert [v.name for v in m.variables] == ["y:0", "b:0", "w:0", "b:0", "w:0", "b:0", "w:0"]
    assert [s.name for s in m.submodules] == ["lx", "lin", "lin"]
    assert len(m.trainable_variables) == 4 and len(m.non_trainable_variables) == 3
    assert m.name == "mlp" and m.name_scope.name == "mlp/"


def test_module_name_scope():
    with tf.name_scope("outer"):
        lin = Lin()
    assert lin.name_scope.name == "outer/lin/"
    with lin.name_scope:
        assert tf.Variable(1.0, name="q").name == "outer/lin/q:0"

    class Scaled(Module):
        @Module.with_name_scope
        def __call__(self):
            return tf.Variable(0.0, name="v")

    assert Scaled()().name == "scaled/v:0"
    with pytest.raises(ValueError, match="'a b' is not a valid module name"):
        Module(name="a b")


# --- weights --------------------------------------------------------------------------------------
class MyDense(L.Layer):
    """The seed-003 layer: Keras 2 positional `add_variable('w', shape)` in `__init__`."""

    def __init__(self, in_dim, out_dim):
        super().__init__()
        self.kernel = self.add_variable("w", [in_dim, out_dim])
        self.bias = self.add_variable("b", [out_dim])

    def call(self, inputs, training=None):
        return inputs @ self.kernel + self.bias


def test_add_variable_positional_name():
    with pytest.warns(UserWarning, match="add_variable` is deprecated"):
        layer = MyDense(3, 4)
    assert layer.name == "my_dense"
    assert [w.name for w in layer.weights] == ["w:0", "b:0"]
    assert layer(np.ones((2, 3))).shape == (2, 4)
    assert layer.count_params() == 16


def test_add_weight_forms_and_defaults():
    layer = L.Layer()
    a = layer.add_weight("a", (2,))
    b = layer.add_weight(name="b", shape=(2,), initializer="ones", trainable=False)
    c = layer.add_weight((3,), "zeros", name="c")  # Keras 3 order: shape, initializer
    i = layer.add_weight("i", (2,), dtype="int32")
    assert [w.name for w in layer.weights] == ["a:0", "c:0", "i:0", "b:0"]
    assert np.all(np.abs(a.numpy()) <= np.sqrt(6 / 4)) and c.numpy().tolist() == [0, 0, 0]
    assert i.dtype == tf.int32 and i.numpy().tolist() == [0, 0]
    assert b.numpy().tolist() == [1.0, 1.0]
    assert layer.add_weight(shape=(1,)).name == "Variable:0"
    with pytest.raises(ValueError, match="An initializer for variable s of type "
                                         "<dtype: 'string'> is required for layer layer"):
        layer.add_weight("s", (2,), dtype=tf.string)
    with pytest.raises(TypeError, match="Unknown keyword argument"):
        layer.add_weight("s", (2,), foo=2)


def test_tracking_raw_variables_sublayers_and_containers():
    class Block(L.Layer):
        def __init__(self):
            super().__init__()
            self.scale = tf.Variable(2.0, name="scale")
            self.dense = [L.Dense(3), L.Dense(2)]
            self.by_name = {"head": L.Dense(1)}
            self.frozen = tf.Variable(0.0, trainable=False, name="frozen")

        def call(self, x):
            for d in self.dense:
                x = d(x)
            return self.by_name["head"](x) * self.scale

    block = Block()
    block(np.ones((2, 4)))
    assert [w.name for w in block.trainable_weights] == [
        "scale:0", "block/dense/kernel:0", "block/dense/bias:0", "block/dense_1/kernel:0",
        "block/dense_1/bias:0", "block/dense_2/kernel:0", "block/dense_2/bias:0"]
    assert [w.name for w in block.non_trainable_weights] == ["frozen:0"]
    assert block.weights == block.trainable_weights + block.non_trainable_weights
    assert len(block.submodules) == 3
    block.dense[0].trainable = False
    assert len(block.trainable_weights) == 5
    block.trainable = False  # freezing a layer freezes its sublayers
    assert block.trainable_weights == [] and len(block.non_trainable_weights) == 8
    assert not block.dense[1].trainable


def test_get_set_weights_and_errors():
    d = L.Dense(3)
    with pytest.raises(ValueError, match="You tried to call `count_params` on layer dense, but "
                                         "the layer isn't built"):
        d.count_params()
    d.build((None, 2))
    d.set_weights([np.ones((2, 3)), np.arange(3)])
    assert d.get_weights()[1].tolist() == [0.0, 1.0, 2.0]
    assert d.get_weights()[0].dtype == np.float32
    with pytest.raises(ValueError, match='You called `set_weights\\(weights\\)` on layer "dense" '
                                         "with a weight list of length 1, but the layer was "
                                         "expecting 2 weights"):
        d.set_weights([np.zeros((2, 3))])
    with pytest.raises(ValueError, match=r"Layer dense weight shape \(2, 3\) is not compatible "
                                         r"with provided weight shape \(2, 4\)\."):
        d.set_weights([np.zeros((2, 4)), np.zeros(3)])


# --- calling --------------------------------------------------------------------------------------
def test_training_resolution():
    seen = []

    class Probe(L.Layer):
        def call(self, x, training=None):
            seen.append(training)
            return x

    class Outer(K.Model):
        def __init__(self):
            super().__init__()
            self.probe = Probe()

        def call(self, x, training=False):
            return self.probe(x)

    probe, outer = Probe(), Outer()
    x = np.ones((1, 2))
    probe(x)
    probe(x, True)  # positional
    outer(x)  # the outer call's default (False) propagates
    outer(x, training=True)
    probe(x, training=None)
    K.backend.set_learning_phase(1)
    probe(x)
    assert seen == [None, True, False, True, None, True]


def test_autocast_and_conversion():
    d = L.Dense(2)
    assert d(np.zeros((1, 3))).dtype == tf.float32  # numpy float64 is cast to float32
    assert d(np.zeros((1, 3), np.int32)).dtype == tf.float32  # Dense casts its own inputs
    seen = []

    class Keep(L.Layer):
        def call(self, x):
            seen.append(x.dtype)
            return x

    Keep()(np.zeros(2, np.int64))
    Keep()(np.zeros(2))
    assert seen == [tf.int64, tf.float32]


def test_input_spec_errors_match_tf_keras():
    d = L.Dense(3)
    d(np.zeros((2, 4)))
    with pytest.raises(ValueError) as e:
        d(np.zeros((2, 5)))
    assert str(e.value) == ('Input 0 of layer "dense" is incompatible with the layer: expected '
                            'axis -1 of input shape to have value 4, but received input with '
                            'shape (2, 5)')
    with pytest.raises(ValueError) as e:
        L.Conv2D(4, 3)(np.zeros((2, 5, 5)))
    assert str(e.value) == ('Input 0 of layer "conv2d" is incompatible with the layer: expected '
                            'min_ndim=4, found ndim=3. Full shape received: (2, 5, 5)')
    with pytest.raises(ValueError, match='Input 0 of layer "lstm" is incompatible with the layer: '
                                         'expected ndim=3, found ndim=2'):
        L.LSTM(3)(np.zeros((2, 5)))
    spec = L.InputSpec(ndim=2, axes={-1: 3})
    assert repr(spec) == "InputSpec(ndim=2, axes={-1: 3})"
    assert repr(L.InputSpec(shape=(None, 3))) == "InputSpec(shape=(None, 3), ndim=2)"


def test_unknown_keyword_argument():
    with pytest.raises(TypeError) as e:
        L.Dense(3, foo=1)
    assert e.value.args == ("Keyword argument not understood:", "foo")


# --- losses ---------------------------------------------------------------------------------------
def test_losses_regularizers_and_add_loss():
    d = L.Dense(3, kernel_regularizer="l2", activity_regularizer=K.regularizers.L1(0.01),
                kernel_initializer="ones")
    out = d(np.ones((2, 4)))
    losses = d.losses
    assert len(losses) == 2
    np.testing.assert_allclose(losses[0].numpy(), 0.01 * np.abs(out.numpy()).sum() / 2, rtol=1e-6)
    np.testing.assert_allclose(losses[1].numpy(), 0.01 * 12, rtol=1e-6)
    d.add_loss(lambda: tf.constant(5.0))
    assert len(d.losses) == 3
    d(np.ones((2, 4)))
    assert len(d.losses) == 3  # call-time losses are replaced on each outer call
    with pytest.raises(ValueError, match="Expected a symbolic Tensors or a callable"):
        d.add_loss(tf.constant(2.0))

    class Penalized(L.Layer):
        def call(self, x):
            self.add_loss(tf.reduce_sum(x))
            return x

    class Wrapper(K.Model):
        def __init__(self):
            super().__init__()
            self.inner = Penalized()

        def call(self, x):
            return self.inner(x)

    w = Wrapper()
    w(np.ones((2, 2)))
    w(np.ones((2, 2)))
    assert [float(v) for v in w.losses] == [4.0]


# --- config ---------------------------------------------------------------------------------------
def test_get_config_and_auto_config():
    assert L.Flatten(input_shape=(28, 28)).get_config() == {
        "name": "flatten", "trainable": True, "dtype": "float32",
        "batch_input_shape": (None, 28, 28), "data_format": "channels_last"}
    assert L.Layer().get_config() == {"name": "layer", "trainable": True, "dtype": "float32"}

    class WithArgs(L.Layer):
        def __init__(self, a, **kwargs):
            super().__init__(**kwargs)
            self.a = a

    assert WithArgs(1).get_config() == {"a": 1}  # tf_keras records simple constructor args
    with pytest.raises(NotImplementedError, match="must override `get_config"):
        WithArgs(object()).get_config()
    cfg = L.Dense(3, activation="relu", kernel_regularizer="l2").get_config()
    assert cfg["kernel_regularizer"] == {"module": "keras.regularizers", "class_name": "L2",
                                         "config": {"l2": 0.009999999776482582},
                                         "registered_name": None}
    assert L.Dense.from_config(cfg).get_config() == cfg


def test_unique_names_and_clear_session():
    names = [L.Dense(1).name for _ in range(3)] + [L.MaxPooling2D().name, L.LSTM(1).name]
    assert names == ["dense", "dense_1", "dense_2", "max_pooling2d", "lstm"]
    K.backend.clear_session()
    assert L.Dense(1).name == "dense"
    assert K.backend.get_uid("x") == 1 and K.backend.get_uid("x") == 2
    with tf.name_scope("outer"):
        d = L.Dense(3)
        d(np.ones((1, 2)))
    assert d.kernel.name == "outer/dense_1/kernel:0"
    assert repr(d.kernel).startswith("<tf.Variable 'outer/dense_1/kernel:0' shape=(2, 3) "
                                     "dtype=float32, numpy=")


# --- keras.backend, initializers, regularizers, constraints ---------------------------------------
def test_backend_settings():
    assert K.backend.floatx() == "float32" and K.backend.epsilon() == 1e-7
    assert K.backend.image_data_format() == "channels_last"
    assert K.backend.int_shape(tf.zeros([2, 3])) == (2, 3)
    assert K.backend.int_shape(K.Input((3,))) == (None, 3)
    assert K.backend.is_keras_tensor(K.Input((3,))) and not K.backend.is_keras_tensor(tf.ones(1))
    with pytest.raises(ValueError, match="Unknown `floatx` value"):
        K.backend.set_floatx("float8")


def test_seeded_initializers_match_tf_keras():
    f = np.float32
    np.testing.assert_allclose(K.initializers.GlorotUniform(seed=1)((2, 3)).numpy(), f(
        [[0.8292261362075806, -0.08767890930175781, 0.21972715854644775],
         [-0.2353067398071289, -0.5407264828681946, -0.12203431129455566]]), rtol=1e-6)
    np.testing.assert_allclose(K.initializers.HeNormal(seed=3)((3, 2)).numpy(), f(
        [[-0.6233864426612854, 1.5557634830474854], [-0.8764787316322327, 0.5643083453178406],
         [-0.3889971375465393, -0.46019354462623596]]), rtol=1e-6)
    np.testing.assert_allclose(K.initializers.Orthogonal(seed=5)((3, 3)).numpy(), f(
        [[-0.9088208675384521, 0.3082102835178375, 0.28116023540496826],
         [-0.05738396942615509, 0.5751835703849792, -0.8160090446472168],
         [-0.41322118043899536, -0.7577400803565979, -0.5050526261329651]]), atol=3e-7)
    np.testing.assert_allclose(K.initializers.TruncatedNormal(seed=2)((4,)).numpy(), f(
        [-0.03197146952152252, -0.009350286796689034, -0.0414227657020092,
         -0.009366179816424847]), rtol=1e-6)
    # unseeded layers after tf.keras.utils.set_random_seed draw exactly TF's weights
    K.utils.set_random_seed(7)
    d = L.Dense(3)
    d.build((None, 2))
    np.testing.assert_allclose(d.kernel.numpy(), f(
        [[-0.40001481771469116, 0.5036206245422363, 0.9944791793823242],
         [-0.3734724521636963, -0.24597936868667603, 0.036820173263549805]]), rtol=1e-6)
    e = L.Embedding(4, 2)
    e.build((None,))
    np.testing.assert_allclose(e.embeddings.numpy()[0], f([0.04284766688942909,
                                                          0.03792107477784157]), rtol=1e-6)


def test_global_seed_makes_unseeded_layers_reproducible():
    tf.random.set_seed(3)
    a = L.Dense(4)
    a.build((None, 3))
    tf.random.set_seed(3)
    b = L.Dense(4)
    b.build((None, 3))
    np.testing.assert_array_equal(a.kernel.numpy(), b.kernel.numpy())


def test_identifiers():
    assert isinstance(K.initializers.get("he_normal"), K.initializers.HeNormal)
    assert K.activations.get("relu") is K.activations.relu
    assert K.activations.get(None) is K.activations.linear
    assert K.activations.serialize(tf.nn.softmax) == "softmax"
    with pytest.raises(ValueError, match="Unknown initializer: 'abcd'"):
        K.initializers.get("abcd")
    with pytest.raises(ValueError, match="Unknown activation function 'foo' cannot be "
                                         "deserialized."):
        L.Dense(3, activation="foo")
    with pytest.raises(ValueError, match="Could not interpret initializer identifier: 3"):
        K.initializers.get(3)
    with pytest.raises(ValueError, match="Unknown constraint: 'foo'"):
        K.constraints.get("foo")
    with pytest.raises(ValueError, match="Cannot apply softmax to a tensor that is 1D"):
        K.activations.softmax(tf.constant([1.0, 2.0]))


def test_regularizers_and_constraints_match_tf_keras():
    w = tf.constant([[1.0, -2.0], [3.0, 0.5]])
    np.testing.assert_allclose(K.regularizers.L1L2(l1=0.01, l2=0.02)(w).numpy(), 0.35, rtol=1e-6)
    w = tf.constant([[3.0, 0.1], [4.0, 0.2]])
    np.testing.assert_allclose(K.constraints.MaxNorm(1.0)(w).numpy(),
                               [[0.6, 0.09999995678663254], [0.8, 0.19999991357326508]],
                               rtol=1e-6)
    np.testing.assert_allclose(K.constraints.UnitNorm()(w).numpy(),
                               [[0.6, 0.44721338152885437], [0.8, 0.8944267630577087]], rtol=1e-6)
    np.testing.assert_allclose(K.constraints.MinMaxNorm(0.5, 1.0, rate=0.5)(w).numpy(),
                               [[1.8, 0.16180332005023956], [2.4, 0.3236066401004791]], rtol=1e-6)


def test_activations_values():
    x = tf.constant([-3.0, -1.0, 0.0, 0.5, 2.0, 7.0])
    np.testing.assert_allclose(K.activations.relu(x, alpha=0.1, max_value=5.0,
                                                  threshold=1.0).numpy(),
                               [-0.4, -0.2, -0.1, -0.05, 2.0, 5.0], rtol=1e-6)
    np.testing.assert_allclose(K.activations.hard_sigmoid(x).numpy(),
                               [0.0, 0.3, 0.5, 0.6, 0.9, 1.0], rtol=1e-6)
    np.testing.assert_allclose(K.activations.selu(x).numpy()[:2],
                               [-1.6705687046051025, -1.1113307476043701], rtol=1e-6)
    np.testing.assert_allclose(L.LeakyReLU()(x).numpy()[0], -0.9, rtol=1e-6)  # Keras 2 alpha 0.3


def test_add_weight_inside_tf_function_is_created_eagerly():
    layer = L.Dense(2)

    @tf.function
    def f(x):
        return layer(x)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = f(tf.ones((3, 4)))
    assert out.shape == (3, 2) and layer.kernel.numpy().shape == (4, 2)
