"""Behaviour of tf.nn / tf.linalg ops against numbers printed by real TensorFlow 2.21 (CPU).

Numbers were produced with TF_ENABLE_ONEDNN_OPTS=0 (Eigen kernels) on an x86 AVX machine, whose
float32 packets are 8 wide; the course notes were made on a 4-wide build (nanotf's default), so
the x86 numbers are checked with `eigen32._PACKET` set to 8.
"""

from __future__ import annotations

import numpy as np
import pytest

import nanotf as tf
from nanotf._src import philox
from nanotf._src.ops import eigen32
from tests.conftest import python_work

X = (np.arange(70, dtype=np.float32).reshape(7, 10) * np.float32(0.37) % 5 - 2.5) \
    * np.float32(1.7)
LABELS = (np.arange(7) * 3) % 10
SOFT = ((np.arange(70).reshape(7, 10) % 4) + 1).astype(np.float32)
SOFT /= SOFT.sum(-1, keepdims=True)
SEED_LABELS = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 0, 1]]
SEED_LOGITS = [[12, 3, 2], [3, 10, 1], [1, 2, 5], [4, 6.5, 1.2], [3, 6, 1]]

# tf.nn.softmax_cross_entropy_with_logits(SOFT, X) etc. in TF 2.21 (float32, bit for bit)
XENT = [3.521967, 5.0369473, 3.3684874, 3.532096, 5.349199, 4.7570505, 3.3684883]
SXENT = [6.4208364, 0.6868362, 1.3846617, 0.7598365, 7.359634, 8.593384, 8.626663]
XENT_GRAD_HEX = (
    "eb6b2bbdf1d5abbd9d67ffbdff1627befa26bfbcd06749bde0f473bd68d027bd0cd4523e6df6c23e5ed20ebd"
    "0058a8bb12c36c3edeb1db3e8b29e3bdb95517beaeef14bdb31b95bde4afdebd412313be97891abd2b009cbd"
    "cfb3e1bda43b0bbe2adde23c52a33e3dccb4f53d5a71973e4b5a31bdf965b1bd0d39e0bdfd9314be984000bd"
    "9eb581bdd84cbabdf605e2bdac990a3d5c20713d84920d3eeda1a33e9075583f5f64b1bddce904be52dd30be"
    "48ea28bd2c7ca9bddafefabd5ff422be551981bc1d350fbddc3793bd3ab798bd21cece3d433e3d3e09bcbf3e"
    "918317bea34716bd495e96bdfa0ce1bdbf5a15be97891abd2e009cbdd2b3e1bdaa3b0bbe0adde23c72a33e3d"
    "b0b4f53d6471973e4b5a31bdf965b1bd"
)
SXENT_GRAD_HEX = (
    "5b957fbf490a483b719cbb3b47f42f3c8c05a53cb6c41a3df426913d2922083e9d597f3efe7bef3e0a259c3d"
    "6671123e0e58893e1861febedf5c4939f8d9bc39131e313ad21ca63a9cca1b3b9b1c923b6165bc3bc0b0303c"
    "54b6a53c7d6a1b3d6cc2913df6b3083e3ae53fbf7c7cf03e5bf83b397b4ab039ee4ad53a4b0a483b6d9cbb3b"
    "43f42f3c8505a53cabc41a3de926913d2a22083ea1597f3e004208bff496633fbbe3b1394ad67fbf78789c3a"
    "b3bf123b71a1893b5214013c3f1e723c3113e33c69f7543db9ac203d12b1963d1a540d3e2b8c843e979ff83e"
    "dbf37fbf9c41b6398fee2a3ac54fa03ac359163b6365bc3bacb0303c49b6a53c646a1b3d64c2913dfeb3083e"
    "8535803e867cf03e40f47fbf714ab039"
)
SOFTMAX_HEX = (
    "f34ad53a490a483b729cbb3b47f42f3c8c05a53cb6c41a3df426913d2922083e9e597f3efe7bef3e0a259c3d"
    "6671123e0e58893e74cf003fdf5c4939f8d9bc39131e313ad21ca63a9cca1b3b9b1c923b6165bc3bc0b0303c"
    "55b6a53c7d6a1b3d6cc2913df6b3083e8c35803e7c7cf03e5bf83b397b4ab039ee4ad53a4b0a483b6d9cbb3b"
    "43f42f3c8505a53cabc41a3de926913d2a22083ea2597f3e007cef3ef496633fbbe3b13932d6263a79789c3a"
    "b3bf123b71a1893b5214013c3f1e723c3213e33c6af7543db9ac203d12b1963d19540d3e2a8c843e979ff83e"
    "965442399c41b6398eee2a3ac54fa03ac259163b6365bc3bacb0303c49b6a53c646a1b3d64c2913dfeb3083e"
    "8535803e867cf03e3af83b39714ab039"
)
LOG_SOFTMAX_HEX = (
    "7e77cdc0ba56b9c0f535a5c0311591c0d8e879c04ea751c0c46529c03a2401c064c5b1bfa68442bfbbb924c0"
    "62f0f8bf526da8bf7fd42fbfe5ec08c106b9fdc04298e9c07e77d5c0ba56c1c0f435adc0c113a5c0fcf290c0"
    "6da479c0e56251c05d2129c0d4df00c0983cb1bf0b7341bfcd060ac1d6ecffc07f77cdc0ba56b9c0f635a5c0"
    "321591c0dae879c052a751c0c96529c03a2401c062c5b1bfa58442bface9f0bde3a2ffc01f82ebc05b61d7c0"
    "9340c3c0d21fafc00bff9ac04ade86c0037b65c073393dc0b0414fc0220027c03f7dfdbf21faacbf3eee38bf"
    "807e09c139dcfec078bbeac0b09ad6c0f079c2c0c113a5c000f390c071a479c0ef6251c0602129c0d0df00c0"
    "9e3cb1bf007341bfd0060ac1d8ecffc0"
)


