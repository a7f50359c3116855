"""`tf.nn.conv2d` and the convolution primitives every other form (`conv_variants`) builds on.

Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter are one GEMM each over im2col patches;
_FusedConv2D (what Keras convolution layers call) adds the bias inside the forward GEMM and has
BiasAddGrad, a ones-vector product, as the bias gradient. Shared here with pooling: the window
geometry (`_geom`, `_padded`, `_windows`, `_offset_slices`) and argument normalization.
"""

from __future__ import annotations

import itertools

from nanotf._src import backend, errors
from nanotf._src.backend import np
from nanotf._src.dispatch import bind, primitive
from nanotf._src.ops import array as arr
from nanotf._src.ops import math as m
from nanotf._src.tensor import Tensor, convert_to_tensor

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


def _mm(xp, a, b):
    """`a @ b` (NumPy: on the BLAS thread count the backend picks for the shape)."""
    return backend.matmul(a, b) if xp is np else a @ b


def _prod(dims) -> int:
    out = 1
    for d in dims:
        out *= d
    return out


# Below this many channels a window's rows are too short for a fast channels-last copy.
_FEW_CHANNELS = 8


def _block_view(xp, buf, lead, inner):
    """`buf[:, :prod(inner)]` of a C-contiguous matrix viewed as `lead + inner` (no copy)."""
    isz = buf.itemsize
    st = [buf.strides[0]]
    for d in reversed(lead[1:]):
        st.append(st[-1] * d)
    ist = [isz]
    for d in reversed(inner[1:]):
        ist.append(ist[-1] * d)
    return xp.lib.stride_tricks.as_strided(buf, tuple(lead) + tuple(inner),
                                           tuple(st[::-1]) + tuple(ist[::-1]))


def _im2col(xp, x, geom, k_sp, strides, dilations, ones=False):
    """The [N*out, K] patch matrix of channels-last `x`, K = prod(k_sp) * C (+ 1 when `ones`: a
    column of ones, so a bias row appended to the filter adds the bias inside the GEMM).

    With many channels, the window view is copied row by row (runs of kw * C values). With few,
    those runs are too short to copy fast, so each window offset is copied as one strided slice
    into the rows of a [K, N*out] array, returned transposed (F-ordered; BLAS reads it as is).
    """
    xpad = _padded(xp, x, geom)
    n, c = x.shape[0], x.shape[-1]
    out_sp = tuple(g[0] for g in geom)
    p, nk = n * _prod(out_sp), _prod(k_sp)
    kk = nk * c + bool(ones)
    if c < _FEW_CHANNELS:
        ct = xp.empty((kk, p), x.dtype)
        blocks = ct[:nk * c].reshape((nk, c, n) + out_sp)
        for k, k_idx in enumerate(itertools.product(*[range(i) for i in k_sp])):
            v = xpad[_offset_slices(geom, k_idx, strides, dilations)]
            blocks[k] = xp.moveaxis(v, -1, 0)
        if ones:
            ct[-1] = 1
        return ct.T
    win = _windows(xp, xpad, geom, k_sp, strides, dilations)
    if not ones:
        return win.reshape(p, kk)
    cols = xp.empty((p, kk), x.dtype)
    _block_view(xp, cols, (n,) + out_sp, tuple(k_sp) + (c,))[...] = win
    cols[:, -1] = 1
    return cols


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


def _conv_forward(xp, x, w, b, strides, padding, dilations, op, relu=False):
    kh, kw, c, o = w.shape
    _check_depth(x.shape[-1], c, o, op)
    geom = _geom(x.shape[1:3], (kh, kw), strides, dilations, padding)
    wm = w.reshape(-1, o)
    if b is not None:
        wm = xp.concatenate([wm, b.reshape(1, o)])
    n, per = x.shape[0], geom[0][0] * geom[1][0]
    out = xp.empty((n * per, o), x.dtype)

    def rows(lo, hi):  # patches and product for a chunk of the batch
        cols = _im2col(xp, x[lo:hi], geom, (kh, kw), strides, dilations, ones=b is not None)
        blk = out[lo * per:hi * per]
        if xp is np:
            backend.matmul(cols, wm, out=blk)
        else:
            blk[...] = cols @ wm
        if relu:  # while the chunk is still in cache
            xp.maximum(blk, blk.dtype.type(0), out=blk)

    backend.parallel_chunks(rows, n, out.size + n * per * wm.shape[0], xp)
    return out.reshape((n,) + tuple(g[0] for g in geom) + (o,))


@primitive("Conv2D")
def _conv2d(xp, x, w, strides, padding, dilations):
    return _conv_forward(xp, x, w, None, strides, padding, dilations, "Conv2D")


_conv2d.defvjp(
    lambda g, out, x, w, strides, padding, dilations: bind(
        _conv2d_bi, g, w, in_hw=tuple(x._v.shape[1:3]), strides=strides, padding=padding,
        dilations=dilations),
    lambda g, out, x, w, strides, padding, dilations: bind(
        _conv2d_bf, x, g, k_hw=tuple(w._v.shape[:2]), strides=strides, padding=padding,
        dilations=dilations))


@primitive("_FusedConv2D")
def _conv2d_bias(xp, x, w, b, strides, padding, dilations):
    """Conv2D + BiasAdd in one GEMM (the bias rides on a column of ones), as TF's grappler fuses
    a Keras convolution layer."""
    return _conv_forward(xp, x, w, b, strides, padding, dilations, "Conv2D")


