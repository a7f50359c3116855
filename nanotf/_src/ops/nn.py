"""`tf.nn`: activations, softmax and cross-entropies, normalization, convolution and pooling.

Fused primitives where a composite would be unstable or slow on NumPy (softmax, cross-entropies,
conv and pooling, with their gradients as primitives too so second order works); composites
elsewhere. float32 softmax and cross-entropies reproduce TF's CPU (Eigen) arithmetic bit for bit.
"""

from __future__ import annotations

import itertools
import numbers

from nanotf._src import backend, dtypes, errors
from nanotf._src.backend import np
from nanotf._src.dispatch import bind, primitive
from nanotf._src.ops import array as arr
from nanotf._src.ops import math as m
from nanotf._src.ops.math import sigmoid as sigmoid  # noqa: F401 - re-exported as tf.nn.sigmoid
from nanotf._src.ops.math import softplus as softplus  # noqa: F401
from nanotf._src.ops.math import tanh as tanh  # noqa: F401
from nanotf._src.tensor import Tensor, convert_to_tensor

_f32 = np.float32
_TINY = _f32(1.1754944e-38)  # the smallest normal float32

# =============================== TF's float32 CPU arithmetic ===============================
# Eigen evaluates float32 elementwise ops in packets of `_PACKET` floats (its own exp/log
# polynomials) and the last `size % _PACKET` with scalar glibc expf/logf; inner-axis sums keep
# `_PACKET` lane accumulators, a scalar tail sum, then a fixed lane tree. Reproducing this gives
# TF's digits. The packet width is the machine's: 8 on x86 AVX builds (TF 2.21 here, with
# TF_ENABLE_ONEDNN_OPTS=0), 4 on 128-bit SIMD builds (SSE, ARM NEON), which is what the course
# notes show (seed 001's softmax cross-entropy is reproduced only with 4).
_PACKET = 4


def _exp_packet(x):
    # Eigen's pexp. Inputs below -104 give 0 (their result underflows below the smallest normal,
    # which TF flushes), so clipping there instead of masking gives the same outputs.
    xc = np.clip(x, _f32(-104), _f32(88.723))
    mm = xc * _f32(1.44269504088896341)
    mm += _f32(0.5)
    np.floor(mm, out=mm)
    r = mm * _f32(-0.693359375)
    r += xc
    t = mm * _f32(2.12194440e-4)
    r += t
    r2 = np.multiply(r, r, out=t)
    pe = r2 * _f32(1.37449637986719608306884765625e-3)
    pe += _f32(4.166965186595916748046875e-2)
    pe *= r2
    pe += _f32(0.49999988079071044921875)
    po = r2 * _f32(8.36894474923610687255859375e-3)
    po += _f32(0.16666518151760101318359375)
    po *= r
    po += pe
    po *= r2
    r += _f32(1)
    po += r  # y = r2 * (r * po + pe) + (r + 1)
    # 2**mm: the product is exact unless the result is subnormal (then flushed to 0 below) or
    # overflows (inf either way), so one ldexp equals Eigen's four-step pldexp
    out = np.ldexp(po, mm.astype(np.int32), out=po)  # NaN inputs: garbage exponent, NaN result
    np.multiply(out, out >= _TINY, out=out)  # TF runs with denormals flushed to zero
    return np.maximum(out, xc, out=out) if out.size else out


def _log_packet(x):
    mant, e = np.frexp(x)
    mant = mant.astype(_f32)
    e = e.astype(_f32)
    low = mant < _f32(0.707106781186547524)
    t = mant - _f32(1)
    e = e - low
    t = t + np.where(low, mant, _f32(0))
    p = (_f32(0.18256296349849254) * t + _f32(1.0000000190281063)) * t + _f32(1.0000000190281136)
    q = ((_f32(0.049616247954120038) * t + _f32(0.59923249590823520)) * t
         + _f32(1.4999999999999927)) * t + _f32(1.0)
    out = e * _f32(0.6931471805599453) + (t * p) / q
    out[x == 0] = -np.inf
    out[np.isposinf(x)] = np.inf
    out[~(x >= 0) | np.isnan(x)] = np.nan
    return out


_libm: list = []


def _libm_fn(name: str):
    """glibc's `expf`/`logf` (what Eigen's scalar tail calls), or None without a loadable libm."""
    if not _libm:
        try:
            import ctypes
            import ctypes.util

            lib = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
            for fn in (lib.expf, lib.logf):
                fn.restype, fn.argtypes = ctypes.c_float, [ctypes.c_float]
            _libm.append(lib)
        except (OSError, AttributeError):
            _libm.append(None)
    return getattr(_libm[0], name) if _libm[0] is not None else None


def _elementwise32(packet, name, a, scalar_only=False):
    shape = np.shape(a)
    flat = np.ascontiguousarray(a).reshape(-1)
    n = 0 if scalar_only else flat.size - flat.size % _PACKET
    out = np.empty_like(flat)
    with np.errstate(all="ignore"):
        if n:
            out[:n] = packet(flat[:n])
        tail = flat[n:]
        fn = _libm_fn(name) if tail.size else None
        if fn is not None:
            out[n:] = _expf_libm(tail, fn) if name == "expf" else [fn(v) for v in tail.tolist()]
        else:
            out[n:] = getattr(np, name[:3])(tail.astype(np.float64)).astype(_f32)
    return out.reshape(shape)


def _expf_libm(x, expf):
    """glibc `expf` of a float32 array without calling it for most elements.

    glibc's expf errs by at most 1.69 * 2**-34 relative before its final rounding (under 0.002
    ulp), so wherever the exact exp lies farther than 1/256 ulp from a float32 rounding midpoint,
    expf returns the correctly rounded value, which float64 exp rounded to float32 also gives.
    Only the other elements (about 1%, plus non-finite or subnormal results) call `expf`.
    """
    y64 = np.exp(x.astype(np.float64))
    y = y64.astype(_f32)
    yd = y.astype(np.float64)
    nb = np.nextafter(y, np.where(y64 > yd, _f32(np.inf), _f32(-np.inf))).astype(np.float64)
    far = np.abs(y64 - (yd + nb) * 0.5) > np.abs(nb - yd) * (1.0 / 256)
    far &= y >= _TINY  # finite, normal results only
    far &= y < _f32(3.4e38)
    if not far.all():
        risky = ~far
        y[risky] = [expf(v) for v in x[risky].tolist()]
    return y


def _exp32(a):
    """`exp` of a float32 array with TF's CPU results."""
    return _elementwise32(_exp_packet, "expf", a)


def _log32(a):
    """`log` of a float32 array with TF's CPU results."""
    return _elementwise32(_log_packet, "logf", a)


def _exp_rows32(a):
    """`exp` as Eigen evaluates it inside a last-axis reduction: packets per row, scalar tails."""
    n = a.shape[-1]
    nv = n - n % _PACKET
    out = np.empty(a.shape, _f32)
    with np.errstate(all="ignore"):
        if nv:
            out[..., :nv] = _exp_packet(np.ascontiguousarray(a[..., :nv]))
        if nv < n:
            tail = np.ascontiguousarray(a[..., nv:])
            out[..., nv:] = _elementwise32(_exp_packet, "expf", tail, scalar_only=True)
    return out


def _rowsum32(a):
    """Sum over the last axis of a float32 array in Eigen's order."""
    n, p = a.shape[-1], _PACKET
    nv = n - n % p
    s = np.zeros(a.shape[:-1], _f32)
    for j in range(nv, n):
        s += a[..., j]
    if nv == 0:
        return s
    acc = a[..., 0:p].copy()
    for j in range(p, nv, p):
        acc += a[..., j:j + p]
    while acc.shape[-1] > 4:  # halves folded onto each other, then (l0 + l2) + (l1 + l3)
        h = acc.shape[-1] // 2
        acc = acc[..., :h] + acc[..., h:]
    return s + ((acc[..., 0] + acc[..., 2]) + (acc[..., 1] + acc[..., 3]))


def _exact(xp, a) -> bool:
    return xp is np and a.dtype == np.float32


def _exp(xp, a):
    return _exp32(a) if _exact(xp, a) else xp.exp(a)


def _log(xp, a):
    return _log32(a) if _exact(xp, a) else xp.log(a)


def _rowsum(xp, a):
    return _rowsum32(a) if _exact(xp, a) else a.sum(-1)


_C_NAMES = {"float16": "half", "float32": "float", "float64": "double"}


def _attr_error(attr: str, dt, allowed: str) -> errors.InvalidArgumentError:
    """TF's kernel-registration error (raised before the op runs, so no [Op:...] tag)."""
    name = _C_NAMES.get(dt.name, dt.name)
    return errors.InvalidArgumentError(
        None, None, f"Value for attr '{attr}' of {name} is not in the list of allowed values: "
                    f"{allowed}")