def _hex(h: str) -> np.ndarray:
    return np.frombuffer(bytes.fromhex("".join(h)), "<f4").reshape(7, 10)


def _same(t, ref) -> None:
    np.testing.assert_array_equal(t.numpy(), np.asarray(ref, np.float32))


@pytest.fixture
def packet8(monkeypatch):
    monkeypatch.setattr(eigen32, "_PACKET", 8)


# --- softmax and cross-entropies -----------------------------------------------------------
def test_seed_note_cross_entropy_digits():
    # seed note 001 prints exactly this for int32 labels and float32 logits
    loss = tf.nn.softmax_cross_entropy_with_logits(tf.constant(SEED_LABELS),
                                                   tf.constant(SEED_LOGITS))
    assert loss.dtype == tf.float32
    assert f"{loss}" == ("[1.6878611e-04 1.0346782e-03 6.5883912e-02 2.5834920e+00 "
                         "5.0549850e+00]")


def test_x86_cross_entropy_matches_tf(packet8):
    loss = tf.nn.softmax_cross_entropy_with_logits(tf.constant(SEED_LABELS),
                                                   tf.constant(SEED_LOGITS))
    assert f"{loss}" == ("[1.6878611e-04 1.0346780e-03 6.5883912e-02 2.5834920e+00 "
                         "5.0549850e+00]")
    x = tf.constant(X)
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        dense = tf.nn.softmax_cross_entropy_with_logits(SOFT, x)
        sparse = tf.nn.sparse_softmax_cross_entropy_with_logits(LABELS, x)
    _same(dense, XENT)
    _same(sparse, SXENT)
    _same(t.gradient(dense, x), _hex(XENT_GRAD_HEX))
    _same(t.gradient(sparse, x), _hex(SXENT_GRAD_HEX))


def test_x86_softmax_matches_tf(packet8):
    _same(tf.nn.softmax(X), _hex(SOFTMAX_HEX))
    _same(tf.nn.log_softmax(X), _hex(LOG_SOFTMAX_HEX))
    # the seed logits' log-softmax: a glibc logf rounding TF keeps
    assert tf.nn.log_softmax(tf.constant(SEED_LOGITS)).numpy()[3, 1] == np.float32(
        -0.08349213749170303)


