"""OpSpecs for `nanotf/_src/ops/nn.py`: activations, softmax, cross-entropies, conv and pooling.

References are plain NumPy (loops for conv/pooling, on small shapes).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

import nanotf as tf
from tests.op_db import OpSpec

F = ("float32", "float64")
RANK1 = [(4,), (2, 3), (2, 3, 4)]
R32 = lambda v: float(np.float32(v))  # noqa: E731
CONV_TOL = {"float32": 1e-4}


def _act(name, fn, ref, domain="nonzero", grad_order=2, **kw):
    return OpSpec(name, fn, ref, domain=domain, grad_order=grad_order, **kw)


def _erf(x):
    return np.vectorize(math.erf)(x).astype(x.dtype)


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def _log_softmax(x, axis=-1):
    s = x - x.max(axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis, keepdims=True))


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


# --- cross-entropy inputs ------------------------------------------------------------------
def _xent_inputs(rng, dtype):
    out = []
    for shape in [(3, 4), (5,), (2, 3, 4)]:
        logits = rng.uniform(-3, 3, shape).astype(dtype)
        lab = rng.uniform(0.1, 1, shape)
        out.append((logits, (lab / lab.sum(-1, keepdims=True)).astype(dtype)))
    return out


def _sparse_inputs(rng, dtype):
    return [(rng.integers(0, 4, (3,)).astype(np.int32), rng.uniform(-3, 3, (3, 4)).astype(dtype)),
            (rng.integers(0, 5, (2, 3)).astype(np.int64),
             rng.uniform(-3, 3, (2, 3, 5)).astype(dtype))]


def _pair_inputs(rng, dtype):
    return [(rng.uniform(-3, 3, s).astype(dtype), rng.uniform(0, 1, s).astype(dtype))
            for s in [(3,), (2, 3)]]


# --- conv and pooling references -----------------------------------------------------------
def _pads(n, k, s, d, padding):
    ek = (k - 1) * d + 1
    if padding == "SAME":
        o = -(-n // s)
        tot = max((o - 1) * s + ek - n, 0)
        return o, tot // 2
    if padding == "VALID":
        return (n - ek) // s + 1, 0
    b, a = padding
    return (n + b + a - ek) // s + 1, b


def _conv_ref(x, w, strides, padding, dil=(1, 1)):
    n, h, wd, c = x.shape
    kh, kw, _, o = w.shape
    ph = padding if isinstance(padding, str) else padding[0]
    pw = padding if isinstance(padding, str) else padding[1]
    oh, bt = _pads(h, kh, strides[0], dil[0], ph)
    ow, bl = _pads(wd, kw, strides[1], dil[1], pw)
    out = np.zeros((n, oh, ow, o))
    for i, j, a, b in itertools.product(range(oh), range(ow), range(kh), range(kw)):
        r = i * strides[0] + a * dil[0] - bt
        q = j * strides[1] + b * dil[1] - bl
        if 0 <= r < h and 0 <= q < wd:
            out[:, i, j] += x[:, r, q].astype(np.float64) @ w[a, b]
    return out


def _depthwise_ref(x, w, strides, padding):
    kh, kw, c, mult = w.shape
    outs = [_conv_ref(x[..., ci:ci + 1], w[:, :, ci:ci + 1, :], strides, padding)
            for ci in range(c)]
    return np.concatenate(outs, -1)


def _pool_ref(x, k, s, padding, mode):
    n, h, wd, c = x.shape
    oh, bt = _pads(h, k[0], s[0], 1, padding)
    ow, bl = _pads(wd, k[1], s[1], 1, padding)
    out = np.zeros((n, oh, ow, c))
    for i, j in itertools.product(range(oh), range(ow)):
        r0, q0 = i * s[0] - bt, j * s[1] - bl
        win = x[:, max(r0, 0):r0 + k[0], max(q0, 0):q0 + k[1]].astype(np.float64)
        out[:, i, j] = win.max((1, 2)) if mode == "max" else win.mean((1, 2))
    return out


def _conv_inputs(xs, ws):
    def sample(rng, dtype):
        return [(rng.standard_normal(xs).astype(dtype), rng.standard_normal(ws).astype(dtype))]
    return sample


def _image(shape):
    def sample(rng, dtype):
        # distinct values, well separated, so max-pooling has no ties
        n = int(np.prod(shape))
        return [((rng.permutation(n).reshape(shape) / n * 4 - 2).astype(dtype),)]
    return sample


def _conv_t_ref(x, w, out_shape, strides, padding):
    # the adjoint of conv: <conv_t(x), y> = <x, conv(y)> for every y; build it column by column
    size = int(np.prod(out_shape))
    cols = np.zeros((size,) + x.shape)
    for k in range(size):
        e = np.zeros(size)
        e[k] = 1
        cols[k] = _conv_ref(e.reshape(out_shape), w, strides, padding)
    return np.tensordot(cols, x.astype(np.float64), x.ndim).reshape(out_shape)


def _l2n(x, axis=None):
    return x / np.sqrt(np.maximum((x * x).sum(axis, keepdims=True), 1e-12))


def _bn_inputs(rng, dtype):
    x = rng.standard_normal((4, 3)).astype(dtype)
    return [(x, rng.standard_normal(3).astype(dtype), rng.uniform(0.5, 2, 3).astype(dtype),
             rng.standard_normal(3).astype(dtype), rng.uniform(0.5, 2, 3).astype(dtype))]


def _bn_ref(x, mu, var, off, sc):
    return (x - mu) / np.sqrt(var + 1e-3) * sc + off


def _poisson_ref(c, z):
    r = np.exp(c) - c * z
    st = z * np.log(z) - z + 0.5 * np.log(2 * np.pi * z)
    return r + np.where((z >= 0) & (z <= 1), 0, st)


SPECS = [
    _act("relu", tf.nn.relu, lambda x: np.maximum(x, 0), dtypes=F + ("int32",)),
    _act("relu6", tf.nn.relu6, lambda x: np.clip(x, 0, 6), domain=(0.1, 5.9)),
    _act("elu", tf.nn.elu, lambda x: np.where(x > 0, x, np.expm1(x))),
    _act("selu", tf.nn.selu, lambda x: 1.0507009873554805 * np.where(
        x > 0, x, 1.6732632423543772 * np.expm1(x))),
    # TF casts its Python constants through float32 first (math_ops.cast), so does the ref
    _act("gelu", tf.nn.gelu, lambda x: 0.5 * x * (1 - _erf(-x * R32(0.7071067811865476)))),
    _act("gelu_approx", lambda x: tf.nn.gelu(x, approximate=True),
         lambda x: 0.5 * x * (1 + np.tanh(0.7978845608028654 * (x + R32(0.044715) * x ** 3)))),
    _act("leaky_relu", tf.nn.leaky_relu, lambda x: np.where(x > 0, x, 0.2 * x)),
    _act("leaky_relu_alpha", lambda x: tf.nn.leaky_relu(x, alpha=0.5),
         lambda x: np.where(x > 0, x, 0.5 * x)),
    _act("softsign", tf.nn.softsign, lambda x: x / (np.abs(x) + 1)),
    _act("silu", tf.nn.silu, lambda x: x * _sigmoid(x), domain="real"),
    _act("swish_beta", lambda x: tf.nn.swish(x, 2.0), lambda x: x * _sigmoid(2 * x),
         domain="real"),
    _act("crelu", tf.nn.crelu, lambda x: np.maximum(np.concatenate([x, -x], -1), 0),
         shapes=RANK1, grad_order=1),
    OpSpec("softmax", tf.nn.softmax, _softmax, shapes=RANK1, grad_order=2),
    OpSpec("softmax_axis0", lambda x: tf.nn.softmax(x, axis=0), lambda x: _softmax(x, 0),
           shapes=RANK1, grad_order=2),
    OpSpec("log_softmax", tf.nn.log_softmax, _log_softmax, shapes=RANK1, grad_order=2),
    OpSpec("log_softmax_axis1", lambda x: tf.nn.log_softmax(x, axis=1),
           lambda x: _log_softmax(x, 1), shapes=[(2, 3), (2, 3, 4)], grad_order=2),
    OpSpec("softmax_cross_entropy_with_logits",
           lambda x, y: tf.nn.softmax_cross_entropy_with_logits(y, x),
           lambda x, y: -(y * _log_softmax(x)).sum(-1), sample_inputs=_xent_inputs,
           grad_order=2),
    OpSpec("softmax_cross_entropy_with_logits_axis0",
           lambda x, y: tf.nn.softmax_cross_entropy_with_logits(y, x, axis=0),
           lambda x, y: -(y * _log_softmax(x, 0)).sum(0),
           sample_inputs=lambda rng, dt: [(rng.uniform(-3, 3, (3, 4)).astype(dt),
                                           np.full((3, 4), 1 / 3, dt))], grad_order=2),
    OpSpec("sparse_softmax_cross_entropy_with_logits",
           lambda y, x: tf.nn.sparse_softmax_cross_entropy_with_logits(y, x),
           lambda y, x: -np.take_along_axis(_log_softmax(x), y[..., None].astype(np.int64),
                                            -1)[..., 0],
           sample_inputs=_sparse_inputs, diff_args=(1,), grad_order=2),
    OpSpec("sigmoid_cross_entropy_with_logits",
           lambda x, z: tf.nn.sigmoid_cross_entropy_with_logits(z, x),
           lambda x, z: np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x))),
           sample_inputs=_pair_inputs, grad_order=2),
    OpSpec("weighted_cross_entropy_with_logits",
           lambda x, z: tf.nn.weighted_cross_entropy_with_logits(z, x, 1.5),
           lambda x, z: -(1.5 * z * np.log(_sigmoid(x)) + (1 - z) * np.log(1 - _sigmoid(x))),
           sample_inputs=_pair_inputs),
    OpSpec("log_poisson_loss", lambda c, z: tf.nn.log_poisson_loss(z, c, compute_full_loss=True),
           _poisson_ref, nargs=2, domain=["real", (0.1, 3.0)], broadcasts=False),
    OpSpec("l2_loss", tf.nn.l2_loss, lambda x: (x.astype(np.float64) ** 2).sum() / 2,
           grad_order=2),
    OpSpec("l2_normalize", tf.nn.l2_normalize, _l2n, domain="nonzero", grad_order=2),
    OpSpec("l2_normalize_axis1", lambda x: tf.math.l2_normalize(x, axis=1) if hasattr(
        tf.math, "l2_normalize") else tf.nn.l2_normalize(x, axis=1), lambda x: _l2n(x, 1),
        shapes=[(2, 3)], domain="nonzero"),
    # grad_order 1: TF's moments stops the gradient through the mean inside the variance,
    # which is exact for first derivatives only (the same in TF)
    OpSpec("moments", lambda x: tf.nn.moments(x, [0]), lambda x: (x.mean(0), x.var(0)),
           shapes=[(4,), (3, 2)]),
    OpSpec("moments_keepdims", lambda x: tf.nn.moments(x, [0, 1], keepdims=True),
           lambda x: (x.mean((0, 1), keepdims=True), x.var((0, 1), keepdims=True)),
           shapes=[(3, 2, 2)]),
    OpSpec("batch_normalization",
           lambda x, mu, v, o, s: tf.nn.batch_normalization(x, mu, v, o, s, 1e-3), _bn_ref,
           sample_inputs=_bn_inputs, tol={"float32": 1e-4}),
    OpSpec("bias_add", tf.nn.bias_add, lambda x, b: x + b, shapes=[((2, 3), (3,)),
                                                                   ((2, 2, 3), (3,))],
           grad_order=2),
    OpSpec("bias_add_nchw", lambda x, b: tf.nn.bias_add(x, b, data_format="NCHW"),
           lambda x, b: x + b[:, None, None], shapes=[((2, 3, 2, 2), (3,))]),
    OpSpec("conv2d_same_s2", lambda x, w: tf.nn.conv2d(x, w, 2, "SAME"),
           lambda x, w: _conv_ref(x, w, (2, 2), "SAME"),
           sample_inputs=_conv_inputs((2, 5, 6, 3), (3, 2, 3, 4)), grad_order=2, tol=CONV_TOL),
    OpSpec("conv2d_valid_dilated", lambda x, w: tf.nn.conv2d(x, w, 1, "VALID", dilations=2),
           lambda x, w: _conv_ref(x, w, (1, 1), "VALID", (2, 2)),
           sample_inputs=_conv_inputs((1, 6, 7, 2), (2, 3, 2, 3)), tol=CONV_TOL),
    OpSpec("conv2d_explicit", lambda x, w: tf.nn.conv2d(
        x, w, [1, 2], [[0, 0], [1, 2], [0, 1], [0, 0]]),
        lambda x, w: _conv_ref(x, w, (1, 2), ((1, 2), (0, 1))),
        sample_inputs=_conv_inputs((1, 4, 5, 2), (2, 2, 2, 3)), tol=CONV_TOL),
    OpSpec("conv2d_transpose", lambda x, w: tf.nn.conv2d_transpose(x, w, [2, 5, 6, 3], 2),
           lambda x, w: _conv_t_ref(x, w, (2, 5, 6, 3), (2, 2), "SAME"),
           sample_inputs=_conv_inputs((2, 3, 3, 4), (3, 2, 3, 4)), grad_order=2,
           tol=CONV_TOL),
    OpSpec("conv1d", lambda x, w: tf.nn.conv1d(x, w, 2, "SAME"),
           lambda x, w: _conv_ref(x[:, None], w[None], (1, 2), "SAME")[:, 0],
           sample_inputs=_conv_inputs((2, 7, 3), (3, 3, 2)), tol=CONV_TOL),
    OpSpec("depthwise_conv2d", lambda x, w: tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME"),
           lambda x, w: _depthwise_ref(x, w, (1, 1), "SAME"),
           sample_inputs=_conv_inputs((1, 4, 5, 3), (2, 2, 3, 2)), grad_order=2, tol=CONV_TOL),
    OpSpec("separable_conv2d", lambda x, d, p: tf.nn.separable_conv2d(x, d, p, [1, 1, 1, 1],
                                                                      "VALID"),
           lambda x, d, p: _conv_ref(_depthwise_ref(x, d, (1, 1), "VALID"), p, (1, 1), "VALID"),
           sample_inputs=lambda rng, dt: [(rng.standard_normal((1, 4, 4, 2)).astype(dt),
                                           rng.standard_normal((2, 2, 2, 2)).astype(dt),
                                           rng.standard_normal((1, 1, 4, 3)).astype(dt))],
           tol=CONV_TOL),
    OpSpec("max_pool2d_same", lambda x: tf.nn.max_pool2d(x, 3, 2, "SAME"),
           lambda x: _pool_ref(x, (3, 3), (2, 2), "SAME", "max"),
           sample_inputs=_image((2, 5, 6, 3)), grad_order=2),
    OpSpec("max_pool2d_valid", lambda x: tf.nn.max_pool2d(x, 2, 2, "VALID"),
           lambda x: _pool_ref(x, (2, 2), (2, 2), "VALID", "max"),
           sample_inputs=_image((2, 5, 6, 3))),
    OpSpec("max_pool1d", lambda x: tf.nn.max_pool1d(x, 3, 2, "SAME"),
           lambda x: _pool_ref(x[:, None], (1, 3), (1, 2), "SAME", "max")[:, 0],
           sample_inputs=_image((2, 7, 2))),
    OpSpec("max_pool3d", lambda x: tf.nn.max_pool3d(x, 2, 2, "VALID"),
           lambda x: x[:, :2, :2, :2].reshape(1, 1, 2, 1, 2, 1, 2, 2).max((2, 4, 6)),
           sample_inputs=_image((1, 2, 2, 3, 2))),
    OpSpec("avg_pool2d_same", lambda x: tf.nn.avg_pool2d(x, 3, 2, "SAME"),
           lambda x: _pool_ref(x, (3, 3), (2, 2), "SAME", "avg"),
           sample_inputs=_image((2, 5, 6, 3)), grad_order=2),
    OpSpec("avg_pool2d_valid", lambda x: tf.nn.avg_pool2d(x, 2, 1, "VALID"),
           lambda x: _pool_ref(x, (2, 2), (1, 1), "VALID", "avg"),
           sample_inputs=_image((1, 4, 4, 2))),
    OpSpec("avg_pool1d", lambda x: tf.nn.avg_pool1d(x, 3, 2, "SAME"),
           lambda x: _pool_ref(x[:, None], (1, 3), (1, 2), "SAME", "avg")[:, 0],
           sample_inputs=_image((2, 7, 2))),
    OpSpec("embedding_lookup", lambda p: tf.nn.embedding_lookup(p, [[2, 0], [1, 2]]),
           lambda p: p[np.array([[2, 0], [1, 2]])], shapes=[(3, 4)], grad_order=2),
    OpSpec("embedding_lookup_max_norm",
           lambda p: tf.nn.embedding_lookup(p, [2, 0], max_norm=0.5),
           lambda p: p[[2, 0]] * np.minimum(1, 0.5 / np.linalg.norm(p[[2, 0]], axis=1,
                                                                    keepdims=True)),
           shapes=[(3, 4)]),
    OpSpec("compute_average_loss", tf.nn.compute_average_loss, lambda x: x.sum() / len(x),
           shapes=[(4,)], grad_order=2),
]
