"""OpSpecs for the array op families: `nanotf/_src/ops/array.py` and its siblings (creation,
movement, indexing, scatter, sorting, segment, clipping).

The ops are taken from those modules directly, so the table does not depend on which names the
public facades export yet.
"""

from __future__ import annotations

import numpy as np

from nanotf._src.ops import (
    array,
    clipping,
    creation,
    indexing,
    movement,
    scatter,
    segment,
    sorting,
)
from tests.op_db import OpSpec

F = ("float32", "float64")
FI = ("float32", "float64", "int32")


def _mv(name, fn, ref, shapes, dtypes=FI, grad_order=2, **kw):
    """A movement op on one input of the given shapes."""
    return OpSpec(name, fn, ref, shapes=shapes, dtypes=dtypes, grad_order=grad_order, **kw)


# --- references ---------------------------------------------------------------------------------
def _np_gather_nd(p, idx, batch_dims=0):
    idx = np.asarray(idx)
    if batch_dims:
        return np.stack([_np_gather_nd(p[i], idx[i]) for i in range(p.shape[0])])
    return p[tuple(np.moveaxis(idx, -1, 0))]


def _np_scatter_nd(idx, upd, shape):
    out = np.zeros(shape, upd.dtype)
    np.add.at(out, tuple(np.moveaxis(np.asarray(idx), -1, 0)), upd)
    return out


def _np_tensor_scatter(mode):
    def ref(t, u):
        out = t.copy()
        ix = tuple(np.moveaxis(np.asarray(_TS_IDX), -1, 0))
        if mode == "update":
            out[ix] = u
        else:
            getattr(np, mode).at(out, ix, u)
        return out

    return ref


def _np_segment(fn, ids, num, empty=0.0):
    def ref(d):
        ids_ = np.asarray(ids)
        out = np.full((num,) + d.shape[ids_.ndim:], empty, d.dtype)
        for s in range(num):
            rows = d[ids_ == s]
            if len(rows):
                out[s] = fn(rows, axis=0)
        return out

    return ref


def _np_top_k(x, k):
    idx = np.argsort(-x, axis=-1, kind="stable")[..., :k]
    return np.take_along_axis(x, idx, -1), idx


def _np_linspace(a, b, n=5):
    return np.linspace(a, b, n, axis=0)


def _np_clip_by_norm(x, c=1.0):
    n = np.sqrt(np.sum(x * x))
    return x * c / max(n, c)


def _np_unique(x):
    _, first, inv = np.unique(x, return_index=True, return_inverse=True)
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return x[np.sort(first)], rank[inv]


# --- fixed index arguments ---------------------------------------------------------------------
_GND_IDX = [[0, 1], [1, 2], [0, 1]]  # duplicates: the VJP must add them up
_GND_ROWS = [[1], [0], [1]]
_GND_BATCH = [[[2], [0]], [[1], [1]]]
_SND_IDX = [[1], [3], [1]]
_TS_IDX = [[0], [2]]
_MASK = np.array([[True, False, True], [False, True, True]])
_SEG = [0, 0, 2, 3]
_USEG = [2, 0, -1, 2]


def _sorted_sample(rng, dtype):
    seq = np.sort(rng.uniform(-2, 2, (2, 5)), axis=1).astype(dtype)
    return [(seq, rng.uniform(-3, 3, (2, 4)).astype(dtype)), (seq[0], seq[0].copy())]


def _in_top_k_sample(rng, dtype):
    return [(rng.uniform(-2, 2, (4, 5)).astype("float32"),)]


