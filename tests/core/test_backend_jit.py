"""The backend's optional compiled kernels (numba) give the NumPy path's numbers bit for bit.

Each test runs the same kernel with the compiled kernels off and on and compares every output
array exactly; the gate (`backend.compiled`) is checked on its own. Without numba installed, the
comparisons skip (the NumPy path is then the only one, and the rest of the suite covers it).
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import numpy as np
import pytest

from nanotf._src import backend

# the NumPy path's inf/NaN warnings (nanotf's warnings filter is replaced by pytest's)
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

training = importlib.import_module("nanotf._src.ops.training")
softmax = importlib.import_module("nanotf._src.ops.softmax")


@pytest.fixture
def jit():
    """The compiled kernels, loaded now; the gate's state is restored afterwards."""
    pytest.importorskip("numba", reason="numba is not installed: only the NumPy path exists")
    saved = backend._jit.module, backend._jit.off, backend._jit.work
    backend._jit.off = False
    module = backend._load_jit()
    assert module is not None
    yield module
    backend._jit.module, backend._jit.off, backend._jit.work = saved


def _both(fn):
    """`fn()` with the compiled kernels off, then on."""
    backend._jit.off = True
    try:
        a = fn()
    finally:
        backend._jit.off = False
    return a, fn()


def _same(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True) \
        and np.array_equal(np.signbit(a), np.signbit(b))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("amsgrad", [False, True])
@pytest.mark.parametrize("shape", [(784, 128), (10,), (3, 3, 2, 8)])
def test_adam_update_is_the_numpy_passes_bit_for_bit(jit, dtype, amsgrad, shape):
    rng = np.random.default_rng(0)
    state = [rng.standard_normal(shape).astype(dtype) for _ in range(2)]
    state += [rng.standard_normal(shape).astype(dtype) * 1e-2,
              np.abs(rng.standard_normal(shape)).astype(dtype) * 1e-4,
              np.abs(rng.standard_normal(shape)).astype(dtype) * 1e-4]
    state[1].reshape(-1)[:3] = [0.0, np.inf, np.nan]  # a zero, an inf and a NaN gradient
    coeffs = np.float32(0.1), np.float32(0.001), np.float32(1.3e-3), np.float32(1e-7)

    def steps():
        var, g, m, v, vhat = (a.copy() for a in state)
        for _ in range(3):
            training._adam_arrays(np, var, g, m, v, vhat if amsgrad else None, *coeffs,
                                  np.empty_like(var), np.empty_like(var))
        return var, m, v, vhat

    for a, b in zip(*_both(steps)):
        assert _same(a, b)


@pytest.mark.parametrize("rows,n", [(1, 1), (3, 3), (2, 4), (5, 5), (32, 10), (7, 8), (6, 9),
                                    (3, 17), (2, 1000)])
@pytest.mark.parametrize("label_dtype", [np.int32, np.int64, np.uint8])
def test_sparse_cross_entropy_is_the_numpy_path_bit_for_bit(jit, rows, n, label_dtype):
    rng = np.random.default_rng(rows * 1000 + n)
    for scale in (0.3, 8.0, 200.0):
        x = (rng.standard_normal((rows, n)) * scale).astype(np.float32)
        if rows > 2:
            x[1, 0], x[2, -1] = np.nan, np.inf
        labels = rng.integers(0, n, rows).astype(label_dtype)
        for need_back in (True, False):
            (la, ba), (lb, bb) = _both(
                lambda: softmax._sparse_xent_arrays(np, x, labels, need_back))  # noqa: B023
            assert _same(la, lb)
            assert (ba is None and bb is None) if not need_back else _same(ba, bb)


def test_a_training_run_ends_with_the_same_weights(jit):
    import nanotf as tf

    rng = np.random.RandomState(0)
    x = rng.rand(256, 40).astype(np.float32)
    y = rng.randint(0, 10, 256)

    def train():
        tf.keras.utils.set_random_seed(1)
        model = tf.keras.Sequential([tf.keras.layers.Dense(32, activation="relu"),
                                     tf.keras.layers.Dropout(0.2), tf.keras.layers.Dense(10)])
        model.compile(tf.keras.optimizers.Adam(amsgrad=False),
                      tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        model.fit(x, y, batch_size=32, epochs=2, verbose=0)
        return model.get_weights()

    for a, b in zip(*_both(train)):
        assert _same(a, b)


def test_the_gate(jit):
    a = np.zeros((4, 5), np.float32)
    assert backend.compiled(a) is jit
    assert backend.compiled(np.zeros(3, np.float64)) is jit
    assert backend.compiled(np.zeros(3, np.float16)) is None  # NumPy's float16 promotion differs
    assert backend.compiled(np.zeros(3, np.int32)) is None
    assert backend.compiled(a.T) is None  # not C-contiguous
    assert backend.compiled([1.0, 2.0]) is None
    backend._jit.off = True
    assert backend.compiled(a) is None


def test_loading_waits_for_enough_work():
    saved = backend._jit.module, backend._jit.off, backend._jit.work
    try:
        backend._jit.module, backend._jit.off, backend._jit.work = None, False, 0
        small = np.zeros(1000, np.float32)
        for _ in range(5):
            assert backend.compiled(small) is None
        assert backend._jit.module is None and backend._jit.work == 5000
    finally:
        backend._jit.module, backend._jit.off, backend._jit.work = saved


def test_environment_variable_turns_them_off():
    code = ("from nanotf._src import backend; import numpy as np\n"
            "print(backend._jit.off, backend.compiled(np.zeros(3, np.float32)), backend._jit.work)")
    env = dict(os.environ, NANOTF_JIT="0")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["True", "None", "0"]


pooling = importlib.import_module("nanotf._src.ops.pooling")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("shape,k", [((3, 6, 6, 4), 2), ((2, 7, 5, 3), 2), ((2, 9, 9, 2), 3),
                                     ((64, 26, 26, 32), 2)])
def test_max_pool_gradient_is_the_numpy_path_bit_for_bit(jit, dtype, relu, shape, k):
    rng = np.random.default_rng(sum(shape))
    x = np.round(rng.standard_normal(shape) * 2).astype(dtype)  # many ties, zeros and negatives
    ksize = (k, k)
    out = pooling._max_pool.impl(np, x, ksize, ksize, "VALID")
    g = rng.standard_normal(out.shape).astype(dtype)
    g.reshape(-1)[:5] = [-0.0, 0.0, -1.0, np.inf, -np.inf]
    a, b = _both(lambda: pooling._first_max_grad(np, x, out, g, ksize, ksize, "VALID", relu))
    assert _same(a, b)
