"""`tf.nn` loss composites: sigmoid and weighted cross-entropies, Poisson, L2, averaging."""

from __future__ import annotations

from nanotf._src.backend import np
from nanotf._src.ops import math as m
from nanotf._src.ops.activations import _floating, relu
from nanotf._src.ops.softmax import _tup
from nanotf._src.tensor import Tensor, convert_to_tensor


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


__all__ = [
    "compute_average_loss", "l2_loss", "log_poisson_loss", "scale_regularization_loss",
    "sigmoid_cross_entropy_with_logits", "weighted_cross_entropy_with_logits"
]