def _floating(x: Tensor, op: str) -> None:
    if x._v.dtype.kind != "f":
        raise _attr_error("T", x.dtype, "half, bfloat16, float, double")


# =============================== activations ===============================


@primitive("Relu", "unary")
def relu(xp, x):
    """Rectified linear unit: `max(x, 0)` (the gradient at 0 is 0, as TF).

    Example:
      >>> tf.nn.relu([-1.0, 2.0])
      <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0., 2.], dtype=float32)>
    """
    return xp.maximum(x, x.dtype.type(0))


@primitive("ReluGrad")
def _relu_grad(xp, g, x):
    """`g` where `x > 0`, else 0 (a product, as TF's kernel: much faster than a select)."""
    return g * (x > 0)


_relu_grad.defvjp(lambda h, out, g, x: _relu_grad(h, x), None)
relu.defvjp(lambda g, out, x: _relu_grad(g, out))


@primitive("Relu6", "unary")
def relu6(xp, x):
    """`min(max(x, 0), 6)`.

    Example: `tf.nn.relu6([-1., 3., 8.])` is [0., 3., 6.].
    """
    return xp.minimum(xp.maximum(x, x.dtype.type(0)), x.dtype.type(6))


@primitive("Relu6Grad")
def _relu6_grad(xp, g, x):
    return g * ((x > 0) & (x < 6))


_relu6_grad.defvjp(lambda h, out, g, x: _relu6_grad(h, x), None)
relu6.defvjp(lambda g, out, x: _relu6_grad(g, x))


@primitive("Elu", "unary")
def _elu(xp, x):
    with np.errstate(over="ignore"):
        return xp.where(x < 0, _exp(xp, x) - x.dtype.type(1), x)


_elu.defvjp(lambda g, out, x: m.where(m.less(out, 0), m.multiply(g, m.add(out, 1.0)), g))


def elu(features, name=None) -> Tensor:
    """Exponential linear unit: `x` if `x > 0` else `exp(x) - 1`.

    Example: `tf.nn.elu([-1., 2.])` is [-0.63212055, 2.].
    """
    x = convert_to_tensor(features)
    _floating(x, "Elu")
    return _elu(x)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


@primitive("Selu", "unary")
def _selu(xp, x):
    t = x.dtype.type
    with np.errstate(over="ignore"):
        return xp.where(x < 0, t(_SELU_SCALE * _SELU_ALPHA) * (_exp(xp, x) - t(1)),
                        t(_SELU_SCALE) * x)


_selu.defvjp(lambda g, out, x: m.where(
    m.less(out, 0), m.multiply(g, m.add(out, _SELU_SCALE * _SELU_ALPHA)),
    m.multiply(g, _SELU_SCALE)))


def selu(features, name=None) -> Tensor:
    """Scaled ELU: `scale * x` if `x > 0` else `scale * alpha * (exp(x) - 1)`.

    Example: `tf.nn.selu([-1., 2.])` is [-1.1113307, 2.101402].
    """
    x = convert_to_tensor(features)
    _floating(x, "Selu")
    return _selu(x)


@primitive("Erfc", "unary")
def _erfc(xp, x):
    try:
        from scipy.special import erfc as _sc  # optional: accurate in the tails

        return _sc(x).astype(x.dtype, copy=False)
    except ImportError:  # pragma: no cover
        return (1 - m._erf_impl(xp, x)).astype(x.dtype, copy=False)


_erfc.defvjp(lambda g, out, x: m.multiply(
    g, m.multiply(-2.0 / np.sqrt(np.pi), m.exp(m.negative(m.square(x))))))


def gelu(features, approximate=False, name=None) -> Tensor:
    """Gaussian error linear unit, `x * P(X <= x)` for a standard normal `X`.

    Args:
      features: a floating tensor.
      approximate: use the tanh approximation.

    Example: `tf.nn.gelu([-1., 0., 1.])` is [-0.15865526, 0., 0.8413447].
    """
    x = convert_to_tensor(features)
    if not x.dtype.is_floating:
        raise ValueError("`features.dtype` must be a floating point tensor."
                         f"Received:features.dtype={x.dtype}")
    if approximate:
        coeff = m.cast(0.044715, x.dtype)
        inner = m.multiply(0.7978845608028654, m.add(x, m.multiply(coeff, m.pow(x, 3.0))))
        return m.multiply(m.multiply(0.5, x), m.add(1.0, m.tanh(inner)))
    return m.multiply(m.multiply(0.5, x),
                      _erfc(m.multiply(m.negative(x), m.cast(0.7071067811865476, x.dtype))))


def leaky_relu(features, alpha=0.2, name=None) -> Tensor:
    """Leaky ReLU: `x` if `x > 0` else `alpha * x` (integer inputs are cast to float32).

    Example: `tf.nn.leaky_relu([-2., 3.])` is [-0.4, 3.].
    """
    x = convert_to_tensor(features)
    if x.dtype.is_integer:
        x = m.cast(x, dtypes.float32)
    if isinstance(alpha, np.ndarray):
        alpha = alpha.item()
    return m.where(m.greater(x, 0), x, m.multiply(x, alpha))


@primitive("Softsign", "unary")
def _softsign(xp, x):
    return x / (xp.abs(x) + x.dtype.type(1))


_softsign.defvjp(lambda g, out, x: m.realdiv(g, m.square(m.add(m.abs(x), 1.0))))


def softsign(features, name=None) -> Tensor:
    """`x / (abs(x) + 1)`.

    Example: `tf.nn.softsign([-1., 2.])` is [-0.5, 0.6666667].
    """
    x = convert_to_tensor(features)
    _floating(x, "Softsign")
    return _softsign(x)


def silu(features, beta=1.0) -> Tensor:
    """Sigmoid linear unit (swish): `x * sigmoid(beta * x)`.

    Example: `tf.nn.silu([-1., 0., 2.])` is [-0.26894143, 0., 1.7615942].
    """
    x = convert_to_tensor(features)
    b = m.cast(convert_to_tensor(beta), x.dtype)
    return m.multiply(x, m.sigmoid(m.multiply(b, x)))


swish = silu


def crelu(features, axis=-1, name=None) -> Tensor:
    """Concatenated ReLU: `relu(concat([x, -x], axis))`, doubling that dimension.

    Example: `tf.nn.crelu([-1., 2.])` is [0., 2., 1., 0.].
    """
    x = convert_to_tensor(features)
    return relu(arr.concat([x, m.negative(x)], axis))


# =============================== softmax ===============================


def _last(fn, xp, a, axis):
    """Applies a last-axis `fn` along `axis`, swapping axes as TF does."""
    if axis == a.ndim - 1:
        return fn(xp, a)
    t = xp.ascontiguousarray(xp.swapaxes(a, axis, -1))
    return xp.swapaxes(fn(xp, t), axis, -1)


def _softmax_last(xp, a):
    if a.size == 0:
        return a.copy()
    sh = a - a.max(-1, keepdims=True)
    e = _exp(xp, sh)
    return e * (a.dtype.type(1) / _rowsum(xp, e)[..., None])


def _exp_in_sum(xp, a):
    return _exp_rows32(a) if _exact(xp, a) else xp.exp(a)


def _log_softmax_last(xp, a):
    if a.size == 0:
        return a.copy()
    sh = a - a.max(-1, keepdims=True)
    return sh - _log(xp, _rowsum(xp, _exp_in_sum(xp, sh))[..., None])


def _half(fn, xp, a, axis):
    if a.dtype.itemsize < 4:  # float16 / bfloat16: compute in float32, as Eigen does
        return _last(fn, xp, a.astype(np.float32), axis).astype(a.dtype)
    return _last(fn, xp, a, axis)


@primitive("Softmax")
def _softmax(xp, x, axis):
    return _half(_softmax_last, xp, x, axis)


_softmax.defvjp(lambda g, out, x, axis: m.multiply(
    m.subtract(g, m.reduce_sum(m.multiply(g, out), axis, keepdims=True)), out))


@primitive("LogSoftmax")
def _log_softmax(xp, x, axis):
    return _half(_log_softmax_last, xp, x, axis)


_log_softmax.defvjp(lambda g, out, x, axis: m.subtract(
    g, m.multiply(m.reduce_sum(g, axis, keepdims=True), m.exp(out))))


def _softmax_axis(x: Tensor, axis, op: str) -> int:
    _floating(x, op)
    nd = x._v.ndim
    if nd == 0:
        raise errors.invalid_argument("logits must have >= 1 dimension, got []", op)
    a = -1 if axis is None else int(axis)
    if not -nd <= a < nd:
        raise errors.InvalidArgumentError(
            None, None, f"`dim` must be in the range [{-nd}, {nd}) where {nd} is the number of "
                        f"dimensions in the input. Received: dim={a}")
    return a % nd


