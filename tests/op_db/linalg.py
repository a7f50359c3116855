"""OpSpecs for `nanotf/_src/ops/linalg.py`: products, einsum, norms, decompositions, diagonals.

Decompositions are checked through gauge-invariant outputs (e.g. `u @ v^T` rather than `u`)
where the factors are only unique up to signs.
"""

from __future__ import annotations

import numpy as np

import nanotf as tf
from tests.op_db import OpSpec

LA = tf.linalg
TOL = {"float32": 1e-4}


def _mats(*shapes, spd=False, tri=False):
    """sample_inputs: random matrices of `shapes`; the first one SPD or with a dominant diagonal."""
    def sample(rng, dtype):
        out = []
        for i, s in enumerate(shapes):
            a = rng.standard_normal(s)
            if spd and i == 0:
                a = a @ np.swapaxes(a, -1, -2) + s[-1] * np.eye(s[-1])
            if tri and i == 0:
                a = a + 3 * np.eye(s[-1]) * np.sign(a.diagonal(axis1=-2, axis2=-1))[..., None]
            out.append(a.astype(dtype))
        return [tuple(out)]
    return sample


def _sym(a):
    return (a + LA.matrix_transpose(a)) * 0.5


def _np_sym(a):
    return (a + np.swapaxes(a, -1, -2)) / 2


def _mat(name, fn, ref, *shapes, grad_order=1, spd=False, tri=False, **kw):
    kw.setdefault("tol", TOL)
    return OpSpec(name, fn, ref, sample_inputs=_mats(*shapes, spd=spd, tri=tri),
                  grad_order=grad_order, **kw)


def _norm_ref(x, ord="euclidean", axis=None):
    if ord == "euclidean" and axis is None:
        return np.sqrt((x * x).sum())
    return np.linalg.norm(x, ord=None if ord in ("euclidean", "fro") else ord, axis=axis)


def _diag_k(d, k):
    n = d.shape[-1] + abs(k)
    out = np.zeros(d.shape[:-1] + (n, n), d.dtype)
    i = np.arange(d.shape[-1])
    out[..., i + max(-k, 0), i + max(k, 0)] = d
    return out


def _set_diag_ref(a, d):
    out = a.copy()
    i = np.arange(d.shape[-1])
    out[..., i, i] = d
    return out


def _qr_ref(a):
    q, r = np.linalg.qr(a)
    return q, r


