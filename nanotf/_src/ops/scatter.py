"""N-d indexing: gather_nd, scatter_nd and tensor_scatter_nd_* (update, add, sub, max, min).

gather_nd and scatter_nd are each other's VJP.
"""

from __future__ import annotations

from nanotf._src import errors
from nanotf._src.backend import np
from nanotf._src.dispatch import bind, primitive, same_dtype
from nanotf._src.ops import math as m
from nanotf._src.ops.array import _fmt, _index_tensor, _int_list, _int_scalar
from nanotf._src.tensor import Tensor, convert_to_tensor

# =============================== gather_nd / scatter_nd ===============================


def _nd_rows(xp, shape, indices, batch_dims, op, what):
    """Flat row numbers (into `shape` with its indexed leading dims merged) of gather_nd-style
    index tuples, checking bounds; returns (rows, trailing shape)."""
    q = indices.shape[-1]
    dims = shape[batch_dims:batch_dims + q]
    rest = shape[batch_dims + q:]
    idx = indices.astype(np.int64, copy=False)
    lim = np.array(dims, dtype=np.int64)
    bad = (idx < 0) | (idx >= lim)
    if bad.any():
        row = int(np.argmax(bad.reshape(-1, q).any(1)))
        vals = ", ".join(str(v) for v in idx.reshape(-1, q)[row].tolist())
        raise errors.invalid_argument(
            f"indices[{row}] = [{vals}] does not index into {what} {_fmt(shape)}"
            + (", node name: GatherNd" if op == "GatherNd" else ""), op)
    strides = np.ones(q, dtype=np.int64)
    for i in range(q - 2, -1, -1):
        strides[i] = strides[i + 1] * dims[i + 1]
    rows = idx @ strides if q else np.zeros(indices.shape[:-1], np.int64)
    if batch_dims:
        nb = int(np.prod(shape[:batch_dims]))
        per = int(np.prod(dims)) if q else 1
        b = np.arange(nb, dtype=np.int64).reshape(shape[:batch_dims]
                                                  + (1,) * (rows.ndim - batch_dims))
        rows = rows + b * per
    return rows, rest


@primitive("GatherNd")
def _gather_nd(xp, params, indices, batch_dims):
    rows, rest = _nd_rows(xp, params.shape, indices, batch_dims, "GatherNd", "param shape")
    return params.reshape((-1,) + rest)[rows]


_gather_nd.defvjp(lambda g, out, params, indices, batch_dims:
                  _scatter_nd(indices, g, shape=params._v.shape, batch_dims=batch_dims), None)


@primitive("ScatterNd")
def _scatter_nd(xp, indices, updates, shape, batch_dims):
    rows, rest = _nd_rows(xp, shape, indices, batch_dims, "ScatterNd", "shape")
    out = xp.zeros((int(np.prod(shape[:len(shape) - len(rest)])),) + rest, dtype=updates.dtype)
    xp.add.at(out, rows.reshape(-1), updates.reshape((-1,) + rest))
    return out.reshape(shape)


_scatter_nd.defvjp(None, lambda g, out, indices, updates, shape, batch_dims:
                   _gather_nd(g, indices, batch_dims=batch_dims))


def gather_nd(params, indices, batch_dims=0, name=None, bad_indices_policy="") -> Tensor:
    """Gathers slices of `params` addressed by the index tuples in the last axis of `indices`.

    Example:
      >>> tf.gather_nd(tf.constant([[1, 2], [3, 4]]), [[1, 0], [0, 1]])
      <tf.Tensor: shape=(2,), dtype=int32, numpy=array([3, 2], dtype=int32)>
    """
    p = convert_to_tensor(params)
    ix = _index_tensor(indices, "GatherNd")
    bd = _int_scalar(batch_dims)
    if ix._v.ndim == 0:
        raise errors.invalid_argument("indices must be at least a vector", "GatherNd")
    if bd and bd >= ix._v.ndim:
        raise ValueError(f"Argument `batch_dims` = {bd} must be less than rank(`indices`) = "
                         f"{ix._v.ndim}")
    q = ix._v.shape[-1]
    if q > p._v.ndim - bd:
        raise errors.invalid_argument("index innermost dimension length must be <= params rank; "
                                      f"saw: {q} vs. {p._v.ndim - bd}", "GatherNd")
    if bd and ix._v.shape[:bd] != p._v.shape[:bd]:
        raise errors.invalid_argument(
            f"batch dimensions of params {_fmt(p._v.shape)} and indices {_fmt(ix._v.shape)} "
            "must match", "GatherNd")
    return bind(_gather_nd, p, ix, batch_dims=bd)


def _check_updates(ix, upd, shape, op):
    q = ix._v.shape[-1] if ix._v.ndim else 0
    want = ix._v.shape[:-1] + tuple(shape[q:])
    if upd._v.shape != want:
        if op == "ScatterNd":
            k = ix._v.ndim - 1
            raise errors.invalid_argument(
                f"Dimensions [0,{k}) of indices[shape={_fmt(ix._v.shape)}] must match "
                f"dimensions [0,{k}) of updates[shape={_fmt(upd._v.shape)}]", op)
        raise errors.invalid_argument(
            "Outer dimensions of indices and update must match. Indices shape: "
            f"{_fmt(ix._v.shape)}, updates shape:{_fmt(upd._v.shape)}", op)
    if q > len(shape):
        raise errors.invalid_argument("Index innermost dimension length must be <= output rank; "
                                      f"saw: {q} vs. {len(shape)}", op)