def softmax(logits, axis=None, name=None) -> Tensor:
    """Softmax along `axis` (default -1): `exp(x - max) / sum(exp(x - max))`.

    Example:
      >>> tf.nn.softmax([1.0, 2.0])
      <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0.26894143, 0.7310586 ], dtype=float32)>
    """
    x = convert_to_tensor(logits)
    return bind(_softmax, x, axis=_softmax_axis(x, axis, "Softmax"))


def log_softmax(logits, axis=None, name=None) -> Tensor:
    """Log-softmax along `axis` (default -1): `x - max - log(sum(exp(x - max)))`.

    Example: `tf.nn.log_softmax([1.0, 2.0])` is [-1.3132616, -0.3132617].
    """
    x = convert_to_tensor(logits)
    return bind(_log_softmax, x, axis=_softmax_axis(x, axis, "LogSoftmax"))


# =============================== cross-entropies ===============================


def _xent_parts(xp, logits, need_e=True):
    """Shifted logits, their exp (elementwise pass; None unless `need_e`) and the row sums (exp
    fused in the sum)."""
    sh = logits - logits.max(-1, keepdims=True)
    if not _exact(xp, sh) or sh.size == 0:
        return sh, _exp(xp, sh) if need_e else None, _rowsum(xp, _exp_in_sum(xp, sh))
    # Eigen's packet exp is elementwise, so one pass serves both evaluations; they differ only in
    # which elements take the scalar expf: the last `n % 4` of each row inside the sum (as
    # `_exp_rows32`), the last `size % 4` of the flat array in the elementwise pass (as `_exp32`)
    with np.errstate(all="ignore"):
        packet = _exp_packet(sh)
    n = sh.shape[-1]
    nv = n - n % _PACKET
    rows = packet
    if nv < n:
        rows = packet.copy() if need_e else packet
        rows[..., nv:] = _elementwise32(_exp_packet, "expf", np.ascontiguousarray(sh[..., nv:]),
                                        scalar_only=True)
    e = None
    if need_e:
        e = packet
        k = sh.size % _PACKET
        if k:
            flat = e.reshape(-1)
            flat[-k:] = _elementwise32(_exp_packet, "expf", sh.reshape(-1)[-k:],
                                       scalar_only=True)
    return sh, e, _rowsum32(rows)


@primitive("SoftmaxCrossEntropyWithLogits")
def _xent(xp, logits, labels):
    logits, labels = xp.broadcast_arrays(logits, labels)
    sh, _, s = _xent_parts(xp, xp.ascontiguousarray(logits), need_e=False)
    return _rowsum(xp, labels * (_log(xp, s)[:, None] - sh))


def _xent_vjp_labels(g, out, logits, labels):
    return m.multiply(arr.expand_dims(g, -1), m.negative(log_softmax(logits)))


_xent.defvjp(lambda g, out, logits, labels:
             m.multiply(arr.expand_dims(g, -1), _xent_grad(logits, labels)),
             _xent_vjp_labels)


@primitive("SoftmaxCrossEntropyWithLogitsGrad")
def _xent_grad(xp, logits, labels):
    """`softmax(logits) - labels`, the kernel's backprop output."""
    logits, labels = xp.broadcast_arrays(logits, labels)
    _, e, s = _xent_parts(xp, xp.ascontiguousarray(logits))
    return e / s[:, None] - labels


def _softmax_jvp_t(h, logits):
    """`J_softmax(logits)^T h`, the VJP of `softmax(logits) - labels` w.r.t. the logits."""
    p = softmax(logits)
    return m.multiply(m.subtract(h, m.reduce_sum(m.multiply(h, p), -1, keepdims=True)), p)


_xent_grad.defvjp(lambda h, out, logits, labels: _softmax_jvp_t(h, logits),
                  lambda h, out, logits, labels: m.negative(h))


def _dims(shape) -> tuple:
    """A static shape for reshape: an unknown (None) dim becomes -1."""
    return tuple(-1 if d is None else d for d in shape)


def _flat2(t: Tensor) -> Tensor:
    shape = t._v.shape
    return arr.reshape(t, (-1, shape[-1])) if len(shape) != 2 else t


def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None) -> Tensor:
    """Softmax cross-entropy between `labels` (a distribution) and unscaled `logits`.

    Computed stably in one fused op; the gradient is `softmax(logits) - labels` (and
    `-log_softmax(logits)` for the labels). Labels are cast to the logits' dtype.

    Args:
      labels: class probabilities, same shape as `logits` (broadcastable).
      logits: unscaled log-probabilities.
      axis: the class dimension.

    Example:
      >>> tf.nn.softmax_cross_entropy_with_logits([[0., 1.]], [[1., 2.]])
      <tf.Tensor: shape=(1,), dtype=float32, numpy=array([0.31326166], dtype=float32)>
    """
    x = convert_to_tensor(logits)
    y = convert_to_tensor(labels)
    orig = x.dtype
    if orig == dtypes.float16:
        x = m.cast(x, dtypes.float32)
    _floating(x, "SoftmaxCrossEntropyWithLogits")
    y = m.cast(y, x.dtype)
    nd = x._v.ndim
    a = int(axis) % max(nd, 1)
    if a != nd - 1:
        perm = [i for i in range(nd) if i != a] + [a]
        x, y = arr.transpose(x, perm), arr.transpose(y, perm)
    out_shape = x._v.shape[:-1]
    x2, y2 = _flat2(x), _flat2(y)
    if not x._symbolic and not y._symbolic:
        sx, sy = x2._v.shape, y2._v.shape
        if y2._v.ndim != 2 or any(p != q and 1 not in (p, q) for p, q in zip(sx, sy)):
            raise errors.invalid_argument(
                f"logits and labels must be broadcastable: logits_size=[{sx[0]},{sx[1]}] "
                f"labels_size=[{','.join(map(str, sy))}]", "SoftmaxCrossEntropyWithLogits")
    cost = arr.reshape(bind(_xent, x2, y2), _dims(out_shape))
    return m.cast(cost, orig) if orig != x.dtype else cost


@primitive("SparseSoftmaxCrossEntropyWithLogits")
def _sparse_xent(xp, logits, labels):
    n = logits.shape[-1]
    bad = (labels < 0) | (labels >= n)
    if bad.any():
        v = int(labels[bad][0])
        raise errors.invalid_argument(
            f"Received a label value of {v} which is outside the valid range of [0, {n}).  "
            f"Label values: {' '.join(str(int(i)) for i in labels.reshape(-1))}",
            "SparseSoftmaxCrossEntropyWithLogits")
    sh, _, s = _xent_parts(xp, logits, need_e=False)
    picked = xp.take_along_axis(sh, labels[:, None].astype(np.int64), -1)[:, 0]
    fn = _libm_fn("logf") if _exact(xp, s) and s.size <= 65536 else None
    with np.errstate(divide="ignore"):  # the kernel takes a scalar std::log per row
        ls = np.array([fn(v) for v in s.tolist()], _f32) if fn is not None else xp.log(s)
    return ls - picked


_sparse_xent.defvjp(lambda g, out, logits, labels:
                    m.multiply(arr.expand_dims(g, -1), _sparse_xent_grad(logits, labels)), None)


@primitive("SparseSoftmaxCrossEntropyWithLogitsGrad")
def _sparse_xent_grad(xp, logits, labels):
    """`softmax(logits) - one_hot(labels)`."""
    _, e, s = _xent_parts(xp, logits)
    r = e / s[:, None]
    r[xp.arange(r.shape[0]), labels.astype(np.int64)] -= r.dtype.type(1)
    return r


_sparse_xent_grad.defvjp(lambda h, out, logits, labels: _softmax_jvp_t(h, logits), None)