def test_softmax_axis_and_errors():
    x = tf.constant(X[:3, :4])
    np.testing.assert_allclose(tf.nn.softmax(x, axis=0).numpy(),
                               np.exp(X[:3, :4]) / np.exp(X[:3, :4]).sum(0), rtol=1e-6)
    with pytest.raises(tf.errors.InvalidArgumentError, match="logits must have >= 1 dimension"):
        tf.nn.softmax(tf.constant(1.0))
    with pytest.raises(tf.errors.InvalidArgumentError, match="attr 'T' of int32"):
        tf.nn.softmax([1, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"range \[-2, 2\)"):
        tf.nn.softmax(x, axis=2)


def test_sparse_cross_entropy_stable_and_checked():
    big = tf.constant([[1000., 0., -1000.], [0., 1000., 0.]])
    with tf.GradientTape() as t:
        t.watch(big)
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant([0, 1], tf.int64), big)
    assert loss.numpy().tolist() == [0.0, 0.0]
    assert t.gradient(loss, big).numpy().tolist() == [[0.0] * 3] * 2
    x = tf.constant([[1., 2, 3], [4, 5, 6]])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"label value of 3 which is outside the valid range of \[0, 3\)"):
        tf.nn.sparse_softmax_cross_entropy_with_logits([0, 3], x)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Label values: 0 -1"):
        tf.nn.sparse_softmax_cross_entropy_with_logits([0, -1], x)
    with pytest.raises(ValueError, match="must equal `logits.shape.rank - 1`"):
        tf.nn.sparse_softmax_cross_entropy_with_logits([[0], [1]], x)
    with pytest.raises(tf.errors.InvalidArgumentError, match="'Tlabels' of float is not"):
        tf.nn.sparse_softmax_cross_entropy_with_logits([0., 1.], x)


def test_dense_cross_entropy_shapes():
    x = tf.constant([[1., 2, 3], [4, 5, 6]])
    # labels broadcast against logits, as the kernel does
    np.testing.assert_allclose(tf.nn.softmax_cross_entropy_with_logits([[0., 1, 0]], x).numpy(),
                               [1.4076059, 1.4076059], rtol=1e-6)
    np.testing.assert_allclose(tf.nn.softmax_cross_entropy_with_logits(
        [[0., 1, 0], [1, 0, 0]], x, axis=0).numpy(), [0.04858733, 3.0485873, 0.0], atol=1e-6)
    with pytest.raises(tf.errors.InvalidArgumentError, match="must be broadcastable"):
        tf.nn.softmax_cross_entropy_with_logits([[0., 1]], x)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # TF also evaluates 0 * log(0)
def test_logistic_losses_match_tf():
    np.testing.assert_allclose(tf.nn.weighted_cross_entropy_with_logits(
        tf.constant([1., 0.5, 0.]), tf.constant([1.5, -0.1, -10.]), 1.5).numpy(),
        [0.30211994, 0.88049585, 4.5776367e-05], rtol=1e-6)
    np.testing.assert_allclose(tf.nn.log_poisson_loss(
        tf.constant([0., 2, 5]), tf.constant([0.5, 1, 1]), compute_full_loss=True).numpy(),
        [1.6487212, 1.3700882, 2.489129], rtol=1e-6)
    with pytest.raises(ValueError, match="must have the same shape"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=[0., 1], logits=tf.ones([2, 3]))


# --- activations ---------------------------------------------------------------------------
def test_activations_match_tf():
    np.testing.assert_allclose(tf.nn.selu([-1., 0., 2.]).numpy(), [-1.1113307, 0., 2.101402],
                               rtol=1e-6)
    np.testing.assert_allclose(tf.nn.gelu([-1.2, 0.5, 3.0]).numpy(),
                               [-0.13808364, 0.34573123, 2.9959502], rtol=1e-6)
    assert tf.nn.leaky_relu(tf.constant([-2, 3])).dtype == tf.float32
    np.testing.assert_allclose(tf.nn.leaky_relu(tf.constant([-2, 3])).numpy(), [-0.4, 3.0])
    assert np.isnan(tf.nn.relu([np.nan, -1.0]).numpy()[0])
    assert tf.nn.relu(tf.constant([-2, 3])).numpy().tolist() == [0, 3]
    assert tf.nn.crelu([-1., 2.]).numpy().tolist() == [0., 2., 1., 0.]
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.nn.elu(tf.constant([-2, 3]))
    with pytest.raises(ValueError, match="floating point"):
        tf.nn.gelu(tf.constant([-2, 3]))


def test_relu_family_gradients_at_kinks():
    x = tf.constant([-1., 0., 3., 6., 7.])
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        r, r6 = tf.nn.relu(x), tf.nn.relu6(x)
    assert t.gradient(r, x).numpy().tolist() == [0., 0., 1., 1., 1.]
    assert t.gradient(r6, x).numpy().tolist() == [0., 0., 1., 0., 0.]