def _svd_uv(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return s, u @ vh


def _eigh_proj(a):
    e, v = np.linalg.eigh(_np_sym(a))
    return e, v * v


SPECS = [
    _mat("matmul", LA.matmul, np.matmul, (2, 3), (3, 4), grad_order=2),
    _mat("matmul_batch_transpose_b", lambda a, b: LA.matmul(a, b, transpose_b=True),
         lambda a, b: a @ np.swapaxes(b, -1, -2), (2, 2, 3), (2, 4, 3)),
    _mat("matvec", LA.matvec, lambda a, b: a @ b, (2, 3, 4), (4,), grad_order=2),
    _mat("tensordot_int", lambda a, b: LA.tensordot(a, b, 2),
         lambda a, b: np.tensordot(a, b, 2), (2, 3, 4), (3, 4, 2), grad_order=2),
    _mat("tensordot_lists", lambda a, b: LA.tensordot(a, b, [[0, 2], [1, 0]]),
         lambda a, b: np.tensordot(a, b, [[0, 2], [1, 0]]), (2, 3, 4), (4, 2, 5)),
    _mat("einsum_matmul", lambda a, b: LA.einsum("ij,jk->ik", a, b),
         lambda a, b: a @ b, (2, 3), (3, 4), grad_order=2),
    _mat("einsum_batch", lambda a, b: LA.einsum("bij,bkj->bik", a, b),
         lambda a, b: np.einsum("bij,bkj->bik", a, b), (2, 2, 3), (2, 4, 3)),
    _mat("einsum_ellipsis", lambda a, b: LA.einsum("...ij,jk->...ik", a, b),
         lambda a, b: a @ b, (2, 2, 3), (3, 2)),
    _mat("einsum_trace", lambda a: LA.einsum("ii", a), np.trace, (3, 3), grad_order=2),
    _mat("einsum_diag", lambda a: LA.einsum("ii->i", a), np.diagonal, (3, 3)),
    _mat("einsum_reduce_outer", lambda a, b: LA.einsum("ij,k->jk", a, b),
         lambda a, b: np.einsum("ij,k->jk", a, b), (2, 3), (4,)),
    _mat("einsum_three", lambda a, b, c: LA.einsum("ij,jk,kl->il", a, b, c),
         lambda a, b, c: a @ b @ c, (2, 3), (3, 4), (4, 2)),
    OpSpec("norm", LA.norm, _norm_ref, shapes=[(3,), (2, 3)], domain="nonzero", grad_order=2),
    OpSpec("norm_axis", lambda x: LA.norm(x, axis=1, keepdims=True),
           lambda x: np.linalg.norm(x, axis=1, keepdims=True), shapes=[(2, 3)],
           domain="nonzero"),
    OpSpec("norm_ord1", lambda x: LA.norm(x, 1, axis=0), lambda x: _norm_ref(x, 1, 0),
           shapes=[(2, 3)], domain="nonzero"),
    OpSpec("norm_ord3", lambda x: LA.norm(x, 3, axis=-1), lambda x: _norm_ref(x, 3, -1),
           shapes=[(2, 3)], domain="nonzero"),
    OpSpec("norm_inf", lambda x: LA.norm(x, np.inf, axis=1), lambda x: _norm_ref(x, np.inf, 1),
           shapes=[(2, 3)], sample_inputs=lambda rng, dt: [
               (rng.permutation(6).reshape(2, 3).astype(dt) - 2.5,)]),
    OpSpec("norm_fro", lambda x: LA.norm(x, "fro", axis=(1, 2)),
           lambda x: _norm_ref(x, "fro", (1, 2)), shapes=[(2, 3, 4)], domain="nonzero"),
    OpSpec("norm_matrix_1", lambda x: LA.norm(x, 1, axis=[0, 1]),
           lambda x: _norm_ref(x, 1, (0, 1)), shapes=[(3, 4)], domain="positive"),
    OpSpec("norm_matrix_2", lambda x: LA.norm(x, 2, axis=[0, 1]),
           lambda x: _norm_ref(x, 2, (0, 1)), shapes=[(3, 4)], tol=TOL),
    _mat("inv", LA.inv, np.linalg.inv, (3, 3), tri=True, grad_order=2),
    _mat("inv_adjoint", lambda a: LA.inv(a, adjoint=True),
         lambda a: np.linalg.inv(np.swapaxes(a, -1, -2)), (2, 3, 3), tri=True),
    _mat("det", LA.det, np.linalg.det, (2, 3, 3), grad_order=2),
    _mat("slogdet", LA.slogdet, lambda a: tuple(np.linalg.slogdet(a)), (3, 3), tri=True),
    _mat("logdet", lambda a: LA.logdet(_sym(a)), lambda a: np.linalg.slogdet(a)[1], (3, 3),
         spd=True),
    _mat("cholesky", lambda a: LA.cholesky(_sym(a)), np.linalg.cholesky, (2, 3, 3), spd=True,
         grad_order=2),
    _mat("solve", LA.solve, np.linalg.solve, (3, 3), (3, 2), tri=True, grad_order=2),
    _mat("solve_adjoint", lambda a, b: LA.solve(a, b, adjoint=True),
         lambda a, b: np.linalg.solve(a.T, b), (3, 3), (3, 2), tri=True),
    _mat("triangular_solve", LA.triangular_solve,
         lambda a, b: np.linalg.solve(np.tril(a), b), (3, 3), (3, 2), tri=True),
    _mat("triangular_solve_upper_adjoint",
         lambda a, b: LA.triangular_solve(a, b, lower=False, adjoint=True),
         lambda a, b: np.linalg.solve(np.triu(a).T, b), (3, 3), (3, 2), tri=True),
    _mat("cholesky_solve", lambda a, b: LA.cholesky_solve(LA.cholesky(_sym(a)), b),
         lambda a, b: np.linalg.solve(a, b), (3, 3), (3, 2), spd=True),
    _mat("lstsq", LA.lstsq, lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0], (4, 2), (4, 3)),
    _mat("lstsq_wide", LA.lstsq, lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0], (2, 4),
         (2, 3)),
    _mat("qr", LA.qr, _qr_ref, (4, 3)),
    _mat("qr_square", LA.qr, _qr_ref, (3, 3)),
    _mat("qr_wide", LA.qr, _qr_ref, (2, 4)),
    _mat("svd_values", lambda a: LA.svd(a, compute_uv=False),
         lambda a: np.linalg.svd(a, compute_uv=False), (2, 3, 4)),
    _mat("svd_uv", lambda a: (lambda s, u, v: (s, LA.matmul(u, v, adjoint_b=True)))(*LA.svd(a)),
         _svd_uv, (4, 3)),
    _mat("svd_uv_wide", lambda a: (lambda s, u, v: (s, LA.matmul(u, v, adjoint_b=True)))(
        *LA.svd(a)), _svd_uv, (2, 4)),
    _mat("eigh", lambda a: (lambda e, v: (e, v * v))(*LA.eigh(_sym(a))), _eigh_proj, (3, 3)),
    _mat("eigvalsh", lambda a: LA.eigvalsh(_sym(a)), lambda a: np.linalg.eigvalsh(_np_sym(a)),
         (2, 3, 3)),
    _mat("pinv", LA.pinv, np.linalg.pinv, (3, 2)),
    OpSpec("diag", LA.diag, lambda d: _diag_k(d, 0), shapes=[(3,), (2, 3)], grad_order=2),
    OpSpec("diag_k1", lambda d: LA.diag(d, k=1), lambda d: _diag_k(d, 1), shapes=[(3,)]),
    OpSpec("diag_part", LA.diag_part, lambda a: np.diagonal(a, 0, -2, -1),
           shapes=[(3, 3), (2, 3, 4)], grad_order=2),
    OpSpec("diag_part_k", lambda a: LA.diag_part(a, k=-1), lambda a: np.diagonal(a, -1, -2, -1),
           shapes=[(3, 4)]),
    OpSpec("set_diag", LA.set_diag, _set_diag_ref, shapes=[((3, 3), (3,)), ((2, 3, 3), (2, 3))],
           grad_order=2),
    OpSpec("band_part", lambda a: LA.band_part(a, 1, 0),
           lambda a: np.tril(a) - np.tril(a, -2), shapes=[(3, 4), (2, 3, 3)], grad_order=2),
    OpSpec("trace", LA.trace, lambda a: np.trace(a, axis1=-2, axis2=-1),
           shapes=[(3, 3), (2, 3, 4)], grad_order=2),
    OpSpec("tensor_diag", LA.tensor_diag, lambda d: np.diag(d.ravel()).reshape(d.shape * 2),
           shapes=[(3,), (2, 2)]),
    OpSpec("adjoint", LA.adjoint, lambda a: np.swapaxes(a, -1, -2), shapes=[(2, 3), (2, 3, 4)]),
    OpSpec("cross", LA.cross, np.cross, shapes=[((3,), (3,)), ((2, 3), (2, 3))], grad_order=2),
    OpSpec("normalize", lambda a: LA.normalize(a, axis=1),
           lambda a: (a / np.linalg.norm(a, axis=1, keepdims=True),
                      np.linalg.norm(a, axis=1, keepdims=True)),
           shapes=[(2, 3)], domain="nonzero"),
    OpSpec("global_norm", lambda a, b: LA.global_norm([a, b]),
           lambda a, b: np.sqrt((a * a).sum() + (b * b).sum()),
           shapes=[((2, 3), (4,))], grad_order=2),
    OpSpec("l2_normalize_linalg", lambda a: LA.l2_normalize(a, 1),
           lambda a: a / np.linalg.norm(a, axis=1, keepdims=True), shapes=[(2, 3)],
           domain="nonzero"),
]