def sparse_softmax_cross_entropy_with_logits(labels, logits, name=None) -> Tensor:
    """Softmax cross-entropy with integer class `labels` (shape `logits.shape[:-1]`).

    Fused and stable (large logits give finite losses and gradients); a label outside
    `[0, num_classes)` raises InvalidArgumentError.

    Example:
      >>> tf.nn.sparse_softmax_cross_entropy_with_logits([1], [[1., 2.]])
      <tf.Tensor: shape=(1,), dtype=float32, numpy=array([0.31326166], dtype=float32)>
    """
    x = convert_to_tensor(logits)
    y = convert_to_tensor(labels)
    orig = x.dtype
    if orig == dtypes.float16:
        x = m.cast(x, dtypes.float32)
    _floating(x, "SparseSoftmaxCrossEntropyWithLogits")
    if y.dtype not in (dtypes.int32, dtypes.int64):
        raise _attr_error("Tlabels", y.dtype, "int32, int64")
    xs, ys = x._v.shape, y._v.shape
    if len(ys) != len(xs) - 1:
        raise ValueError(f"`labels.shape.rank` must equal `logits.shape.rank - 1`. Received: "
                         f"labels.shape={_tup(ys)} of rank {len(ys)} and logits.shape={_tup(xs)} "
                         f"of rank {len(xs)}")
    if any(p is not None and q is not None and p != q for p, q in zip(xs[:-1], ys)):
        raise ValueError(f"`labels.shape` must equal `logits.shape` except for the last "
                         f"dimension. Received: labels.shape={_tup(ys)} and "
                         f"logits.shape={_tup(xs)}")
    if len(xs) == 0:
        raise ValueError(f"Logits cannot be scalars - received shape {_tup(xs)}.")
    cost = bind(_sparse_xent, _flat2(x), arr.reshape(y, (-1,)))
    cost = arr.reshape(cost, _dims(ys))
    return m.cast(cost, orig) if orig != x.dtype else cost


def _tup(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _same_shape(labels: Tensor, logits: Tensor) -> None:
    a, b = labels._v.shape, logits._v.shape
    if len(a) != len(b) or any(p is not None and q is not None and p != q for p, q in zip(a, b)):
        raise ValueError(f"`logits` and `labels` must have the same shape, received "
                         f"({_tup(b)} vs {_tup(a)}).")


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None) -> Tensor:
    """Elementwise logistic loss, computed stably as `max(x, 0) - x * z + log1p(exp(-|x|))`.

    Example: `tf.nn.sigmoid_cross_entropy_with_logits([1., 0.], [0., 0.])` is [0.6931472] * 2.
    """
    if labels is None or logits is None:
        raise ValueError("Both `labels` and `logits` must be provided. Received: "
                         f"labels={labels} and logits={logits}")
    x = convert_to_tensor(logits)
    z = convert_to_tensor(labels)
    _same_shape(z, x)
    zeros = m.zeros_like(x)
    cond = m.greater_equal(x, zeros)
    relu_logits = m.where(cond, x, zeros)
    neg_abs = m.where(cond, m.negative(x), x)
    return m.add(m.subtract(relu_logits, m.multiply(x, z)), m.log1p(m.exp(neg_abs)))


def weighted_cross_entropy_with_logits(labels, logits, pos_weight, name=None) -> Tensor:
    """Logistic loss with the positive term weighted by `pos_weight`.

    Example: `tf.nn.weighted_cross_entropy_with_logits([1.], [1.5], 1.5)` is [0.30211994].
    """
    x = convert_to_tensor(logits)
    z = convert_to_tensor(labels)
    _same_shape(z, x)
    pw = m.subtract(pos_weight, 1.0) if isinstance(pos_weight, Tensor) else pos_weight - 1
    log_weight = m.add(1.0, m.multiply(pw, z))
    return m.add(m.multiply(m.subtract(1.0, z), x),
                 m.multiply(log_weight, m.add(m.log1p(m.exp(m.negative(m.abs(x)))),
                                              relu(m.negative(x)))))


def log_poisson_loss(targets, log_input, compute_full_loss=False, name=None) -> Tensor:
    """Poisson negative log-likelihood `exp(c) - z * c` (plus Stirling's term if full).

    Example: `tf.nn.log_poisson_loss([2.], [1.])` is [0.7182817].
    """
    c = convert_to_tensor(log_input)
    z = convert_to_tensor(targets)
    _same_shape(z, c)
    result = m.subtract(m.exp(c), m.multiply(c, z))
    if compute_full_loss:
        stirling = m.add(m.subtract(m.multiply(z, m.log(z)), z),
                         m.multiply(0.5, m.log(m.multiply(2 * np.pi, z))))
        zeros = m.zeros_like(z)
        cond = m.logical_and(m.greater_equal(z, zeros), m.less_equal(z, m.ones_like(z)))
        result = m.add(result, m.where(cond, zeros, stirling))
    return result


def l2_loss(t, name=None) -> Tensor:
    """Half the squared L2 norm: `sum(t ** 2) / 2`.

    Example: `tf.nn.l2_loss([1., 2.])` is 2.5.
    """
    x = convert_to_tensor(t)
    _floating(x, "L2Loss")
    return m.multiply(m.reduce_sum(m.square(x)), 0.5)


def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None):
    """Sums the (weighted) per-example losses and divides by the global batch size.

    Example: `tf.nn.compute_average_loss([1., 2., 3.])` is 2.0.
    """
    loss = convert_to_tensor(per_example_loss)
    if sample_weight is not None:
        loss = m.multiply(loss, m.cast(sample_weight, loss.dtype))
    if global_batch_size is None:
        global_batch_size = loss._v.shape[0] if loss._v.ndim else 1
    return m.divide_no_nan(m.reduce_sum(loss), m.cast(global_batch_size, loss.dtype))


def scale_regularization_loss(regularization_loss):
    """Sums a regularization loss (or list of them); one replica, so no scaling.

    Example: `tf.nn.scale_regularization_loss([1., 2.])` is 3.0.
    """
    if isinstance(regularization_loss, (list, tuple)):
        regularization_loss = m.add_n(regularization_loss)
    return m.reduce_sum(regularization_loss)


# =============================== normalization and regularization ===============================


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None) -> Tensor:
    """Divides `x` by its L2 norm along `axis` (the squared norm is floored at `epsilon`).

    Example: `tf.math.l2_normalize([3., 4.])` is [0.6, 0.8].
    """
    if dim is not None:
        axis = dim
    x = convert_to_tensor(x)
    square_sum = m.reduce_sum(m.square(x), axis, keepdims=True)
    return m.multiply(x, m.rsqrt(m.maximum(square_sum, epsilon)))


def moments(x, axes, shift=None, keepdims=False, name=None):
    """Mean and variance of `x` over `axes` (returned as a pair).

    Example: `tf.nn.moments(tf.constant([1., 2., 4.]), [0])` is (2.3333333, 1.5555556).
    """
    x = convert_to_tensor(x)
    y = m.cast(x, dtypes.float32) if x.dtype == dtypes.float16 else x
    mean = m.reduce_mean(y, axes, keepdims=True)
    variance = m.reduce_mean(m.squared_difference(y, arr.stop_gradient(mean)), axes,
                             keepdims=True)
    if not keepdims:
        mean = arr.squeeze(mean, axes)
        variance = arr.squeeze(variance, axes)
    if x.dtype == dtypes.float16:
        return m.cast(mean, dtypes.float16), m.cast(variance, dtypes.float16)
    return mean, variance


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None) -> Tensor:
    """`(x - mean) * scale / sqrt(variance + eps) + offset`, as TF composes it.

    Example: `tf.nn.batch_normalization(x, 0., 1., None, None, 1e-3)` is about `x`.
    """
    x = convert_to_tensor(x)
    inv = m.rsqrt(m.add(variance, variance_epsilon))
    if scale is not None:
        inv = m.multiply(inv, scale)
    shift = (m.subtract(offset, m.multiply(mean, inv)) if offset is not None
             else m.negative(m.multiply(mean, inv)))
    return m.add(m.multiply(x, m.cast(inv, x.dtype)), m.cast(shift, x.dtype))


def dropout(x, rate, noise_shape=None, seed=None, name=None) -> Tensor:
    """Zeroes elements with probability `rate` and scales the rest by `1 / (1 - rate)`.

    The mask comes from `tf.random.uniform(noise_shape, seed=seed)`, so seeded results match TF.

    Args:
      x: a floating tensor.
      rate: the drop probability, in [0, 1).
      noise_shape: the mask's shape (broadcast against `x`); None dims take `x`'s.
      seed: the op seed.

    Example: `tf.nn.dropout(tf.ones([2, 3]), 0.5, seed=1)` keeps some entries, doubled.
    """
    from nanotf._src import philox
    from nanotf._src.ops import random as rnd

    is_num = isinstance(rate, numbers.Real)
    if is_num and (rate < 0 or rate >= 1):
        raise ValueError("`rate` must be a scalar tensor or a float in the range [0, 1). "
                         f"Received: rate={rate}")
    x = convert_to_tensor(x)
    if not x.dtype.is_floating:
        raise ValueError("`x.dtype` must be a floating point tensor as `x` will be scaled. "
                         f"Received: x_dtype={x.dtype}")
    if is_num and rate == 0:
        philox.get_seed(seed)  # TF still draws an op seed here
        return x
    if is_num:
        ret = m.multiply(x, convert_to_tensor(1 / (1 - rate), dtype=x.dtype))
    else:
        rate = m.cast(convert_to_tensor(rate), x.dtype)
        ret = m.realdiv(x, m.subtract(convert_to_tensor(1, dtype=x.dtype), rate))
    shape = list(x._v.shape)
    if noise_shape is not None:
        ns = [None if d is None else int(d) for d in
              (noise_shape.as_list() if hasattr(noise_shape, "as_list") else
               arr._ints(noise_shape) if isinstance(noise_shape, Tensor) else noise_shape)]
        shape = [s if n is None else n for n, s in zip(ns, shape)] if len(ns) == len(shape) \
            else ns
    keep = m.greater_equal(rnd.uniform(shape, dtype=x.dtype, seed=seed), rate)
    return m.where(keep, ret, convert_to_tensor(0, dtype=x.dtype))


