"""`tf.nn` max and average pooling (1-D to 3-D), with their gradients as primitives."""

from __future__ import annotations

import itertools

from nanotf._src import backend, errors
from nanotf._src.backend import np
from nanotf._src.dispatch import bind, primitive
from nanotf._src.ops.activations import _floating
from nanotf._src.ops.conv import (
    _from_last,
    _geom,
    _offset_slices,
    _padded,
    _padding,
    _spatial,
    _to_last,
)
from nanotf._src.tensor import Tensor, convert_to_tensor

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
    sls = [_offset_slices(geom, k_idx, strides, (1,) * len(ksize))
           for k_idx in itertools.product(*[range(k) for k in ksize])]
    if len(sls) == 1:
        return xpad[sls[0]].copy()
    out = xp.empty((x.shape[0],) + tuple(g[0] for g in geom) + x.shape[-1:], x.dtype)

    def rows(lo, hi):
        o, xr = out[lo:hi], xpad[lo:hi]
        xp.maximum(xr[sls[0]], xr[sls[1]], out=o)
        for sl in sls[2:]:
            xp.maximum(o, xr[sl], out=o)

    backend.parallel_chunks(rows, x.shape[0], x.size, xp)
    return out


_max_pool.defvjp(lambda g, out, x, ksize, strides, padding: bind(
    _max_pool_grad_out, x, out, g, ksize=ksize, strides=strides, padding=padding))


def _tiles(xp, x, g, ksize):
    """Per window offset, the slice of `x` it reads, and the result array, zero past the last
    window (when the windows tile `x`: stride = window, no padding)."""
    geom = tuple((o, 0, 0) for o in g.shape[1:-1])
    ones = (1,) * len(ksize)
    idx = [_offset_slices(geom, k_idx, ksize, ones)
           for k_idx in itertools.product(*[range(k) for k in ksize])]
    dx = xp.empty(x.shape, g.dtype)
    for d, (o, k, n) in enumerate(zip(g.shape[1:-1], ksize, x.shape[1:-1])):
        if o * k < n:  # rows/columns past the last window get no gradient
            dx[(slice(None),) * (d + 1) + (slice(o * k, None),)] = 0
    return idx, dx


def _tiling(x, ksize, strides, padding) -> bool:
    return tuple(ksize) == tuple(strides) and not any(
        b or a for _, b, a in _geom(x.shape[1:-1], ksize, strides, (1,) * len(ksize), padding))


@primitive("MaxPoolGradWithOutput")
def _max_pool_grad_out(xp, x, out, g, ksize, strides, padding):
    """MaxPoolGrad given the pooled output too (TF's MaxPoolGrad signature).

    With tiling windows and no NaN, a window's first maximum is its first element equal to
    `out`: one comparison per offset instead of the running maximum `_max_pool_grad` needs."""
    return _first_max_grad(xp, x, out, g, ksize, strides, padding, False)


def max_pool_relu_grad(xp, x, out, g, ksize, strides, padding):
    """`ReluGrad(MaxPoolGradWithOutput(x, out, g), x)` for `x` a Relu's output, in one pass: the
    pooled gradient is masked by `out > 0` (4x smaller than `x` for 2x2 windows) instead of the
    pooled-back one by `x > 0`; equal to the pair up to the sign of zeros (compiled Plans fuse
    the pair into this, as TF's grappler fuses elementwise tails)."""
    return _first_max_grad(xp, x, out, g, ksize, strides, padding, True)


