"""The convolution and pooling fast paths against the plain formulations they replace.

- `_im2col`'s two layouts (channels-last rows; per-offset rows, transposed, for few channels)
  give the window view's patch matrix exactly;
- Conv2DBackpropInput's batched-GEMM col2im matches GEMM + scatter-add;
- _FusedConv2D (conv + bias in one GEMM; what Keras Conv2D calls) matches conv2d + bias_add in
  value, first and second order gradients, eagerly and traced;
- MaxPoolGradWithOutput (the VJP of MaxPool) is bit for bit MaxPoolGrad.
"""

from __future__ import annotations

import numpy as np
import pytest

import nanotf as tf
from nanotf._src.ops import conv, conv_variants, pooling
from nanotf._src.ops.conv import fused_conv2d

CONFIGS = [  # (x shape NHWC, kernel hw, out channels, strides, padding, dilations)
    ((2, 7, 6, 1), (3, 3), 4, (1, 1), "VALID", (1, 1)),
    ((2, 7, 6, 3), (3, 2), 5, (2, 1), "SAME", (1, 1)),
    ((1, 9, 9, 16), (3, 3), 4, (1, 1), "SAME", (2, 2)),
    ((3, 8, 7, 9), (2, 3), 2, (2, 2), ((1, 0), (2, 1)), (1, 1)),
    ((2, 5, 5, 2), (1, 1), 3, (1, 1), "VALID", (1, 1)),
]


def _data(shape, k_hw, o, dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape).astype(dtype)
    w = rng.normal(size=k_hw + (shape[-1], o)).astype(dtype)
    b = rng.normal(size=o).astype(dtype)
    return x, w, b


@pytest.mark.parametrize("shape,k_hw,o,strides,padding,dil", CONFIGS)
def test_im2col_layouts_are_the_window_matrix(shape, k_hw, o, strides, padding, dil):
    x, _, _ = _data(shape, k_hw, o)
    geom = conv._geom(shape[1:3], k_hw, strides, dil, padding)
    win = conv._windows(np, conv._padded(np, x, geom), geom, k_hw, strides, dil)
    want = win.reshape(-1, int(np.prod(win.shape[3:])))
    got = conv._im2col(np, x, geom, k_hw, strides, dil)
    np.testing.assert_array_equal(got, want)
    ones = conv._im2col(np, x, geom, k_hw, strides, dil, ones=True)
    np.testing.assert_array_equal(ones[:, :-1], want)
    np.testing.assert_array_equal(ones[:, -1], 1)


@pytest.mark.parametrize("shape,k_hw,o,strides,padding,dil", CONFIGS)
def test_backprop_input_matches_scatter_col2im(shape, k_hw, o, strides, padding, dil):
    x, w, _ = _data(shape, k_hw, o, np.float64)
    geom = conv._geom(shape[1:3], k_hw, strides, dil, padding)
    out_sp = tuple(gm[0] for gm in geom)
    g = np.random.default_rng(1).normal(size=(shape[0],) + out_sp + (o,))
    got = conv._conv2d_bi.impl(np, g, w, shape[1:3], strides, padding, dil)
    cols = (g.reshape(-1, o) @ w.reshape(-1, o).T).reshape(g.shape[:3] + w.shape[:3])
    want = conv_variants._col2im(np, cols, shape[1:3], geom, strides, dil)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("fmt", ["NHWC", "NCHW"])
@pytest.mark.parametrize("shape,k_hw,o,strides,padding,dil", CONFIGS)
def test_fused_conv_matches_conv_plus_bias(shape, k_hw, o, strides, padding, dil, fmt):
    x, w, b = (tf.constant(a) for a in _data(shape, k_hw, o))
    if fmt == "NCHW":
        x = tf.transpose(x, [0, 3, 1, 2])
    pad = padding if isinstance(padding, str) else (
        [[0, 0], [0, 0], *map(list, padding)] if fmt == "NCHW" else [[0, 0], *map(list, padding),
                                                                     [0, 0]])
    with tf.GradientTape(persistent=True) as t:
        t.watch([x, w, b])
        got = fused_conv2d(x, w, b, strides, pad, fmt, dil)
        want = tf.nn.bias_add(tf.nn.conv2d(x, w, strides, pad, fmt, dil), b, data_format=fmt)
        lg, lw = tf.reduce_sum(tf.square(got)), tf.reduce_sum(tf.square(want))
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-5)
    for a, c in zip(t.gradient(lg, [x, w, b]), t.gradient(lw, [x, w, b])):
        np.testing.assert_allclose(a.numpy(), c.numpy(), rtol=1e-4, atol=1e-4)