# =============================== misc ===============================


def bias_add(value, bias, data_format=None, name=None) -> Tensor:
    """Adds a 1-D `bias` along the channel dimension (last, or 1 for 'NC..' formats).

    Example: `tf.nn.bias_add(tf.zeros([2, 3]), [1., 2., 3.])` is [[1., 2., 3.]] * 2.
    """
    v = convert_to_tensor(value)
    b = convert_to_tensor(bias, dtype=v.dtype) if not isinstance(bias, Tensor) else bias
    vs, bs = v._v.shape, b._v.shape
    if len(bs) != 1:
        raise errors.invalid_argument(f"Biases must be 1D: [{','.join(map(str, bs))}]",
                                      "BiasAdd")
    channels_first = data_format is not None and data_format.startswith("NC")
    if len(vs) < 2:
        raise errors.invalid_argument(
            f"Input tensor must be at least 2D: [{','.join(map(str, vs))}]", "BiasAdd")
    c = vs[1] if channels_first else vs[-1]
    if c is not None and bs[0] is not None and c != bs[0]:
        raise errors.invalid_argument(
            f"Must provide as many biases as the {'channel' if channels_first else 'last'} "
            f"dimension of the input tensor: [{bs[0]}] vs. [{','.join(map(str, vs))}]",
            "BiasAdd")
    if channels_first:
        b = arr.reshape(b, (bs[0],) + (1,) * (len(vs) - 2))
    return m.add(v, b)


def embedding_lookup(params, ids, max_norm=None, name=None) -> Tensor:
    """Rows of `params` at `ids` (a list of tensors is one table split in order, 'div' style).

    Args:
      params: the embedding table, or a list of its shards.
      ids: integer ids of any shape.
      max_norm: if set, rows with a larger L2 norm are scaled down to it.

    Example: `tf.nn.embedding_lookup(tf.eye(3), [2, 0])` is rows 2 and 0.
    """
    if isinstance(params, (list, tuple)):
        p = params[0] if len(params) == 1 else arr.concat(list(params), 0)
    else:
        p = params
    out = arr.gather(p, ids)
    if max_norm is not None:
        ids_t = convert_to_tensor(ids)
        axes = tuple(range(ids_t._v.ndim, out._v.ndim))
        norm = m.sqrt(m.reduce_sum(m.square(out), axes, keepdims=True))
        scale = m.where(m.greater(norm, max_norm), m.divide_no_nan(
            convert_to_tensor(max_norm, dtype=out.dtype), norm), m.ones_like(norm))
        out = m.multiply(out, scale)
    return out


# =============================== convolution ===============================


