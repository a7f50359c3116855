"""TF1 graph mode (`tf.compat.v1`): placeholders, Session.run, variables, gradients, optimizers.

Expected printed forms, errors and optimizer trajectories are TensorFlow 2.21's for the same code
(`tf.compat.v1` with `disable_v2_behavior()`).
"""

from __future__ import annotations

import gzip
import os

import numpy as np
import pytest

import nanotf as tf
import nanotf.compat.v1 as tf1
from nanotf._src.graph import flags

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "datasets")


@pytest.fixture
def v1():
    """TF1 behaviour on a fresh default graph; the TF 2 defaults come back afterwards."""
    saved = (flags.eager, flags.v2_tensorshape, flags.v2_equality)
    tf1.reset_default_graph()
    tf1.disable_v2_behavior()
    yield tf1
    flags.eager, flags.v2_tensorshape, flags.v2_equality = saved
    tf1.reset_default_graph()


def test_top_level_has_no_session_or_placeholder():
    assert not hasattr(tf, "Session") and not hasattr(tf, "placeholder")
    assert tf.compat.v1.Session is tf1.Session


def test_placeholders_print_as_tf1(v1):
    x = v1.placeholder(v1.float32, [None, 784])
    w = v1.Variable(v1.zeros([784, 10]))
    y = v1.matmul(x, w) + 1.0
    assert str(x) == 'Tensor("Placeholder:0", shape=(?, 784), dtype=float32)'
    assert repr(w) == "<tf.Variable 'Variable:0' shape=(784, 10) dtype=float32_ref>"
    assert str(y) == 'Tensor("add:0", shape=(?, 10), dtype=float32)'
    assert repr(v1.reduce_mean(y)) == "<tf.Tensor 'Mean:0' shape=() dtype=float32>"
    assert v1.placeholder(v1.int32).name == "Placeholder_1:0"
    assert not v1.executing_eagerly()


def test_run_nested_fetches_and_feeds(v1):
    x = v1.placeholder(v1.float32, [None, 3])
    y = x * 2.0
    total = v1.reduce_sum(y)
    with v1.Session() as sess:
        out = sess.run({"y": y, "pair": (total, [y])}, feed_dict={x: [[1, 2, 3]]})
        np.testing.assert_array_equal(out["y"], [[2, 4, 6]])
        assert out["pair"][0] == 12.0 and isinstance(out["pair"][0], np.float32)
        assert isinstance(out["pair"][1], list)
        with pytest.raises(ValueError, match=r"Cannot feed value of shape \(2, 4\) for Tensor "
                                             r"Placeholder:0, which has shape \(\?, 3\)"):
            sess.run(y, {x: np.zeros((2, 4))})
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"You must feed a value for placeholder tensor 'Placeholder' "
                                 r"with dtype float and shape \[\?,3\]"):
            sess.run(y)
        assert y.eval({x: [[1, 1, 1]]}).tolist() == [[2, 2, 2]]
    with pytest.raises(RuntimeError, match="closed Session"):
        sess.run(y, {x: [[1, 2, 3]]})


def test_variables_assign_and_initializer(v1):
    state = v1.Variable(0)
    update = v1.assign(state, v1.add(state, 1))
    sess = v1.Session()
    sess.run(v1.global_variables_initializer())
    assert [int(sess.run(update)) for _ in range(3)] == [1, 2, 3]
    assert sess.run(state) == 3
    sess.run(v1.global_variables_initializer())
    assert sess.run(state) == 0
    assert v1.global_variables() == [state]


def test_get_variable_and_scopes(v1):
    with v1.variable_scope("foo"):
        a = v1.get_variable("w", [2, 3])
        with pytest.raises(ValueError, match="Variable foo/w already exists, disallowed"):
            v1.get_variable("w", [2, 3])
    assert a.name == "foo/w:0" and a.shape.as_list() == [2, 3]
    with v1.variable_scope("foo", reuse=True):
        assert v1.get_variable("w") is a
        with pytest.raises(ValueError, match="Variable foo/q does not exist"):
            v1.get_variable("q", [1])
    with v1.variable_scope("bar", reuse=v1.AUTO_REUSE):
        b = v1.get_variable("z", [1], initializer=v1.constant_initializer(7.0))
        assert v1.get_variable("z", [1]) is b
    d = v1.layers.dense(v1.placeholder(v1.float32, [None, 4]), 3, name="fc")
    assert [v.name for v in v1.trainable_variables()][-2:] == ["fc/kernel:0", "fc/bias:0"]
    assert d.shape.as_list() == [None, 3]