def fused_conv2d_relu(xp, x, w, b, strides, padding, dilations):
    """`Relu(_FusedConv2D(x, w, b))` on arrays, the relu applied to each chunk of the product
    while it is in cache (compiled Plans fuse the pair into this; the result is the same)."""
    return _conv_forward(xp, x, w, b, strides, padding, dilations, "Conv2D", relu=True)


_conv2d_bias.defvjp(
    lambda g, out, x, w, b, strides, padding, dilations: bind(
        _conv2d_bi, g, w, in_hw=tuple(x._v.shape[1:3]), strides=strides, padding=padding,
        dilations=dilations),
    lambda g, out, x, w, b, strides, padding, dilations: bind(
        _conv2d_bf, x, g, k_hw=tuple(w._v.shape[:2]), strides=strides, padding=padding,
        dilations=dilations),
    lambda g, out, x, w, b, strides, padding, dilations: bind(_bias_add_grad, g))


@primitive("BiasAddGrad")
def _bias_add_grad(xp, g):
    """Sum over every axis but the last, as a ones-vector product (NumPy's strided axis-0 sum is
    several times slower)."""
    g2 = g.reshape(-1, g.shape[-1])
    return _mm(xp, xp.ones((1, g2.shape[0]), g.dtype), g2)[0]


_bias_add_grad.defvjp(lambda h, out, g: m.multiply(m.ones_like(g), h))


@primitive("Conv2DBackpropInput")
def _conv2d_bi(xp, g, w, in_hw, strides, padding, dilations):
    """Gradient of Conv2D w.r.t. its input (also `conv2d_transpose`).

    One batched GEMM gives, per window offset, a contiguous [N, *out, C] block, which is added
    into the input-shaped result through one strided slice (col2im as kh * kw adds)."""
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
    wb = w.reshape(kh * kw, c, o).transpose(0, 2, 1)
    full = (n,) + tuple(s + b + a for s, (_, b, a) in zip(in_hw, geom)) + (c,)
    dx = xp.empty(full, g.dtype)
    sls = [_offset_slices(geom, k_idx, strides, dilations)
           for k_idx in itertools.product(range(kh), range(kw))]

    def rows(lo, hi):  # per window offset a contiguous block, added in (col2im)
        blocks = _mm(xp, g[lo:hi].reshape(1, -1, o), wb).reshape((-1, hi - lo, oh, ow, c))
        d = dx[lo:hi]
        d[...] = 0
        for k, sl in enumerate(sls):
            d[sl] += blocks[k]

    backend.parallel_chunks(rows, n, dx.size + g.size * len(sls), xp)
    if any(b or a for _, b, a in geom):
        dx = dx[(slice(None),) + tuple(slice(b, b + s) for s, (_, b, _) in zip(in_hw, geom))]
    return dx


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
    n = x.shape[0]
    parts: dict = {}

    def rows(lo, hi):  # a chunk's share of the sum over the batch
        cols = _im2col(xp, x[lo:hi], geom, k_hw, strides, dilations)
        parts[lo] = _mm(xp, cols.T, g[lo:hi].reshape(-1, o))

    # below BLAS's own threading size, one product over the whole batch measured faster than
    # chunks on two threads (a long, skinny sum: the chunks contend for memory)
    flops = 2 * g.size * k_hw[0] * k_hw[1] * c
    work = g.size * k_hw[0] * k_hw[1] * c // max(o, 1) + g.size
    backend.parallel_chunks(rows, n, work if backend.large_product(flops) else 0, xp)
    dw = None
    for lo in sorted(parts):
        dw = parts[lo] if dw is None else dw + parts[lo]
    return dw.reshape(k_hw[0], k_hw[1], c, o)


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
    return _conv2d_call(input, filters, None, strides, padding, data_format, dilations)


def _conv2d_call(input, filters, bias, strides, padding, data_format, dilations):  # noqa: A002
    cf = data_format is not None and data_format.startswith("NC")
    x, w = _conv_inputs(input, filters, 2, "Conv2D")
    args = (_to_last(x, cf), w)
    prim = _conv2d
    if bias is not None:
        b = convert_to_tensor(bias, dtype=x.dtype) if not isinstance(bias, Tensor) else bias
        if b._v.dtype != x._v.dtype:
            raise errors.invalid_argument(
                f"cannot compute BiasAdd as input #1(zero-based) was expected to be a "
                f"{x.dtype.name} tensor but is a {b.dtype.name} tensor", "BiasAdd")
        if b._v.ndim != 1 or b._v.shape[0] != w._v.shape[-1]:
            raise errors.invalid_argument(
                f"Must provide as many biases as the last dimension of the input tensor: "
                f"[{','.join(map(str, b._v.shape))}] vs. [{w._v.shape[-1]}]", "BiasAdd")
        args, prim = args + (b,), _conv2d_bias
    return _from_last(bind(
        prim, *args, strides=_spatial(strides, 2, "strides", cf),
        padding=_padding(padding, 2, cf, "Conv2D"),
        dilations=_spatial(dilations, 2, "dilations", cf)), cf)


def fused_conv2d(input, filters, bias, strides, padding, data_format="NHWC",  # noqa: A002
                 dilations=None) -> Tensor:
    """`bias_add(conv2d(input, filters, ...), bias)` as one op (what Keras convolution layers
    call; TF's grappler fuses the pair the same way). `bias` has one value per output channel.

    Example:
      >>> fused_conv2d(tf.ones([1, 3, 3, 1]), tf.ones([2, 2, 1, 2]), [1., 2.], 1, "VALID")[0, 0, 0]
      <tf.Tensor: shape=(2,), dtype=float32, numpy=array([5., 6.], dtype=float32)>
    """
    return _conv2d_call(input, filters, bias, strides, padding, data_format, dilations)


__all__ = ["conv2d"]