def _geom(in_sp, k_sp, strides, dilations, padding) -> tuple:
    """Per spatial dim: (output size, padding before, padding after), with TF's SAME rule."""
    out = []
    for i, (n, k, s, d) in enumerate(zip(in_sp, k_sp, strides, dilations)):
        ek = (k - 1) * d + 1
        if padding == "SAME":
            o = -(-n // s)
            tot = max((o - 1) * s + ek - n, 0)
            out.append((o, tot // 2, tot - tot // 2))
        elif padding == "VALID":
            out.append((max(-(-(n - ek + 1) // s), 0), 0, 0))
        else:
            b, a = padding[i]
            out.append((max((n + b + a - ek) // s + 1, 0), b, a))
    return tuple(out)


def _padded(xp, x, geom, value=0):
    pads = [(0, 0)] + [(b, a) for _, b, a in geom] + [(0, 0)]
    if not any(b or a for b, a in pads):
        return x
    return xp.pad(x, pads, constant_values=value)


def _windows(xp, xpad, geom, k_sp, strides, dilations):
    """Strided view [N, *out, *k, C] of a padded channels-last array (no copy)."""
    st = xpad.strides
    sp = st[1:-1]
    shape = (xpad.shape[0],) + tuple(g[0] for g in geom) + tuple(k_sp) + (xpad.shape[-1],)
    strides = ((st[0],) + tuple(a * s for a, s in zip(sp, strides))
               + tuple(a * d for a, d in zip(sp, dilations)) + (st[-1],))
    return xp.lib.stride_tricks.as_strided(xpad, shape, strides, writeable=False)


def _offset_slices(geom, k_idx, strides, dilations):
    """Index of the padded input hit by window offset `k_idx` for every output position."""
    return (slice(None),) + tuple(
        slice(k * d, k * d + s * (o - 1) + 1, s) if o > 0 else slice(0, 0)
        for (o, _, _), k, s, d in zip(geom, k_idx, strides, dilations)) + (slice(None),)


def _col2im(xp, cols, in_sp, geom, strides, dilations):
    """Adjoint of `_windows`: scatter-adds cols [N, *out, *k, C] into an [N, *in_sp, C] array."""
    r = len(in_sp)
    k_sp = cols.shape[1 + r:1 + 2 * r]
    full = (cols.shape[0],) + tuple(n + b + a for n, (_, b, a) in zip(in_sp, geom)) \
        + (cols.shape[-1],)
    dx = xp.zeros(full, cols.dtype)
    lead = (slice(None),) * (1 + r)
    for k_idx in itertools.product(*[range(k) for k in k_sp]):
        dx[_offset_slices(geom, k_idx, strides, dilations)] += cols[lead + k_idx]
    crop = (slice(None),) + tuple(slice(b, b + n) for n, (_, b, _) in zip(in_sp, geom))
    return dx[crop]


def _mm(xp, a, b):
    """`a @ b` (NumPy: on the BLAS thread count the backend picks for the shape)."""
    return backend.matmul(a, b) if xp is np else a @ b


def _check_depth(x_c, w_in, w_out, op):
    if x_c == w_in:
        return
    if x_c % w_in:
        raise errors.invalid_argument(
            f"input depth must be evenly divisible by filter depth: {x_c} vs {w_in}", op)
    if w_out % (x_c // w_in):
        raise errors.invalid_argument(f"output depth must be evenly divisible by number of "
                                      f"groups: {w_out} vs {x_c // w_in}", op)
    raise errors.UnimplementedError(None, None, f"Grouped convolutions are not supported "
                                                f"(input depth {x_c}, filter depth {w_in}) "
                                                f"[Op:{op}]")


@primitive("Conv2D")
def _conv2d(xp, x, w, strides, padding, dilations):
    kh, kw, c, o = w.shape
    _check_depth(x.shape[-1], c, o, "Conv2D")
    geom = _geom(x.shape[1:3], (kh, kw), strides, dilations, padding)
    win = _windows(xp, _padded(xp, x, geom), geom, (kh, kw), strides, dilations)
    n, oh, ow = win.shape[:3]
    return _mm(xp, win.reshape(n * oh * ow, kh * kw * c), w.reshape(-1, o)).reshape(n, oh, ow, o)


_conv2d.defvjp(
    lambda g, out, x, w, strides, padding, dilations: bind(
        _conv2d_bi, g, w, in_hw=tuple(x._v.shape[1:3]), strides=strides, padding=padding,
        dilations=dilations),
    lambda g, out, x, w, strides, padding, dilations: bind(
        _conv2d_bf, x, g, k_hw=tuple(w._v.shape[:2]), strides=strides, padding=padding,
        dilations=dilations))


@primitive("Conv2DBackpropInput")
def _conv2d_bi(xp, g, w, in_hw, strides, padding, dilations):
    """Gradient of Conv2D w.r.t. its input (also `conv2d_transpose`)."""
    kh, kw, c, o = w.shape
    geom = _geom(in_hw, (kh, kw), strides, dilations, padding)
    n, oh, ow = g.shape[:3]
    for i, (got, want) in enumerate(zip((oh, ow), geom)):
        if got != want[0]:
            raise errors.invalid_argument(
                f"Conv2DCustomBackpropInput: Size of out_backprop doesn't match computed: actual "
                f"= {got}, computed = {want[0]} spatial_dim: {i + 1} input: {in_hw[i]} filter: "
                f"{w.shape[i]} output: {got} stride: {strides[i]} dilation: {dilations[i]}",
                "Conv2DBackpropInput")
    cols = _mm(xp, g.reshape(-1, o), w.reshape(-1, o).T).reshape(n, oh, ow, kh, kw, c)
    return _col2im(xp, cols, in_hw, geom, strides, dilations)


_conv2d_bi.defvjp(
    lambda h, out, g, w, in_hw, strides, padding, dilations: bind(
        _conv2d, h, w, strides=strides, padding=padding, dilations=dilations),
    lambda h, out, g, w, in_hw, strides, padding, dilations: bind(
        _conv2d_bf, h, g, k_hw=tuple(w._v.shape[:2]), strides=strides, padding=padding,
        dilations=dilations))


@primitive("Conv2DBackpropFilter")
def _conv2d_bf(xp, x, g, k_hw, strides, padding, dilations):
    """Gradient of Conv2D w.r.t. its filter."""
    c, o = x.shape[-1], g.shape[-1]
    geom = _geom(x.shape[1:3], k_hw, strides, dilations, padding)
    win = _windows(xp, _padded(xp, x, geom), geom, k_hw, strides, dilations)
    cols = win.reshape(-1, k_hw[0] * k_hw[1] * c)
    return _mm(xp, cols.T, g.reshape(-1, o)).reshape(k_hw[0], k_hw[1], c, o)


_conv2d_bf.defvjp(
    lambda h, out, x, g, k_hw, strides, padding, dilations: bind(
        _conv2d_bi, g, h, in_hw=tuple(x._v.shape[1:3]), strides=strides, padding=padding,
        dilations=dilations),
    lambda h, out, x, g, k_hw, strides, padding, dilations: bind(
        _conv2d, x, h, strides=strides, padding=padding, dilations=dilations))


def _spatial(v, r: int, name: str, channels_first: bool, default=1) -> tuple:
    """Normalizes a stride/dilation/ksize argument (int, or a list of 1, r or r + 2) to r ints."""
    if v is None:
        return (default,) * r
    vals = [v] if isinstance(v, (int, np.integer)) else [int(i) for i in v]
    if len(vals) == 1:
        return (int(vals[0]),) * r
    if len(vals) == r:
        return tuple(int(i) for i in vals)
    if len(vals) == r + 2:
        return tuple(vals[2:] if channels_first else vals[1:-1])
    raise ValueError(f"{name} should be of length 1, {r} or {r + 2}. Received: {name}={v} of "
                     f"length {len(vals)}")


def _padding(padding, r: int, channels_first: bool, op: str):
    if isinstance(padding, str):
        p = padding.upper()
        if p not in ("SAME", "VALID"):
            raise errors.invalid_argument(
                f"Value for attr 'padding' of \"{padding}\" is not in the list of allowed values: "
                f"\"SAME\", \"VALID\", \"EXPLICIT\"", op)
        return p
    pairs = [tuple(int(i) for i in pr) for pr in padding]
    if len(pairs) != r + 2:
        raise ValueError(f"When padding is explicit, the number of pairs must be {r + 2}, got "
                         f"{len(pairs)}: {padding}")
    inner = pairs[2:] if channels_first else pairs[1:-1]
    outer = pairs[:2] if channels_first else [pairs[0], pairs[-1]]
    if any(pr != (0, 0) for pr in outer):
        raise errors.invalid_argument("Explicit padding of the batch or depth dimensions is not "
                                      "supported", op)
    return tuple(inner)


def _to_last(x: Tensor, channels_first: bool) -> Tensor:
    if not channels_first:
        return x
    nd = x._v.ndim
    return arr.transpose(x, [0] + list(range(2, nd)) + [1])


def _from_last(y: Tensor, channels_first: bool) -> Tensor:
    if not channels_first:
        return y
    nd = y._v.ndim
    return arr.transpose(y, [0, nd - 1] + list(range(1, nd - 1)))


def _conv_inputs(inp, filters, rank: int, op: str):
    x = convert_to_tensor(inp)
    w = convert_to_tensor(filters, dtype=x.dtype) if not isinstance(filters, Tensor) else filters
    if x._v.ndim != rank + 2:
        raise errors.invalid_argument(
            f"convolution input must be {rank + 2}-dimensional: "
            f"[{','.join(map(str, x._v.shape))}]", op)
    if w._v.ndim != rank + 2:
        raise errors.invalid_argument(
            f"filter must be {rank + 2}-dimensional: [{','.join(map(str, w._v.shape))}]", op)
    if x._v.dtype != w._v.dtype:
        raise errors.invalid_argument(
            f"cannot compute {op} as input #1(zero-based) was expected to be a {x.dtype.name} "
            f"tensor but is a {w.dtype.name} tensor", op)
    return x, w


def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None,  # noqa: A002
           name=None) -> Tensor:
    """2-D convolution (cross-correlation) of NHWC `input` with HWIO `filters`.

    Args:
      input: [batch, height, width, in_channels] ('NCHW' is transposed internally).
      filters: [filter_height, filter_width, in_channels, out_channels].
      strides: an int or a list of 1, 2 or 4 ints.
      padding: 'SAME', 'VALID', or explicit [[0, 0], [top, bottom], [left, right], [0, 0]].
      dilations: an int or a list of 1, 2 or 4 ints.

    Example:
      >>> tf.nn.conv2d(tf.ones([1, 5, 5, 1]), tf.ones([3, 3, 1, 2]), 1, "VALID").shape
      TensorShape([1, 3, 3, 2])
    """
    cf = data_format is not None and data_format.startswith("NC")
    x, w = _conv_inputs(input, filters, 2, "Conv2D")
    return _from_last(bind(
        _conv2d, _to_last(x, cf), w, strides=_spatial(strides, 2, "strides", cf),
        padding=_padding(padding, 2, cf, "Conv2D"),
        dilations=_spatial(dilations, 2, "dilations", cf)), cf)


def convolution(input, filters, strides=None, padding="VALID", data_format=None,  # noqa: A002
                dilations=None, name=None) -> Tensor:
    """N-D convolution, dispatching on the input rank (3: conv1d, 4: conv2d).

    Example: `tf.nn.convolution(tf.ones([1, 5, 1]), tf.ones([2, 1, 1]))` has shape (1, 4, 1).
    """
    x = convert_to_tensor(input)
    if x._v.ndim == 3:
        return conv1d(x, filters, 1 if strides is None else strides, padding,
                      data_format or "NWC", dilations)
    return conv2d(x, filters, 1 if strides is None else strides, padding,
                  data_format or "NHWC", dilations)


def conv2d_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                     data_format="NHWC", dilations=None, name=None) -> Tensor:
    """Transposed 2-D convolution (the gradient of `conv2d` w.r.t. its input).

    Args:
      input: [batch, height, width, in_channels].
      filters: [height, width, output_channels, in_channels].
      output_shape: the 4-D output shape.

    Example:
      >>> tf.nn.conv2d_transpose(tf.ones([1, 2, 2, 1]), tf.ones([3, 3, 2, 1]), [1, 4, 4, 2],
      ...                        2).shape
      TensorShape([1, 4, 4, 2])
    """
    cf = data_format is not None and data_format.startswith("NC")
    x, w = _conv_inputs(input, filters, 2, "Conv2DBackpropInput")
    x = _to_last(x, cf)
    shape = arr._ints(output_shape)
    hw = tuple(shape[2:4] if cf else shape[1:3])
    oc = shape[1] if cf else shape[3]
    if w._v.shape[2] != oc:
        raise errors.invalid_argument(
            f"Conv2DCustomBackpropInput: input and filter must have the same depth: {oc} vs "
            f"{w._v.shape[2]}", "Conv2DBackpropInput")
    return _from_last(bind(
        _conv2d_bi, x, w, in_hw=hw, strides=_spatial(strides, 2, "strides", cf),
        padding=_padding(padding, 2, cf, "Conv2DBackpropInput"),
        dilations=_spatial(dilations, 2, "dilations", cf)), cf)


def conv1d(input, filters, stride, padding, data_format="NWC", dilations=None,  # noqa: A002
           name=None) -> Tensor:
    """1-D convolution of NWC `input` with [width, in_channels, out_channels] `filters`.

    Example: `tf.nn.conv1d(tf.ones([1, 5, 1]), tf.ones([2, 1, 1]), 2, "SAME")` is [[[2.], [2.],
    [1.]]].
    """
    cf = data_format is not None and data_format.startswith("NC")
    x, w = _conv_inputs(input, filters, 1, "Conv2D")
    x = _to_last(x, cf)
    s = _spatial(stride, 1, "stride", cf)[0]
    d = _spatial(dilations, 1, "dilations", cf)[0]
    pad = _padding(padding, 1, cf, "Conv2D")
    pad = pad if isinstance(pad, str) else ((0, 0),) + pad
    y = bind(_conv2d, arr.expand_dims(x, 1), arr.expand_dims(w, 0), strides=(1, s),
             padding=pad, dilations=(1, d))
    return _from_last(arr.squeeze(y, [1]), cf)


def conv1d_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                     data_format="NWC", dilations=None, name=None) -> Tensor:
    """Transposed 1-D convolution; `filters` is [width, output_channels, in_channels].

    Example: `tf.nn.conv1d_transpose(tf.ones([1, 2, 1]), tf.ones([3, 2, 1]), [1, 4, 2], 2)`.
    """
    shape = arr._ints(output_shape)
    cf = data_format is not None and data_format.startswith("NC")
    x = _to_last(convert_to_tensor(input), cf)
    out = [shape[0], 1] + (shape[2:] + shape[1:2] if cf else shape[1:])
    s = _spatial(strides, 1, "strides", cf)[0]
    d = _spatial(dilations, 1, "dilations", cf)[0]
    pad = _padding(padding, 1, cf, "Conv2DBackpropInput")
    pad = pad if isinstance(pad, str) else ((0, 0),) + pad
    y = conv2d_transpose(arr.expand_dims(x, 1), arr.expand_dims(convert_to_tensor(filters), 0),
                         out, (1, s), pad if isinstance(pad, str) else
                         [[0, 0], *map(list, pad), [0, 0]], dilations=(1, d))
    return _from_last(arr.squeeze(y, [1]), cf)


def atrous_conv2d(value, filters, rate, padding, name=None) -> Tensor:
    """Dilated ('atrous') 2-D convolution with stride 1: `conv2d(..., dilations=rate)`.

    Example: `tf.nn.atrous_conv2d(tf.ones([1, 5, 5, 1]), tf.ones([2, 2, 1, 1]), 2, "VALID")`.
    """
    return conv2d(value, filters, 1, padding, dilations=rate)


@primitive("ExtractPatches")
def _patches(xp, x, k_sp, strides, padding, dilations):
    """[N, *in, C] -> [N, *out, *k, C] windows (a copy)."""
    geom = _geom(x.shape[1:-1], k_sp, strides, dilations, padding)
    return xp.ascontiguousarray(_windows(xp, _padded(xp, x, geom), geom, k_sp, strides,
                                         dilations))


_patches.defvjp(lambda g, out, x, k_sp, strides, padding, dilations: bind(
    _unpatches, g, in_sp=tuple(x._v.shape[1:-1]), strides=strides, padding=padding,
    dilations=dilations))


@primitive("ExtractPatchesGrad")
def _unpatches(xp, g, in_sp, strides, padding, dilations):
    r = len(in_sp)
    geom = _geom(in_sp, g.shape[1 + r:1 + 2 * r], strides, dilations, padding)
    return _col2im(xp, g, in_sp, geom, strides, dilations)


_unpatches.defvjp(lambda h, out, g, in_sp, strides, padding, dilations: bind(
    _patches, h, k_sp=tuple(g._v.shape[1 + len(in_sp):1 + 2 * len(in_sp)]), strides=strides,
    padding=padding, dilations=dilations))


def depthwise_conv2d(input, filter, strides, padding, data_format=None,  # noqa: A002
                     dilations=None, name=None) -> Tensor:
    """Depthwise 2-D convolution: each input channel gets its own `channel_multiplier` filters.

    Args:
      input: [batch, height, width, in_channels].
      filter: [height, width, in_channels, channel_multiplier].
      strides: a list of 4 ints (batch and channel strides must be 1).

    Example:
      >>> tf.nn.depthwise_conv2d(tf.ones([1, 3, 3, 2]), tf.ones([2, 2, 2, 1]), [1, 1, 1, 1],
      ...                        "VALID").shape
      TensorShape([1, 2, 2, 2])
    """
    from nanotf._src.ops.linalg import einsum

    cf = data_format is not None and data_format.startswith("NC")
    x, w = _conv_inputs(input, filter, 2, "DepthwiseConv2dNative")
    x = _to_last(x, cf)
    kh, kw, c, mult = w._v.shape
    if x._v.shape[-1] != c:
        raise errors.invalid_argument(
            f"input and filter must have the same depth: {x._v.shape[-1]} vs {c}",
            "DepthwiseConv2dNative")
    p = bind(_patches, x, k_sp=(kh, kw), strides=_spatial(strides, 2, "strides", cf),
             padding=_padding(padding, 2, cf, "DepthwiseConv2dNative"),
             dilations=_spatial(dilations, 2, "dilations", cf))
    y = einsum("nhwijc,ijcm->nhwcm", p, w)
    s = y._v.shape
    return _from_last(arr.reshape(y, (-1 if s[0] is None else s[0], s[1], s[2], c * mult)), cf)


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding,  # noqa: A002
                     data_format=None, dilations=None, name=None) -> Tensor:
    """A depthwise convolution followed by a 1x1 (pointwise) convolution.

    Example: `tf.nn.separable_conv2d(x, tf.ones([3, 3, 2, 1]), tf.ones([1, 1, 2, 4]),
    [1, 1, 1, 1], "SAME")`.
    """
    y = depthwise_conv2d(input, depthwise_filter, strides, padding, data_format, dilations)
    return conv2d(y, pointwise_filter, 1, "VALID", data_format or "NHWC")


# =============================== pooling ===============================


def _argmax_windows(xp, x, ksize, strides, padding):
    """Padded input, geometry, and per output the window offset (row-major) of its first max."""
    geom = _geom(x.shape[1:-1], ksize, strides, (1,) * len(ksize), padding)
    low = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    xpad = _padded(xp, x, geom, low)
    best = arg = None
    for i, k_idx in enumerate(itertools.product(*[range(k) for k in ksize])):
        v = xpad[_offset_slices(geom, k_idx, strides, (1,) * len(ksize))]
        if best is None:
            best, arg = v.copy(), xp.zeros(v.shape, np.int16)
        else:
            hit = v > best  # strict: ties keep the earlier offset
            xp.maximum(best, v, out=best)
            arg -= (arg - np.int16(i)) * hit  # arithmetic: far faster than masked stores
    return xpad, geom, best, arg


@primitive("MaxPool")
def _max_pool(xp, x, ksize, strides, padding):
    geom = _geom(x.shape[1:-1], ksize, strides, (1,) * len(ksize), padding)
    low = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    xpad = _padded(xp, x, geom, low)
    out = None
    for k_idx in itertools.product(*[range(k) for k in ksize]):
        v = xpad[_offset_slices(geom, k_idx, strides, (1,) * len(ksize))]
        out = v.copy() if out is None else xp.maximum(out, v, out=out)
    return out


_max_pool.defvjp(lambda g, out, x, ksize, strides, padding: bind(
    _max_pool_grad, x, g, ksize=ksize, strides=strides, padding=padding))


@primitive("MaxPoolGrad")
def _max_pool_grad(xp, x, g, ksize, strides, padding):
    """Routes each output's gradient to the first maximum of its window."""
    xpad, geom, _, arg = _argmax_windows(xp, x, ksize, strides, padding)
    if len(ksize) == 2 and tuple(ksize) == tuple(strides) and xpad is x:
        return _tiled_pool_grad(xp, x, g, arg, ksize)
    dx = xp.zeros(xpad.shape, g.dtype)
    for i, k_idx in enumerate(itertools.product(*[range(k) for k in ksize])):
        dx[_offset_slices(geom, k_idx, strides, (1,) * len(ksize))] += g * (arg == i)
    crop = (slice(None),) + tuple(slice(b, b + n) for n, (_, b, _) in
                                  zip(x.shape[1:-1], geom))
    return dx[crop]


def _tiled_pool_grad(xp, x, g, arg, ksize):
    """MaxPoolGrad for windows that tile the input (stride = window, no padding): each gradient
    is written straight to its window slot, `0 + g * hit` as the general scatter-add computes."""
    kh, kw = ksize
    n, oh, ow, c = g.shape
    full = (oh * kh, ow * kw) == tuple(x.shape[1:3])
    dx = xp.empty(x.shape if full else (n, oh * kh, ow * kw, c), g.dtype)
    tiles = dx.reshape(n, oh, kh, ow, kw, c)
    hit = xp.empty(arg.shape, bool)
    for i in range(kh * kw):
        xp.equal(arg, i, out=hit)
        xp.multiply(g, hit, out=tiles[:, :, i // kw, :, i % kw, :])
    dx += g.dtype.type(0)  # -0.0 (a negative g times a miss) becomes +0.0, as `0 + g * hit`
    if full:
        return dx
    out = xp.zeros(x.shape, g.dtype)  # rows/columns past the last window get no gradient
    out[:, :oh * kh, :ow * kw] = dx
    return out


_max_pool_grad.defvjp(None, lambda h, out, x, g, ksize, strides, padding: bind(
    _max_pool_grad_grad, x, h, ksize=ksize, strides=strides, padding=padding))


@primitive("MaxPoolGradGrad")
def _max_pool_grad_grad(xp, x, h, ksize, strides, padding):
    """Picks `h` at each window's first maximum (the adjoint of MaxPoolGrad)."""
    _, geom, _, arg = _argmax_windows(xp, x, ksize, strides, padding)
    hpad = _padded(xp, h, geom)
    out = xp.zeros(arg.shape, h.dtype)
    for i, k_idx in enumerate(itertools.product(*[range(k) for k in ksize])):
        v = hpad[_offset_slices(geom, k_idx, strides, (1,) * len(ksize))]
        out += v * (arg == i)
    return out


_max_pool_grad_grad.defvjp(None, lambda gg, out, x, h, ksize, strides, padding: bind(
    _max_pool_grad, x, gg, ksize=ksize, strides=strides, padding=padding))


def _avg_counts(xp, in_sp, geom, ksize, strides, dtype):
    """Number of real (unpadded) inputs under each window, broadcastable to [N, *out, C]."""
    cnt = None
    r = len(in_sp)
    for d, (n, (o, b, _), k, s) in enumerate(zip(in_sp, geom, ksize, strides)):
        start = np.arange(o) * s - b
        c = (np.minimum(start + k, n) - np.maximum(start, 0)).astype(dtype)
        c = c.reshape((1,) + tuple(o if j == d else 1 for j in range(r)) + (1,))
        cnt = c if cnt is None else cnt * c
    return xp.asarray(cnt)


@primitive("AvgPool")
def _avg_pool(xp, x, ksize, strides, padding):
    geom = _geom(x.shape[1:-1], ksize, strides, (1,) * len(ksize), padding)
    xpad = _padded(xp, x, geom)
    out = None
    for k_idx in itertools.product(*[range(k) for k in ksize]):
        v = xpad[_offset_slices(geom, k_idx, strides, (1,) * len(ksize))]
        out = v.copy() if out is None else xp.add(out, v, out=out)
    return out / _avg_counts(xp, x.shape[1:-1], geom, ksize, strides, x.dtype)


_avg_pool.defvjp(lambda g, out, x, ksize, strides, padding: bind(
    _avg_pool_grad, g, in_sp=tuple(x._v.shape[1:-1]), ksize=ksize, strides=strides,
    padding=padding))


@primitive("AvgPoolGrad")
def _avg_pool_grad(xp, g, in_sp, ksize, strides, padding):
    geom = _geom(in_sp, ksize, strides, (1,) * len(ksize), padding)
    share = g / _avg_counts(xp, in_sp, geom, ksize, strides, g.dtype)
    full = (g.shape[0],) + tuple(n + b + a for n, (_, b, a) in zip(in_sp, geom)) + g.shape[-1:]
    dx = xp.zeros(full, g.dtype)
    for k_idx in itertools.product(*[range(k) for k in ksize]):
        dx[_offset_slices(geom, k_idx, strides, (1,) * len(ksize))] += share
    crop = (slice(None),) + tuple(slice(b, b + n) for n, (_, b, _) in zip(in_sp, geom))
    return dx[crop]


_avg_pool_grad.defvjp(lambda h, out, g, in_sp, ksize, strides, padding: bind(
    _avg_pool, h, ksize=ksize, strides=strides, padding=padding))


def _pool(prim, op, input, ksize, strides, padding, data_format, rank=None):  # noqa: A002
    x = convert_to_tensor(input)
    r = x._v.ndim - 2 if rank is None else rank
    if x._v.ndim != r + 2 or r < 1:
        raise ValueError(f"`input` must have rank {r + 2 if rank else '3, 4 or 5'} for {op}. "
                         f"Received: input.shape={x.shape}")
    if prim is _avg_pool:
        _floating(x, op)
        if not isinstance(padding, str):
            raise TypeError(f"Expected string for argument 'padding' not {padding!r}.")
    cf = data_format is not None and data_format.startswith("NC")
    k = _spatial(ksize, r, "ksize", cf)
    s = _spatial(strides, r, "strides", cf)
    if not isinstance(ksize, (int, np.integer)) and len(ksize) == r + 2 and \
            (list(ksize)[0] != 1 or list(ksize)[1 if cf else -1] != 1):
        raise errors.UnimplementedError(
            None, None, "MaxPooling supports exactly one of pooling across depth or pooling "
            f"across width/height. [Op:{op}]")
    return _from_last(bind(prim, _to_last(x, cf), ksize=k, strides=s,
                           padding=_padding(padding, r, cf, op)), cf)


def max_pool(input, ksize, strides, padding, data_format=None, name=None) -> Tensor:  # noqa: A002
    """Max pooling over the spatial dims of a rank 3, 4 or 5 channels-last input.

    Example: `tf.nn.max_pool(tf.reshape(tf.range(8.), [1, 8, 1]), 3, 2, "SAME")` is
    [[[2.], [4.], [6.], [7.]]].
    """
    return _pool(_max_pool, "MaxPool", input, ksize, strides, padding, data_format)


def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """1-D max pooling of an NWC input.

    Example: `tf.nn.max_pool1d(tf.ones([1, 4, 1]), 2, 2, "VALID")` has shape (1, 2, 1).
    """
    return _pool(_max_pool, "MaxPool", input, ksize, strides, padding, data_format, 1)


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """2-D max pooling of an NHWC input (SAME pads with -inf; explicit padding allowed).

    Example:
      >>> tf.nn.max_pool2d(tf.ones([1, 4, 4, 1]), 2, 2, "VALID").shape
      TensorShape([1, 2, 2, 1])
    """
    return _pool(_max_pool, "MaxPool", input, ksize, strides, padding, data_format, 2)


def max_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """3-D max pooling of an NDHWC input.

    Example: `tf.nn.max_pool3d(tf.ones([1, 2, 2, 2, 1]), 2, 2, "VALID")` has shape (1, 1, 1, 1, 1).
    """
    return _pool(_max_pool, "MaxPool3D", input, ksize, strides, padding, data_format, 3)


def avg_pool(input, ksize, strides, padding, data_format=None, name=None) -> Tensor:  # noqa: A002
    """Average pooling over the spatial dims of a rank 3, 4 or 5 input (SAME excludes padding).

    Example: `tf.nn.avg_pool(tf.reshape(tf.range(8.), [1, 8, 1]), 3, 2, "SAME")` is
    [[[1.], [3.], [5.], [6.5]]].
    """
    return _pool(_avg_pool, "AvgPool", input, ksize, strides, padding, data_format)


def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """1-D average pooling of an NWC input.

    Example: `tf.nn.avg_pool1d(tf.ones([1, 4, 1]), 2, 2, "VALID")` is [[[1.], [1.]]].
    """
    return _pool(_avg_pool, "AvgPool", input, ksize, strides, padding, data_format, 1)


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """2-D average pooling of an NHWC input; SAME windows average only real inputs.

    Example:
      >>> tf.nn.avg_pool2d(tf.ones([1, 4, 4, 1]), 2, 2, "VALID").shape
      TensorShape([1, 2, 2, 1])
    """
    return _pool(_avg_pool, "AvgPool", input, ksize, strides, padding, data_format, 2)


def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """3-D average pooling of an NDHWC input.

    Example: `tf.nn.avg_pool3d(tf.ones([1, 2, 2, 2, 1]), 2, 2, "VALID")` is [[[[[1.]]]]].
    """
    return _pool(_avg_pool, "AvgPool3D", input, ksize, strides, padding, data_format, 3)


__all__ = [
    "atrous_conv2d", "avg_pool", "avg_pool1d", "avg_pool2d", "avg_pool3d", "batch_normalization",
    "bias_add", "compute_average_loss", "conv1d", "conv1d_transpose", "conv2d",
    "conv2d_transpose", "convolution", "crelu", "depthwise_conv2d", "dropout", "elu",
    "embedding_lookup", "gelu", "l2_loss", "l2_normalize", "leaky_relu",
    "log_poisson_loss", "log_softmax", "max_pool", "max_pool1d", "max_pool2d", "max_pool3d",
    "moments", "relu", "relu6", "scale_regularization_loss", "selu", "separable_conv2d", "silu",
    "sigmoid_cross_entropy_with_logits", "softmax", "softmax_cross_entropy_with_logits",
    "softsign", "sparse_softmax_cross_entropy_with_logits", "swish",
    "weighted_cross_entropy_with_logits",
]
