"""`tf.nn` building blocks of layers: normalization, dropout, bias_add, embedding_lookup."""

from __future__ import annotations

import numbers

from nanotf._src import dtypes, errors
from nanotf._src.ops import array as arr
from nanotf._src.ops import math as m
from nanotf._src.tensor import Tensor, convert_to_tensor

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
    from nanotf._src.ops import random as rnd

    return _dropout(x, rate, noise_shape, seed, rnd.uniform)


def _dropout(x, rate, noise_shape, seed, uniform) -> Tensor:
    """`dropout` with the mask drawn by `uniform(shape, dtype=, seed=)` (Keras's Dropout layer
    passes a faster sampler that keeps TF's seed rules but not its bits)."""
    from nanotf._src import philox

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
    keep = m.greater_equal(uniform(shape, dtype=x.dtype, seed=seed), rate)
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


__all__ = [
    "batch_normalization", "bias_add", "dropout", "embedding_lookup", "l2_normalize", "moments"
]
