"""`tf.nn` softmax, log_softmax and the fused softmax cross-entropies.

Fused primitives (with their gradients as primitives too, so second order works): the composite
would be unstable. float32 results reproduce TF's CPU (Eigen) arithmetic bit for bit.
"""

from __future__ import annotations

from nanotf._src import dtypes, errors, libm32
from nanotf._src.backend import compiled, np
from nanotf._src.dispatch import bind, primitive
from nanotf._src.ops import array as arr
from nanotf._src.ops import math as m
from nanotf._src.ops.activations import _attr_error, _floating
from nanotf._src.ops.eigen32 import (
    _PACKET,
    _exact,
    _exp,
    _exp_in_sum,
    _libm_fn,
    _log,
    _rowsum,
    _xent_parts,
)
from nanotf._src.tensor import Tensor, convert_to_tensor

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


def _float_logits(logits, op: str):
    """Logits as a float tensor for a cross-entropy op (float16 computed in float32, as TF's
    kernels), with their original dtype."""
    x = convert_to_tensor(logits)
    orig = x.dtype
    if orig == dtypes.float16:
        x = m.cast(x, dtypes.float32)
    _floating(x, op)
    return x, orig


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
    x, orig = _float_logits(logits, "SoftmaxCrossEntropyWithLogits")
    y = convert_to_tensor(labels)
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


@primitive("SparseSoftmaxCrossEntropyWithLogits", nout=2)
def _sparse_xent(xp, logits, labels):
    """Per-row losses and their gradient `softmax(logits) - one_hot(labels)`, from one softmax
    (TF's op has the same two outputs, so training does not compute the softmax twice)."""
    return _sparse_xent_arrays(xp, logits, labels, True)


def _sparse_xent_loss(xp, logits, labels):
    """`_sparse_xent` without its gradient output (None), for plans that never read it."""
    return _sparse_xent_arrays(xp, logits, labels, False)


_sparse_xent.first_only = _sparse_xent_loss


def _sparse_xent_arrays(xp, logits, labels, need_back):
    n = logits.shape[-1]
    # one compare finds labels < 0 too: they are huge as unsigned integers
    if labels.size and labels.view(_UNSIGNED[labels.dtype]).max() >= n:
        bad = labels[(labels < 0) | (labels >= n)]
        raise errors.invalid_argument(
            f"Received a label value of {int(bad[0])} which is outside the valid range of [0, "
            f"{n}).  Label values: {' '.join(str(int(i)) for i in labels.reshape(-1))}",
            "SparseSoftmaxCrossEntropyWithLogits")
    k = compiled(logits) if _PACKET == 4 and 0 < len(labels) <= 65536 else None
    if k is not None and logits.ndim == 2 and logits.size and labels.ndim == 1 and \
            logits.dtype == np.float32 and _libm_fn("logf") is not None:
        ls = np.empty(len(labels), np.float32)
        back = np.empty_like(logits) if need_back else logits  # not written without need_back
        k.sparse_xent(logits, labels, need_back, ls, back)
        return ls, back if need_back else None
    sh, e, s = _xent_parts(xp, logits, need_e=need_back)
    # each row's label as an index into the flattened rows: one `take`, one `put`-like update
    flat = labels + _row_starts(xp, len(labels), n)
    picked = sh.reshape(-1).take(flat)
    if _exact(xp, s):  # the kernel takes a scalar std::log per row
        with np.errstate(all="ignore"):
            ls = libm32.logf(s)
    else:
        with np.errstate(divide="ignore"):
            ls = xp.log(s)
    ls -= picked
    if not need_back:
        return ls, None
    back = e / s[:, None]
    back.reshape(-1)[flat] -= back.dtype.type(1)
    return ls, back


# integer label dtypes -> their unsigned twins (a view makes negative labels huge)
_UNSIGNED = {np.dtype(t): np.dtype(t.replace("int", "uint")) for t in ("int8", "int16", "int32",
                                                                       "int64")}
_UNSIGNED.update({np.dtype(f"uint{b}"): np.dtype(f"uint{b}") for b in (8, 16, 32, 64)})
_STARTS: dict = {}


def _row_starts(xp, rows: int, n: int):
    """`arange(rows) * n` (cached: a training loop asks for the same few shapes every step)."""
    key = (rows, n, xp)
    a = _STARTS.get(key)
    if a is None:
        if len(_STARTS) > 64:
            _STARTS.clear()
        a = _STARTS[key] = xp.arange(0, rows * n, n)
    return a


def _sparse_xent_vjp(g, out, logits, labels):
    g_loss, g_back = g  # None where an output got no gradient (see `none_grads`)
    r = None if g_loss is None else m.multiply(arr.expand_dims(g_loss, -1), out[1])
    if g_back is not None:  # only under a second-order tape: d(backprop)/d(logits)
        h = _softmax_jvp_t(g_back, logits)
        r = h if r is None else m.add(r, h)
    return [r, None]


_sparse_xent.vjps = _sparse_xent_vjp
_sparse_xent.none_grads = True


def sparse_softmax_cross_entropy_with_logits(labels, logits, name=None) -> Tensor:
    """Softmax cross-entropy with integer class `labels` (shape `logits.shape[:-1]`).

    Fused and stable (large logits give finite losses and gradients); a label outside
    `[0, num_classes)` raises InvalidArgumentError.

    Example:
      >>> tf.nn.sparse_softmax_cross_entropy_with_logits([1], [[1., 2.]])
      <tf.Tensor: shape=(1,), dtype=float32, numpy=array([0.31326166], dtype=float32)>
    """
    x, orig = _float_logits(logits, "SparseSoftmaxCrossEntropyWithLogits")
    y = convert_to_tensor(labels)
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
    cost = bind(_sparse_xent, _flat2(x), arr.reshape(y, (-1,)))[0]
    cost = arr.reshape(cost, _dims(ys))
    return m.cast(cost, orig) if orig != x.dtype else cost


def _tup(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


__all__ = [
    "log_softmax", "softmax", "softmax_cross_entropy_with_logits",
    "sparse_softmax_cross_entropy_with_logits"
]