def test_fused_conv_second_order_and_traced():
    x, w, b = (tf.constant(a) for a in _data((2, 6, 5, 3), (3, 3), 4, np.float64))

    def grads(fn):
        with tf.GradientTape() as outer:
            outer.watch([w, b])
            with tf.GradientTape() as inner:
                inner.watch([x, w, b])
                y = fn(x, w, b)
                loss = tf.reduce_sum(y * y * y)
            gx, gw, gb = inner.gradient(loss, [x, w, b])
            s = tf.reduce_sum(gx * gx) + tf.reduce_sum(gw * gw) + tf.reduce_sum(gb * gb)
        return [y, gx, gw, gb] + outer.gradient(s, [w, b])

    fused = grads(lambda x, w, b: fused_conv2d(x, w, b, 1, "SAME"))
    plain = grads(lambda x, w, b: tf.nn.bias_add(tf.nn.conv2d(x, w, 1, "SAME"), b))
    for a, c in zip(fused, plain):
        np.testing.assert_allclose(a.numpy(), c.numpy(), rtol=1e-10, atol=1e-10)
    traced = tf.function(lambda x, w, b: fused_conv2d(x, w, b, 2, "VALID"))
    np.testing.assert_allclose(traced(x, w, b).numpy(),
                               fused_conv2d(x, w, b, 2, "VALID").numpy(), rtol=1e-12)


def test_fused_conv_checks_the_bias():
    x, w, b = (tf.constant(a) for a in _data((1, 4, 4, 2), (2, 2), 3))
    with pytest.raises(tf.errors.InvalidArgumentError, match="as many biases"):
        fused_conv2d(x, w, b[:2], 1, "VALID")
    with pytest.raises(tf.errors.InvalidArgumentError, match="BiasAdd"):
        fused_conv2d(x, w, tf.cast(b, tf.float64), 1, "VALID")


def test_bias_add_grad_is_the_sum():
    g = np.random.default_rng(2).normal(size=(3, 5, 4, 6)).astype(np.float32)
    got = conv._bias_add_grad.impl(np, g)
    np.testing.assert_allclose(got, g.sum((0, 1, 2)), rtol=1e-5)
    h = tf.constant(np.arange(6.0))
    gt = tf.constant(g.astype(np.float64))
    with tf.GradientTape() as t:
        t.watch(gt)
        s = tf.reduce_sum(conv._bias_add_grad(gt) * h)
    np.testing.assert_array_equal(t.gradient(s, gt).numpy(), np.broadcast_to(h.numpy(), g.shape))


def test_keras_conv2d_fuses_only_plain_convolutions():
    seen = []
    impl = conv._conv2d_bias.impl
    conv._conv2d_bias.impl = lambda *a, **k: seen.append(1) or impl(*a, **k)
    try:
        x = tf.ones([1, 6, 6, 2])
        tf.keras.layers.Conv2D(3, 3)(x)
        assert seen == [1]
        tf.keras.layers.Conv2D(3, 3, use_bias=False)(x)
        tf.keras.layers.Conv2DTranspose(3, 3)(x)
        tf.keras.layers.Conv2D(4, 3, groups=2)(x)
        assert seen == [1]
    finally:
        conv._conv2d_bias.impl = impl


def _pool_cases():
    for shape, k in [((4, 26, 26, 3), 2), ((3, 11, 11, 5), 2), ((2, 9, 7, 2), 3),
                     ((2, 8, 8, 1), 4), ((1, 5, 6, 2), 2), ((2, 7, 3), 2), ((1, 4, 5, 4, 2), 2)]:
        for dtype in (np.float32, np.float64, np.float16, np.int32):
            yield shape, k, dtype


@pytest.mark.parametrize("shape,k,dtype", list(_pool_cases()))
@pytest.mark.parametrize("nans", [False, True])
def test_max_pool_grad_with_output_matches_max_pool_grad(shape, k, dtype, nans):
    rng = np.random.default_rng(3)
    x = np.round(rng.normal(size=shape) * 2).astype(dtype)  # many ties
    ks = (k,) * (len(shape) - 2)
    if nans and dtype != np.int32:
        x.flat[::17] = np.nan
    out = pooling._max_pool.impl(np, x, ks, ks, "VALID")
    if dtype == np.int32:
        g = rng.integers(-5, 5, out.shape).astype(dtype)
    else:
        g = rng.normal(size=out.shape).astype(dtype)
        g.flat[::5] = -0.0
    got = pooling._max_pool_grad_out.impl(np, x, out, g, ks, ks, "VALID")
    want = pooling._max_pool_grad.impl(np, x, g, ks, ks, "VALID")
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got.view(np.uint8), want.view(np.uint8))