# --- dropout -------------------------------------------------------------------------------
def test_dropout_seeded_like_tf():
    philox.set_seed(None)  # fresh kernel streams, as in a new TF process
    assert tf.nn.dropout(tf.ones([2, 3]), 0.5, seed=1).numpy().tolist() == [[0, 2, 0], [0, 2, 0]]
    assert tf.nn.dropout(tf.ones([2, 3]), 0.5, noise_shape=[2, 1],
                         seed=3).numpy().tolist() == [[0, 0, 0], [0, 0, 0]]
    tf.random.set_seed(5)
    assert tf.nn.dropout(tf.ones([2, 3]), 0.5).numpy().tolist() == [[2, 2, 2], [2, 0, 0]]
    assert tf.nn.dropout(tf.ones([2, 3]), 0.5).numpy().tolist() == [[2, 0, 2], [0, 0, 0]]
    philox.set_seed(None)


def test_dropout_arguments():
    x = tf.ones([4, 5])
    assert tf.nn.dropout(x, 0.0) is x
    kept = tf.nn.dropout(x, 0.25, seed=3).numpy()
    assert set(np.unique(kept)) <= {0.0, np.float32(1 / 0.75)}
    with pytest.raises(ValueError, match="range \\[0, 1\\)"):
        tf.nn.dropout(x, 1.0)
    with pytest.raises(ValueError, match="floating point"):
        tf.nn.dropout(tf.ones([2], tf.int32), 0.5)
    cols = tf.nn.dropout(x, 0.5, noise_shape=[1, 5], seed=4).numpy()
    assert (cols == cols[:1]).all()


# --- normalization and misc ----------------------------------------------------------------
def test_moments_batchnorm_l2():
    m, v = tf.nn.moments(tf.constant([1., 2., 4.]), [0])
    np.testing.assert_allclose([m.numpy(), v.numpy()], [7 / 3, 14 / 9], rtol=1e-6)
    np.testing.assert_allclose(tf.nn.batch_normalization(
        tf.constant([1., 2]), 1.5, 0.25, 0.1, 2.0, 1e-3).numpy(), [-1.896012, 2.0960121],
        rtol=1e-6)
    np.testing.assert_allclose(tf.nn.l2_normalize([3., 4.], 0).numpy(), [0.6, 0.8])
    assert float(tf.nn.l2_loss(tf.constant([1., 2.]))) == 2.5


def test_bias_add_errors():
    x = tf.ones([2, 3])
    assert tf.nn.bias_add(x, [1., 2., 3.]).numpy().tolist() == [[2., 3., 4.]] * 2
    with pytest.raises(tf.errors.InvalidArgumentError, match="as many biases as the last"):
        tf.nn.bias_add(x, [1., 2.])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Biases must be 1D"):
        tf.nn.bias_add(x, [[1., 2., 3.]])


def test_in_top_k_and_embeddings():
    got = tf.nn.in_top_k([0, 3, 1], [[1., 2, 3], [4, 5, 6], [2, 2, 1]], 1)
    assert got.numpy().tolist() == [False, False, True]  # out-of-range target: False; ties: in
    got = tf.nn.in_top_k([0, 1], [[1., 2, np.nan], [4, 5, 6]], 2)
    assert got.numpy().tolist() == [False, True]  # a non-finite row is never in the top k
    table = tf.constant([[1., 2], [3, 4], [5, 6]])
    assert tf.nn.embedding_lookup(table, [[2, 0]]).numpy().tolist() == [[[5, 6], [1, 2]]]
    shards = [tf.constant([[1.], [2]]), tf.constant([[3.]])]
    assert tf.nn.embedding_lookup(shards, [0, 1, 2]).numpy().ravel().tolist() == [1, 2, 3]
    np.testing.assert_allclose(tf.nn.embedding_lookup(
        tf.constant([[3., 4], [0.3, 0.4]]), [0, 1], max_norm=1.0).numpy(),
        [[0.6, 0.8], [0.3, 0.4]], rtol=1e-6)


# --- convolution and pooling ---------------------------------------------------------------
TIES = tf.constant([[[[1.], [1], [0]], [[1], [0], [2]], [[2], [2], [1]]]])


def _grad(fn, x):
    with tf.GradientTape() as t:
        t.watch(x)
        y = fn(x)
    return y, t.gradient(y, x)