def test_gradients(v1):
    x = v1.placeholder(v1.float32, [None, 3])
    w = v1.Variable([1.0, 2.0, 3.0])
    y = v1.reduce_sum(x * w * w)
    gx, gw, none = v1.gradients(y, [x, w, v1.Variable(1.0)])
    assert none is None
    assert gx.shape.as_list() == [None, 3]
    with v1.Session() as sess:
        sess.run(v1.global_variables_initializer())
        vx, vw = sess.run([gx, gw], {x: [[1, 1, 1], [2, 0, 1]]})
    np.testing.assert_allclose(vx, [[1, 4, 9], [1, 4, 9]])
    np.testing.assert_allclose(vw, [6, 4, 12])
    c = v1.placeholder(v1.float32, [2])
    (gc,) = v1.gradients(v1.reduce_sum(v1.square(c)), [c])
    with v1.Session() as sess:
        np.testing.assert_allclose(sess.run(gc, {c: [3.0, -1.0]}), [6.0, -2.0])


# TF 2.21: w = [1, -2], loss = sum(w * w * [1, 3]) + sum(w), 3 steps
OPTIMIZERS = [
    ("GradientDescentOptimizer", (0.1,), {}, [0.26799995, -0.28400001]),
    ("MomentumOptimizer", (0.1, 0.9), {}, [-0.40700001, 1.39899993]),
    ("MomentumOptimizer", (0.1, 0.9), {"use_nesterov": True}, [-0.66252804, 0.39078403]),
    ("AdamOptimizer", (0.1,), {}, [0.70090389, -1.70069671]),
    ("RMSPropOptimizer", (0.1,), {}, [0.4679547, -1.32965577]),
    ("RMSPropOptimizer", (0.1,), {"momentum": 0.5, "centered": True}, [0.1895304, -0.93755287]),
    ("AdagradOptimizer", (0.1,), {}, [0.77816194, -1.77629042]),
]


@pytest.mark.parametrize("name,args,kwargs,want", OPTIMIZERS)
def test_optimizers_match_tf(v1, name, args, kwargs, want):
    w = v1.Variable([1.0, -2.0])
    loss = v1.reduce_sum(w * w * v1.constant([1.0, 3.0])) + v1.reduce_sum(w)
    op = getattr(v1.train, name)(*args, **kwargs).minimize(loss)
    with v1.Session() as sess:
        sess.run(v1.global_variables_initializer())
        for _ in range(3):
            assert sess.run(op) is None
        np.testing.assert_allclose(sess.run(w), want, rtol=1e-5)


def test_optimizer_eager_callable_loss():
    w = tf.Variable([1.0, -2.0])
    opt = tf1.train.GradientDescentOptimizer(0.1)
    for _ in range(3):
        opt.minimize(lambda: tf.reduce_sum(w * w * tf.constant([1.0, 3.0])) + tf.reduce_sum(w),
                     var_list=[w])
    np.testing.assert_allclose(w.numpy(), [0.26799995, -0.28400001], rtol=1e-5)


def _idx(path):
    with gzip.open(path) as f:
        data = f.read()
    nd = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(nd)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * nd).reshape(dims)


def test_softmax_regression_on_real_mnist(v1):
    if not os.path.isdir(DATA):
        pytest.skip("../shared/datasets is not available")
    xtr = _idx(f"{DATA}/mnist-5k/train-images-idx3-ubyte.gz").reshape(-1, 784) / np.float32(255)
    ytr = _idx(f"{DATA}/mnist-5k/train-labels-idx1-ubyte.gz")
    xte = _idx(f"{DATA}/mnist/t10k-images-idx3-ubyte.gz").reshape(-1, 784) / np.float32(255)
    yte = _idx(f"{DATA}/mnist/t10k-labels-idx1-ubyte.gz")
    x = v1.placeholder(v1.float32, [None, 784])
    w = v1.Variable(v1.zeros([784, 10]))
    b = v1.Variable(v1.zeros([10]))
    y = v1.nn.softmax(v1.matmul(x, w) + b)
    y_ = v1.placeholder(v1.float32, [None, 10])
    cross_entropy = v1.reduce_mean(-v1.reduce_sum(y_ * v1.log(y), reduction_indices=[1]))
    train_step = v1.train.GradientDescentOptimizer(0.5).minimize(cross_entropy)
    sess = v1.InteractiveSession()
    v1.global_variables_initializer().run()
    onehot = np.eye(10, dtype=np.float32)
    rng = np.random.RandomState(0)
    for _ in range(1000):
        i = rng.randint(0, len(xtr), 100)
        sess.run(train_step, feed_dict={x: xtr[i], y_: onehot[ytr[i]]})
    correct = v1.equal(v1.argmax(y, 1), v1.argmax(y_, 1))
    accuracy = v1.reduce_mean(v1.cast(correct, v1.float32))
    acc = accuracy.eval({x: xte, y_: onehot[yte]})
    sess.close()
    assert acc >= 0.88  # TF 2.21 on the same data: 0.901
