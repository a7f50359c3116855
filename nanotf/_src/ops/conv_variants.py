"""`tf.nn` convolution forms built on the Conv2D primitives of `conv`: convolution, conv1d,
the transposed, dilated (atrous), depthwise and separable convolutions, and patch extraction.
"""

from __future__ import annotations

import itertools

from nanotf._src import errors
from nanotf._src.dispatch import bind, primitive
from nanotf._src.ops import array as arr
from nanotf._src.ops.conv import (
    _conv2d,
    _conv2d_bi,
    _conv_inputs,
    _from_last,
    _geom,
    _offset_slices,
    _padded,
    _padding,
    _spatial,
    _to_last,
    _windows,
    conv2d,
)
from nanotf._src.tensor import Tensor, convert_to_tensor


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


__all__ = [
    "atrous_conv2d", "conv1d", "conv1d_transpose", "conv2d_transpose", "convolution",
    "depthwise_conv2d", "separable_conv2d",
]