def _first_max_grad(xp, x, out, g, ksize, strides, padding, relu):
    if not _tiling(x, ksize, strides, padding) or (
            x.dtype.kind == "f" and out.size and xp.isnan(out.max())):  # max: NaN if any is
        dx = _max_pool_grad.impl(xp, x, g, ksize, strides, padding)
        return dx * (x > 0) if relu else dx
    idx, dx = _tiles(xp, x, g, ksize)
    k = backend.compiled(x)
    if k is not None and len(ksize) == 2 and x.dtype == out.dtype == g.dtype and \
            out.flags.c_contiguous and g.flags.c_contiguous:
        def tiles(lo, hi):  # the compiled kernel releases the GIL: chunks run in parallel
            k.max_pool_grad_tiles(x[lo:hi], out[lo:hi], g[lo:hi], ksize[0], ksize[1], relu,
                                  dx[lo:hi])

        backend.parallel_chunks(tiles, x.shape[0], x.size, xp)
        return dx
    it = np.dtype(f"i{g.dtype.itemsize}") if g.dtype.kind == "f" else None

    def rows(lo, hi):
        xr, outr, gr, dxr = x[lo:hi], out[lo:hi], g[lo:hi], dx[lo:hi]
        if relu:
            gr = gr * (outr > 0)
        if it is not None:
            # `g * hit` in the float's integer twin: a miss gives +0.0 (not -0.0 for a negative
            # g) with no extra pass over the result; `+ 0` first turns a -0.0 into +0.0
            gr, dxr = (gr + gr.dtype.type(0)).view(it), dxr.view(it)
        taken = None
        for sl in idx:
            hit = xp.equal(xr[sl], outr)
            if taken is None:
                taken = hit
            else:
                first = xp.greater(hit, taken)  # hit & ~taken
                xp.logical_or(taken, hit, out=taken)
                hit = first
            xp.multiply(gr, hit, out=dxr[sl])

    backend.parallel_chunks(rows, x.shape[0], x.size, xp)
    return dx


_max_pool_grad_out.defvjp(None, None, lambda h, o, x, out, g, ksize, strides, padding: bind(
    _max_pool_grad_grad, x, h, ksize=ksize, strides=strides, padding=padding))


@primitive("MaxPoolGrad")
def _max_pool_grad(xp, x, g, ksize, strides, padding):
    """Routes each output's gradient to the first maximum of its window."""
    if _tiling(x, ksize, strides, padding):
        return _tiled_pool_grad(xp, x, g, ksize)
    xpad, geom, _, arg = _argmax_windows(xp, x, ksize, strides, padding)
    dx = xp.zeros(xpad.shape, g.dtype)
    for i, k_idx in enumerate(itertools.product(*[range(k) for k in ksize])):
        dx[_offset_slices(geom, k_idx, strides, (1,) * len(ksize))] += g * (arg == i)
    crop = (slice(None),) + tuple(slice(b, b + n) for n, (_, b, _) in
                                  zip(x.shape[1:-1], geom))
    return dx[crop]


def _tiled_pool_grad(xp, x, g, ksize):
    """MaxPoolGrad for windows that tile the input (stride = window, no padding).

    Each window offset is one strided slice of `x` and of the result. A running strict `>`
    against the running maximum marks where each offset takes the lead (as `_argmax_windows`,
    so ties and NaNs pick the same element); an offset keeps the gradient if no later one takes
    the lead, and `g * hit` is written straight into its slice, then `+ 0` as the general
    scatter-add computes (a negative `g` times a miss gives -0.0 there, +0.0 here)."""
    idx, dx = _tiles(xp, x, g, ksize)
    if len(idx) == 1:
        dx[idx[0]] = g
        dx += g.dtype.type(0)
        return dx
    best = x[idx[0]].copy()
    leads = []
    for sl in idx[1:]:
        v = x[sl]
        leads.append(v > best)
        xp.maximum(best, v, out=best)
    later = leads[-1]
    xp.multiply(g, later, out=dx[idx[-1]])
    for k in range(len(idx) - 2, 0, -1):
        xp.multiply(g, xp.greater(leads[k - 1], later), out=dx[idx[k]])  # lead & ~later
        xp.logical_or(later, leads[k - 1], out=later)
    xp.multiply(g, xp.logical_not(later), out=dx[idx[0]])
    dx += g.dtype.type(0)
    return dx


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


__all__ = [
    "avg_pool", "avg_pool1d", "avg_pool2d", "avg_pool3d", "max_pool", "max_pool1d", "max_pool2d",
    "max_pool3d"
]