def test_pooling_matches_tf():
    y, g = _grad(lambda x: tf.nn.max_pool2d(x, 2, 1, "VALID"), TIES)
    assert y.numpy().ravel().tolist() == [1, 2, 2, 2]
    assert g.numpy().ravel().tolist() == [1, 0, 0, 0, 0, 2, 1, 0, 0]  # first max in the window
    y, g = _grad(lambda x: tf.nn.max_pool2d(x, 2, 2, "SAME"), TIES)
    assert y.numpy().ravel().tolist() == [1, 2, 2, 1]
    assert g.numpy().ravel().tolist() == [1, 0, 0, 0, 0, 1, 1, 0, 1]
    y, g = _grad(lambda x: tf.nn.avg_pool2d(x, 2, 2, "SAME"), TIES)
    assert y.numpy().ravel().tolist() == [0.75, 1, 2, 1]  # padding is not averaged
    assert g.numpy().ravel().tolist() == [.25, .25, .5, .25, .25, .5, .5, .5, 1]
    r = tf.reshape(tf.constant(np.arange(8.0, dtype=np.float32)), [1, 8, 1])
    assert tf.nn.max_pool(r, 3, 2, "SAME").numpy().ravel().tolist() == [2, 4, 6, 7]
    assert tf.nn.avg_pool1d(r, 3, 2, "SAME").numpy().ravel().tolist() == [1, 3, 5, 6.5]
    cube = tf.reshape(tf.constant(np.arange(8.0, dtype=np.float32)), [1, 2, 2, 2, 1])
    assert tf.nn.max_pool(cube, 2, 1, "SAME").numpy().ravel().tolist() == [7.0] * 8
    ones = tf.ones([1, 4, 4, 1])
    assert tuple(tf.nn.max_pool2d(ones, 2, 1, [[0, 0], [1, 1], [1, 1], [0, 0]]).shape) == \
        (1, 5, 5, 1)


def test_pooling_errors():
    with pytest.raises(ValueError, match="ksize should be of length 1, 2 or 4"):
        tf.nn.max_pool2d(tf.zeros([1, 4, 4, 1]), [2, 2, 2], 1, "VALID")
    with pytest.raises(tf.errors.UnimplementedError):
        tf.nn.max_pool2d(tf.zeros([1, 4, 4, 1]), [1, 2, 2, 2], 1, "VALID")
    with pytest.raises(tf.errors.InvalidArgumentError, match="attr 'T' of int32"):
        tf.nn.avg_pool2d(tf.zeros([1, 4, 4, 1], tf.int32), 2, 1, "VALID")
    with pytest.raises(TypeError, match="Expected string for argument 'padding'"):
        tf.nn.avg_pool2d(tf.ones([1, 4, 4, 1]), 2, 1, [[0, 0], [1, 1], [1, 1], [0, 0]])


def test_convolutions_match_tf():
    y = tf.nn.conv2d(tf.ones([1, 4, 4, 1]), tf.ones([2, 2, 1, 1]), 1,
                     [[0, 0], [1, 0], [0, 2], [0, 0]])
    assert y.numpy()[0, :, :, 0].tolist() == [[2, 2, 2, 1, 0]] + [[4, 4, 4, 2, 0]] * 3
    y = tf.nn.conv2d_transpose(tf.ones([1, 2, 2, 1]), tf.ones([3, 3, 2, 1]), [1, 4, 4, 2], 2,
                               "SAME")
    assert y.numpy()[0, :, :, 0].tolist() == [[1, 1, 2, 1], [1, 1, 2, 1], [2, 2, 4, 2],
                                              [1, 1, 2, 1]]
    y = tf.nn.conv1d(tf.ones([1, 5, 1]), tf.ones([2, 1, 1]), 2, "SAME")
    assert y.numpy().ravel().tolist() == [2, 2, 1]
    x = tf.reshape(tf.constant(np.arange(18.0, dtype=np.float32)), [1, 3, 3, 2])
    y = tf.nn.depthwise_conv2d(x, tf.ones([2, 2, 2, 2]), [1, 1, 1, 1], "VALID")
    assert y.numpy().tolist() == [[[[16, 16, 20, 20], [24, 24, 28, 28]],
                                   [[40, 40, 44, 44], [48, 48, 52, 52]]]]
    assert tf.nn.conv2d(tf.zeros([1, 4, 4, 1]), tf.zeros([5, 5, 1, 3]), 1,
                        "VALID").shape == (1, 0, 0, 3)