def test_max_pool_gradient_uses_the_output():
    x = tf.constant(np.random.default_rng(4).normal(size=(2, 6, 6, 3)).astype(np.float32))
    for ksize, strides, padding in [(2, 2, "VALID"), (3, 2, "SAME"), (2, 1, "VALID")]:
        with tf.GradientTape() as t:
            t.watch(x)
            y = tf.nn.max_pool2d(x, ksize, strides, padding)
        got = t.gradient(y, x, output_gradients=tf.ones_like(y) * 3.0).numpy()
        k = (ksize, ksize)
        s = (strides, strides)
        want = pooling._max_pool_grad.impl(np, x.numpy(), np.full(y.shape, 3.0, np.float32), k,
                                           s, padding)
        np.testing.assert_array_equal(got, want)


@pytest.fixture
def chunked(monkeypatch):
    """Every batch kernel split into 3 chunks run on worker threads (real runs only split large
    work, and only on several cores)."""
    from nanotf._src import backend

    monkeypatch.setattr(backend, "_PARALLEL_ELEMENTS", 1)
    backend.set_intra_op_threads(3)
    yield
    backend.set_intra_op_threads(0)


@pytest.mark.parametrize("shape, k_hw, o, strides, padding, dil", CONFIGS)
def test_chunked_batches_match_one_call(chunked, shape, k_hw, o, strides, padding, dil):
    from nanotf._src import backend

    x, w, b = _data((5,) + shape[1:], k_hw, o)  # 5 rows: uneven chunks
    a = dict(strides=strides, padding=padding, dilations=dil)
    got = [conv._conv2d_bias.impl(np, x, w, b, **a), conv._conv2d.impl(np, x, w, **a)]
    g = np.random.default_rng(1).normal(size=got[1].shape).astype(np.float32)
    got += [conv._conv2d_bi.impl(np, g, w, in_hw=shape[1:3], **a),
            conv._conv2d_bf.impl(np, x, g, k_hw=k_hw, **a)]
    backend.set_intra_op_threads(1)  # the same calls in one piece
    want = [conv._conv2d_bias.impl(np, x, w, b, **a), conv._conv2d.impl(np, x, w, **a),
            conv._conv2d_bi.impl(np, g, w, in_hw=shape[1:3], **a),
            conv._conv2d_bf.impl(np, x, g, k_hw=k_hw, **a)]
    for gv, wv in zip(got, want):
        np.testing.assert_allclose(gv, wv, rtol=1e-5, atol=1e-5)


def test_chunked_pooling_is_exact(chunked):
    from nanotf._src import backend

    x = np.maximum(np.random.default_rng(2).normal(size=(7, 10, 9, 4)), 0).astype(np.float32)
    a = dict(ksize=(2, 2), strides=(2, 2), padding="VALID")
    out = pooling._max_pool.impl(np, x, **a)
    g = np.random.default_rng(3).normal(size=out.shape).astype(np.float32)
    got = [out, pooling._max_pool_grad_out.impl(np, x, out, g, **a),
           pooling.max_pool_relu_grad(np, x, out, g, **a)]
    backend.set_intra_op_threads(1)
    want = pooling._max_pool_grad.impl(np, x, g, **a)
    np.testing.assert_array_equal(got[0], pooling._max_pool.impl(np, x, **a))
    np.testing.assert_array_equal(got[1].view(np.uint32), want.view(np.uint32))
    np.testing.assert_array_equal(got[2], want * (x > 0))


def test_chunk_errors_propagate_and_nested_calls_run_whole(chunked):
    from nanotf._src import backend

    seen = []

    def inner(lo, hi):
        seen.append((lo, hi))

    def outer(lo, hi):
        backend.parallel_chunks(inner, 6, 10**9)  # inside a chunk: one call, no deadlock
        if lo > 0:
            raise ValueError(f"chunk {lo}")

    with pytest.raises(ValueError, match="chunk"):
        backend.parallel_chunks(outer, 6, 10**9)
    assert sorted(seen) == [(0, 6)] * 3


def test_intra_op_thread_setting_reaches_the_chunks():
    from nanotf._src import backend

    seen = []
    try:
        tf.config.threading.set_intra_op_parallelism_threads(1)
        assert tf.config.threading.get_intra_op_parallelism_threads() == 1
        backend.parallel_chunks(lambda lo, hi: seen.append((lo, hi)), 8, 10**9)
        assert seen == [(0, 8)]
        tf.config.threading.set_intra_op_parallelism_threads(2)
        backend.parallel_chunks(lambda lo, hi: seen.append((lo, hi)), 8, 10**9)
        assert sorted(seen[1:]) == [(0, 4), (4, 8)]
    finally:
        tf.config.threading.set_intra_op_parallelism_threads(0)