def scatter_nd(indices, updates, shape, bad_indices_policy="", name=None) -> Tensor:
    """A zero tensor of `shape` with `updates` added at the index tuples in `indices`.

    Duplicate indices add up.

    Example:
      >>> tf.scatter_nd([[1], [3]], [5., 6.], [4])
      <tf.Tensor: shape=(4,), dtype=float32, numpy=array([0., 5., 0., 6.], dtype=float32)>
    """
    ix = _index_tensor(indices, "ScatterNd")
    upd = convert_to_tensor(updates)
    shp = tuple(_int_list(shape, "ScatterNd", "Tindices"))
    _check_updates(ix, upd, shp, "ScatterNd")
    if not int(np.prod(shp)) and ix._v.size:
        raise errors.invalid_argument("Indices and updates specified for empty output.  indices "
                                      f"shape: {_fmt(ix._v.shape)}", "ScatterNd")
    return bind(_scatter_nd, ix, upd, shape=shp, batch_dims=0)


# =============================== tensor_scatter_nd_* ===============================


def _tensor_scatter_prim(op, mode):
    @primitive(op)
    def prim(xp, tensor, indices, updates):
        rows, rest = _nd_rows(xp, tensor.shape, indices, 0, op, "shape")
        out = tensor.copy().reshape((-1,) + rest)
        r, u = rows.reshape(-1), updates.reshape((-1,) + rest)
        if mode == "update":
            out[r] = u
        else:
            getattr(xp, mode).at(out, r, u)
        return out.reshape(tensor.shape)

    return prim


_scatter_update = _tensor_scatter_prim("TensorScatterUpdate", "update")
_scatter_add = _tensor_scatter_prim("TensorScatterAdd", "add")
_scatter_sub = _tensor_scatter_prim("TensorScatterSub", "subtract")
_scatter_max = _tensor_scatter_prim("TensorScatterMax", "maximum")
_scatter_min = _tensor_scatter_prim("TensorScatterMin", "minimum")
_scatter_update.defvjp(
    lambda g, out, t, ix, u: _scatter_update(g, ix, m.zeros_like(u)), None,
    lambda g, out, t, ix, u: _gather_nd(g, ix, batch_dims=0))
_scatter_add.defvjp(lambda g, out, t, ix, u: g, None,
                    lambda g, out, t, ix, u: _gather_nd(g, ix, batch_dims=0))
_scatter_sub.defvjp(lambda g, out, t, ix, u: g, None,
                    lambda g, out, t, ix, u: m.negative(_gather_nd(g, ix, batch_dims=0)))


def _scatter_minmax_vjps(g, out, t, ix, u):
    # as TF: ties between the tensor and the updates share the gradient equally
    xi = m.cast(m.equal(t, out), g.dtype)
    yi = m.cast(m.equal(u, _gather_nd(out, ix, batch_dims=0)), g.dtype)
    share = m.add(xi, _scatter_nd(ix, yi, shape=t._v.shape, batch_dims=0))
    return [m.divide_no_nan(m.multiply(g, xi), share), None,
            m.multiply(_gather_nd(m.divide_no_nan(g, share), ix, batch_dims=0), yi)]


_scatter_max.vjps = _scatter_minmax_vjps
_scatter_min.vjps = _scatter_minmax_vjps


def _tensor_scatter(prim, tensor, indices, updates):
    t = convert_to_tensor(tensor)
    ix = _index_tensor(indices, prim.name, "int16, int32, int64, uint16")
    u = updates if isinstance(updates, Tensor) else convert_to_tensor(updates, dtype=t.dtype)
    if u._v.dtype != t._v.dtype:
        same_dtype(prim.name, t, t, u)
    _check_updates(ix, u, t._v.shape, prim.name)
    return bind(prim, t, ix, u)


def tensor_scatter_nd_update(tensor, indices, updates, name=None) -> Tensor:
    """A copy of `tensor` with the slices at `indices` replaced by `updates`.

    Example:
      >>> tf.tensor_scatter_nd_update([1, 2, 3], [[1]], [9])
      <tf.Tensor: shape=(3,), dtype=int32, numpy=array([1, 9, 3], dtype=int32)>
    """
    return _tensor_scatter(_scatter_update, tensor, indices, updates)


def tensor_scatter_nd_add(tensor, indices, updates, bad_indices_policy="", name=None) -> Tensor:
    """A copy of `tensor` with `updates` added at `indices` (duplicates add up).

    Example: `tf.tensor_scatter_nd_add(tf.ones([3]), [[0], [0]], [1., 2.])` is [4., 1., 1.].
    """
    return _tensor_scatter(_scatter_add, tensor, indices, updates)


def tensor_scatter_nd_sub(tensor, indices, updates, bad_indices_policy="", name=None) -> Tensor:
    """A copy of `tensor` with `updates` subtracted at `indices`.

    Example: `tf.tensor_scatter_nd_sub(tf.ones([3]), [[1]], [1.])` is [1., 0., 1.].
    """
    return _tensor_scatter(_scatter_sub, tensor, indices, updates)


def tensor_scatter_nd_max(tensor, indices, updates, bad_indices_policy="", name=None) -> Tensor:
    """A copy of `tensor` holding the maximum of itself and `updates` at `indices`.

    Example: `tf.tensor_scatter_nd_max(tf.zeros([2]), [[1]], [3.])` is [0., 3.].
    """
    return _tensor_scatter(_scatter_max, tensor, indices, updates)


def tensor_scatter_nd_min(tensor, indices, updates, bad_indices_policy="", name=None) -> Tensor:
    """A copy of `tensor` holding the minimum of itself and `updates` at `indices`.

    Example: `tf.tensor_scatter_nd_min(tf.zeros([2]), [[1]], [-3.])` is [0., -3.].
    """
    return _tensor_scatter(_scatter_min, tensor, indices, updates)