def test_convolution_errors():
    x = tf.zeros([1, 4, 4, 1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="attr 'padding' of \"FOO\""):
        tf.nn.conv2d(x, tf.zeros([2, 2, 1, 3]), 1, "FOO")
    with pytest.raises(tf.errors.InvalidArgumentError, match="must be 4-dimensional"):
        tf.nn.conv2d(tf.zeros([4, 4, 1]), tf.zeros([2, 2, 1, 3]), 1, "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError, match="evenly divisible by number of g"):
        tf.nn.conv2d(tf.zeros([1, 4, 4, 2]), tf.zeros([2, 2, 1, 3]), 1, "VALID")
    with pytest.raises(tf.errors.InvalidArgumentError, match="actual = 2, computed = 3"):
        tf.nn.conv2d_transpose(tf.ones([1, 2, 2, 1]), tf.ones([3, 3, 2, 1]), [1, 5, 5, 2], 2)


def test_small_cnn_step_has_no_python_loops_over_pixels():
    rng = np.random.default_rng(0)
    x = tf.constant(rng.standard_normal((64, 28, 28, 1)).astype(np.float32))
    w1 = tf.Variable(rng.standard_normal((3, 3, 1, 32)).astype(np.float32) * 0.1)
    w2 = tf.Variable(rng.standard_normal((3, 3, 32, 64)).astype(np.float32) * 0.1)
    wd = tf.Variable(rng.standard_normal((5 * 5 * 64, 10)).astype(np.float32) * 0.01)
    y = tf.constant(rng.integers(0, 10, 64).astype(np.int32))

    def step():
        with tf.GradientTape() as t:
            h = tf.nn.max_pool2d(tf.nn.relu(tf.nn.conv2d(x, w1, 1, "VALID")), 2, 2, "VALID")
            h = tf.nn.max_pool2d(tf.nn.relu(tf.nn.conv2d(h, w2, 1, "VALID")), 2, 2, "VALID")
            logits = tf.matmul(tf.reshape(h, [64, -1]), wd)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits))
        return t.gradient(loss, [w1, w2, wd])

    grads = step()
    assert [tuple(g.shape) for g in grads] == [(3, 3, 1, 32), (3, 3, 32, 64), (1600, 10)]
    # on one thread (no batch chunks) the count is the same everywhere: ~4,300 lines for a
    # step whose first layer alone has 1.4 million outputs; a loop over images would exceed it
    from nanotf._src import backend

    saved = backend._pool.threads
    backend.set_intra_op_threads(1)
    try:
        work = python_work(step)
    finally:
        backend.set_intra_op_threads(saved)
    assert work["lines"] < 10_000, work["lines"]


# --- linalg --------------------------------------------------------------------------------
def test_linalg_values_and_errors():
    LA = tf.linalg
    assert float(LA.norm(tf.constant([3., 4.]))) == 5.0
    a = tf.constant([[1., 2.], [3., 4.]])
    np.testing.assert_allclose(LA.norm(a, 1, axis=[0, 1]).numpy(), 6.0)
    np.testing.assert_allclose(LA.norm(a, np.inf, axis=[0, 1]).numpy(), 7.0)
    np.testing.assert_allclose(float(LA.det(a)), -2.0, rtol=1e-6)
    assert LA.einsum("ij,jk->ik", a, a).numpy().tolist() == [[7, 10], [15, 22]]
    assert LA.tensordot(a, a, 1).numpy().tolist() == [[7, 10], [15, 22]]
    assert LA.diag([1., 2.], k=1).shape == (3, 3)
    assert LA.trace(a).numpy() == 5.0
    s, u, v = LA.svd(a)
    np.testing.assert_allclose((u * s[None]).numpy() @ v.numpy().T, a.numpy(), atol=1e-5)
    e, _ = LA.eigh([[2., 0.], [0., 1.]])
    assert e.numpy().tolist() == [1., 2.]
    assert float(LA.global_norm([tf.constant([3.]), tf.constant([4.])])) == 5.0
    with pytest.raises(tf.errors.InvalidArgumentError, match="not invertible"):
        LA.inv([[1., 1.], [1., 1.]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Cholesky decomposition"):
        LA.cholesky([[1., 2.], [2., 1.]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="must be square"):
        LA.det(tf.ones([2, 3]))