SPECS = [
    # reshape family and joins
    _mv("reshape", lambda x: array.reshape(x, [3, -1]), lambda x: x.reshape(3, -1), [(2, 3)]),
    _mv("expand_dims", lambda x: array.expand_dims(x, 1), lambda x: np.expand_dims(x, 1),
        [(2, 3), (3,)]),
    _mv("squeeze", lambda x: array.squeeze(x), np.squeeze, [(1, 3, 1)]),
    _mv("transpose", array.transpose, np.transpose, [(2, 3), (2, 3, 4)]),
    _mv("broadcast_to", lambda x: array.broadcast_to(x, [2, 2, 3]),
        lambda x: np.broadcast_to(x, (2, 2, 3)), [(2, 1), (3,)]),
    OpSpec("concat", lambda x, y: movement.concat([x, y], axis=1),
           lambda x, y: np.concatenate([x, y], axis=1), shapes=[((2, 3), (2, 1))], dtypes=FI,
           grad_order=2),
    OpSpec("stack", lambda x, y: movement.stack([x, y], axis=1), lambda x, y: np.stack([x, y], 1),
           shapes=[((2, 3), (2, 3))], dtypes=FI, grad_order=2),
    _mv("split", lambda x: movement.split(x, [1, -1], axis=1), lambda x: np.split(x, [1], axis=1),
        [(2, 3)]),
    _mv("split_even", lambda x: movement.split(x, 2), lambda x: np.split(x, 2), [(4, 3)]),
    _mv("unstack", lambda x: movement.unstack(x, axis=1), lambda x: list(np.moveaxis(x, 1, 0)),
        [(2, 3)]),
    # slicing and reordering
    _mv("getitem", lambda x: x[::-1, None, 1:], lambda x: x[::-1, None, 1:], [(3, 4)]),
    _mv("getitem_ellipsis", lambda x: x[..., 0, ::2], lambda x: x[..., 0, ::2], [(2, 3, 4)]),
    _mv("slice", lambda x: indexing.slice(x, [1, 0], [-1, 2]), lambda x: x[1:, 0:2], [(3, 4)]),
    _mv("strided_slice", lambda x: indexing.strided_slice(x, [0, 3], [2, 0], [1, -2]),
        lambda x: x[0:2, 3:0:-2], [(3, 4)]),
    _mv("reverse", lambda x: movement.reverse(x, [0, -1]), lambda x: x[::-1, ::-1], [(2, 3)]),
    _mv("roll", lambda x: movement.roll(x, [1, -1], [0, 1]), lambda x: np.roll(x, (1, -1), (0, 1)),
        [(2, 3)]),
    _mv("tile", lambda x: movement.tile(x, [2, 3]), lambda x: np.tile(x, (2, 3)), [(2, 3)]),
    _mv("tile_scalar", lambda x: movement.tile(x, []), lambda x: x, [()]),
    _mv("pad", lambda x: movement.pad(x, [[1, 0], [2, 1]], constant_values=3),
        lambda x: np.pad(x, ((1, 0), (2, 1)), constant_values=3), [(2, 3)]),
    _mv("pad_reflect", lambda x: movement.pad(x, [[1, 2], [2, 1]], "REFLECT"),
        lambda x: np.pad(x, ((1, 2), (2, 1)), "reflect"), [(3, 3)]),
    _mv("pad_symmetric", lambda x: movement.pad(x, [[2, 1], [3, 0]], "symmetric"),
        lambda x: np.pad(x, ((2, 1), (3, 0)), "symmetric"), [(2, 3)]),
    _mv("repeat", lambda x: movement.repeat(x, [1, 0, 3], axis=1),
        lambda x: np.repeat(x, [1, 0, 3], axis=1), [(2, 3)]),
    _mv("repeat_flat", lambda x: movement.repeat(x, 2), lambda x: np.repeat(x, 2), [(2, 3)]),
    # gather / scatter
    _mv("gather_nd", lambda x: scatter.gather_nd(x, _GND_IDX), lambda x: _np_gather_nd(x, _GND_IDX),
        [(2, 3)]),
    _mv("gather_nd_rows", lambda x: scatter.gather_nd(x, _GND_ROWS),
        lambda x: _np_gather_nd(x, _GND_ROWS), [(2, 3, 2)]),
    _mv("gather_nd_batch", lambda x: scatter.gather_nd(x, _GND_BATCH, batch_dims=1),
        lambda x: _np_gather_nd(x, _GND_BATCH, 1), [(2, 3, 2)]),
    _mv("scatter_nd", lambda u: scatter.scatter_nd(_SND_IDX, u, [5, 2]),
        lambda u: _np_scatter_nd(_SND_IDX, u, (5, 2)), [(3, 2)]),
    OpSpec("tensor_scatter_nd_update", lambda t, u: scatter.tensor_scatter_nd_update(t, _TS_IDX, u),
           _np_tensor_scatter("update"), shapes=[((3, 2), (2, 2))], dtypes=FI, grad_order=2),
    OpSpec("tensor_scatter_nd_add", lambda t, u: scatter.tensor_scatter_nd_add(t, _TS_IDX, u),
           _np_tensor_scatter("add"), shapes=[((3, 2), (2, 2))], dtypes=FI, grad_order=2),
    OpSpec("tensor_scatter_nd_sub", lambda t, u: scatter.tensor_scatter_nd_sub(t, _TS_IDX, u),
           _np_tensor_scatter("subtract"), shapes=[((3, 2), (2, 2))], dtypes=FI, grad_order=2),
    OpSpec("tensor_scatter_nd_max", lambda t, u: scatter.tensor_scatter_nd_max(t, _TS_IDX, u),
           _np_tensor_scatter("maximum"), shapes=[((3, 2), (2, 2))], dtypes=FI),
    OpSpec("tensor_scatter_nd_min", lambda t, u: scatter.tensor_scatter_nd_min(t, _TS_IDX, u),
           _np_tensor_scatter("minimum"), shapes=[((3, 2), (2, 2))], dtypes=FI),
    _mv("boolean_mask", lambda x: indexing.boolean_mask(x, _MASK), lambda x: x[_MASK], [(2, 3)]),
    _mv("boolean_mask_axis1", lambda x: indexing.boolean_mask(x, [True, False, True], axis=1),
        lambda x: x[:, [0, 2]], [(2, 3)]),
    _mv("boolean_mask_float_mask", lambda x: indexing.boolean_mask(x, _MASK.astype(np.float32)),
        lambda x: x[_MASK], [(2, 3)]),
    # sorting and searching
    _mv("sort", sorting.sort, lambda x: np.sort(x, axis=-1), [(3,), (2, 4)]),
    _mv("sort_descending_axis0", lambda x: sorting.sort(x, axis=0, direction="DESCENDING"),
        lambda x: -np.sort(-x, axis=0), [(3, 2)]),
    OpSpec("argsort", sorting.argsort, lambda x: np.argsort(x, axis=-1, kind="stable"),
           shapes=[(4,), (2, 4)], dtypes=FI, out_dtype="int32", grad_order=0, nondiff=True),
    OpSpec("top_k", lambda x: sorting.top_k(x, 2), lambda x: _np_top_k(x, 2), shapes=[(4,), (2, 4)],
           dtypes=FI, out_dtype=[None, "int32"], grad_order=2),
    OpSpec("unique", lambda x: sorting.unique(array.reshape(x, [-1])),
           lambda x: _np_unique(x.reshape(-1)), sample_inputs=lambda rng, dt: [
               (np.array([3, 1, 3, 2, 1], dt),)], dtypes=FI, out_dtype=[None, "int32"],
           grad_order=0, nondiff=True),
    OpSpec("searchsorted", sorting.searchsorted,
           lambda s, v: np.stack([np.searchsorted(a, b) for a, b in
                                  zip(s.reshape(-1, s.shape[-1]), v.reshape(-1, v.shape[-1]))]
                                 ).reshape(v.shape),
           sample_inputs=_sorted_sample, out_dtype="int32", grad_order=0, nondiff=True),
    OpSpec("in_top_k", lambda p: sorting.in_top_k([0, 1, 2, 4], p, 2),
           lambda p: np.array([np.sum(p[i] > p[i, t]) < 2 for i, t in enumerate([0, 1, 2, 4])]),
           sample_inputs=_in_top_k_sample, dtypes=("float32",), out_dtype="bool", grad_order=0),
    # segment reductions
    _mv("segment_sum", lambda x: segment.segment_sum(x, _SEG), _np_segment(np.sum, _SEG, 4),
        [(4, 2)]),
    _mv("segment_mean", lambda x: segment.segment_mean(x, _SEG), _np_segment(np.mean, _SEG, 4),
        [(4, 2)], dtypes=F),
    _mv("segment_max", lambda x: segment.segment_max(x, _SEG), _np_segment(np.max, _SEG, 4),
        [(4, 2)]),
    _mv("segment_min", lambda x: segment.segment_min(x, _SEG), _np_segment(np.min, _SEG, 4),
        [(4, 2)]),
    _mv("segment_prod", lambda x: segment.segment_prod(x, _SEG), _np_segment(np.prod, _SEG, 4, 1),
        [(4, 2)]),
    _mv("unsorted_segment_sum", lambda x: segment.unsorted_segment_sum(x, _USEG, 3),
        _np_segment(np.sum, _USEG, 3), [(4, 2)]),
    _mv("unsorted_segment_mean", lambda x: segment.unsorted_segment_mean(x, _USEG, 3),
        _np_segment(np.mean, _USEG, 3), [(4, 2)], dtypes=F),
    _mv("unsorted_segment_sqrt_n", lambda x: segment.unsorted_segment_sqrt_n(x, _USEG, 3),
        _np_segment(lambda r, axis: np.sum(r, axis) / np.sqrt(len(r)), _USEG, 3), [(4, 2)],
        dtypes=F),
    _mv("unsorted_segment_max", lambda x: segment.unsorted_segment_max(x, [1, 0, 1, 1], 2),
        _np_segment(np.max, [1, 0, 1, 1], 2), [(4, 2)]),
    _mv("unsorted_segment_min", lambda x: segment.unsorted_segment_min(x, [1, 0, 1, 1], 2),
        _np_segment(np.min, [1, 0, 1, 1], 2), [(4, 2)]),
    _mv("unsorted_segment_prod", lambda x: segment.unsorted_segment_prod(x, _USEG, 3),
        _np_segment(np.prod, _USEG, 3, 1), [(4, 2)]),
    OpSpec("bincount_weights", lambda w: segment.bincount([1, 1, 3, 0], weights=w),
           lambda w: np.bincount([1, 1, 3, 0], weights=w).astype(w.dtype), shapes=[(4,)],
           grad_order=0, nondiff=True),
    OpSpec("confusion_matrix_weights",
           lambda w: segment.confusion_matrix([0, 1, 1], [1, 1, 0], weights=w, dtype=w.dtype),
           lambda w: _np_scatter_nd([[0, 1], [1, 1], [1, 0]], w, (2, 2)), shapes=[(3,)]),
    # creation, masks and clipping
    OpSpec("linspace", lambda a, b: creation.linspace(a, b, 5), _np_linspace,
           shapes=[((), ()), ((2,), (2,))]),
    OpSpec("meshgrid", lambda a, b: creation.meshgrid(a, b), lambda a, b: np.meshgrid(a, b),
           shapes=[((3,), (2,))], dtypes=FI, grad_order=2),
    OpSpec("sequence_mask", lambda x: creation.sequence_mask([1, 3], 3, dtype=x.dtype),
           lambda x: np.array([[1, 0, 0], [1, 1, 1]], x.dtype), shapes=[()], dtypes=FI,
           grad_order=0, nondiff=True),
    _mv("clip_by_norm", lambda x: clipping.clip_by_norm(x, 1.0), _np_clip_by_norm, [(2, 3), (3,)],
        dtypes=F),
    OpSpec("clip_by_norm_axes", lambda x: clipping.clip_by_norm(x, 1.0, axes=[1]),
           lambda x: x / np.maximum(np.sqrt(np.sum(x * x, 1, keepdims=True)), 1.0),
           shapes=[(3, 2)]),
    OpSpec("global_norm", lambda x, y: clipping.global_norm([x, y]),
           lambda x, y: np.sqrt(np.sum(x * x) + np.sum(y * y)), shapes=[((2, 3), (4,))]),
    OpSpec("clip_by_global_norm", lambda x, y: clipping.clip_by_global_norm([x, y], 1.5)[0],
           lambda x, y: [v * 1.5 / max(1.5, np.sqrt(np.sum(x * x) + np.sum(y * y)))
                         for v in (x, y)], shapes=[((2, 3), (4,))]),
    _mv("ensure_shape", lambda x: array.ensure_shape(x, [None, 3]), lambda x: x, [(2, 3)]),
]
