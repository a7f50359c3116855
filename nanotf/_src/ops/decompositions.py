"""Matrix decompositions and solves: inv, det, cholesky, solve, qr, svd, eigh, lstsq, pinv."""

from __future__ import annotations

from nanotf._src import errors
from nanotf._src.backend import np
from nanotf._src.dispatch import bind, primitive
from nanotf._src.ops import array as arr
from nanotf._src.ops import math as m
from nanotf._src.ops.linalg import adjoint, matmul
from nanotf._src.ops.matrix import band_part, diag, diag_part, set_diag
from nanotf._src.tensor import Tensor, convert_to_tensor

# =============================== decompositions and solves ===============================


def _square(a: Tensor, op: str) -> None:
    s = a._v.shape
    if len(s) < 2 or s[-1] != s[-2]:
        raise errors.invalid_argument(
            f"Input matrix must be square. (input shape: [{','.join(map(str, s))}])", op)


def _bcast_mul(g: Tensor, x: Tensor) -> Tensor:
    return m.multiply(arr.expand_dims(arr.expand_dims(g, -1), -1), x)


def _lin_error(op: str, msg: str):
    return errors.invalid_argument(msg, op)


@primitive("MatrixInverse")
def _inv(xp, a, adj):
    if adj:
        a = xp.conj(xp.swapaxes(a, -1, -2))
    try:
        return xp.linalg.inv(a)
    except np.linalg.LinAlgError:
        raise _lin_error("MatrixInverse", "Input is not invertible.") from None


_inv.defvjp(lambda g, out, a, adj: m.negative(
    matmul(out, matmul(g, out, adjoint_b=True), adjoint_a=True)) if not adj else m.negative(
    matmul(out, matmul(g, out, adjoint_a=True))))


def inv(input, adjoint=False, name=None) -> Tensor:  # noqa: A002
    """Inverse of each square innermost matrix (InvalidArgumentError if singular).

    Example: `tf.linalg.inv([[2., 0.], [0., 4.]])` is [[0.5, 0.], [0., 0.25]].
    """
    a = convert_to_tensor(input)
    _square(a, "MatrixInverse")
    return bind(_inv, a, adj=bool(adjoint))


@primitive("MatrixDeterminant")
def _det(xp, a):
    return xp.linalg.det(a).astype(a.dtype, copy=False)


_det.defvjp(lambda g, out, a: _bcast_mul(m.multiply(g, out), inv(a, adjoint=True)))


def det(input, name=None) -> Tensor:  # noqa: A002
    """Determinant of each square innermost matrix.

    Example: `tf.linalg.det([[1., 2.], [3., 4.]])` is -2.0.
    """
    a = convert_to_tensor(input)
    _square(a, "MatrixDeterminant")
    return bind(_det, a)


@primitive("LogMatrixDeterminant", nout=2)
def _slogdet(xp, a):
    s, ld = xp.linalg.slogdet(a)
    return s.astype(a.dtype, copy=False), ld.astype(a.dtype, copy=False)


_slogdet.vjps = lambda g, out, a: [_bcast_mul(g[1], inv(a, adjoint=True))]


def slogdet(input, name=None):  # noqa: A002
    """Sign and log of the absolute determinant of each square matrix, as a pair.

    Example: `tf.linalg.slogdet([[2., 0.], [0., 3.]])` is (1.0, log(6)).
    """
    a = convert_to_tensor(input)
    _square(a, "LogMatrixDeterminant")
    return bind(_slogdet, a)


@primitive("Cholesky")
def _cholesky(xp, a):
    try:
        return xp.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        raise _lin_error("Cholesky", "Cholesky decomposition was not successful. The input might "
                                     "not be valid.") from None


def _cholesky_vjp(g, low, a):
    n = low._v.shape[-1]
    l_inv = triangular_solve(low, arr.eye(n, batch_shape=low._v.shape[:-2], dtype=low.dtype))
    middle = matmul(low, g, adjoint_a=True)
    middle = set_diag(middle, m.multiply(0.5, diag_part(middle)))
    middle = band_part(middle, -1, 0)
    ga = matmul(matmul(l_inv, middle, adjoint_a=True), l_inv)
    return m.multiply(m.add(ga, adjoint(ga)), 0.5)


_cholesky.defvjp(_cholesky_vjp)


def cholesky(input, name=None) -> Tensor:  # noqa: A002
    """Lower Cholesky factor `L` (`L @ L^H = input`) of each Hermitian positive-definite matrix.

    Example: `tf.linalg.cholesky([[4., 2.], [2., 2.]])` is [[2., 0.], [1., 1.]].
    """
    a = convert_to_tensor(input)
    _square(a, "Cholesky")
    return bind(_cholesky, a)


def _solve_impl(xp, a, b, adj, op, msg):
    if adj:
        a = xp.conj(xp.swapaxes(a, -1, -2))
    try:
        if a.shape[:-2] != b.shape[:-2]:
            lead = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
            a = xp.broadcast_to(a, lead + a.shape[-2:])
            b = xp.broadcast_to(b, lead + b.shape[-2:])
        return xp.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        raise _lin_error(op, msg) from None


@primitive("MatrixSolve")
def _solve(xp, a, b, adj):
    return _solve_impl(xp, a, b, adj, "MatrixSolve", "Input matrix is not invertible.")


def _solve_vjp(g, c, a, b, adj):
    gb = solve(a, g, adjoint=not adj)
    ga = m.negative(matmul(c, gb, adjoint_b=True) if adj else matmul(gb, c, adjoint_b=True))
    return [ga, gb]


_solve.vjps = _solve_vjp


def solve(matrix, rhs, adjoint=False, name=None) -> Tensor:
    """Solves `matrix @ x = rhs` for `x` (batched; `adjoint` solves with `matrix^H`).

    Example: `tf.linalg.solve([[2., 0.], [0., 4.]], [[2.], [4.]])` is [[1.], [1.]].
    """
    a = convert_to_tensor(matrix)
    b = convert_to_tensor(rhs, dtype=a.dtype)
    _square(a, "MatrixSolve")
    if a._v.shape[-1] != b._v.shape[-2]:
        raise errors.invalid_argument(
            f"Input matrix and right-hand side must have the same number of rows: "
            f"{a._v.shape[-2]} vs. {b._v.shape[-2]}", "MatrixSolve")
    return bind(_solve, a, b, adj=bool(adjoint))


@primitive("MatrixTriangularSolve")
def _tri_solve(xp, a, b, lower, adj):
    a = xp.tril(a) if lower else xp.triu(a)
    return _solve_impl(xp, a, b, adj, "MatrixTriangularSolve", "Input matrix is not invertible.")


def _tri_solve_vjp(g, c, a, b, lower, adj):
    gb = triangular_solve(a, g, lower=lower, adjoint=not adj)
    ga = m.negative(matmul(c, gb, adjoint_b=True) if adj else matmul(gb, c, adjoint_b=True))
    return [band_part(ga, -1, 0) if lower else band_part(ga, 0, -1), gb]


_tri_solve.vjps = _tri_solve_vjp


def triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None) -> Tensor:
    """Solves `matrix @ x = rhs` where `matrix` is lower (or upper) triangular.

    Only the chosen triangle of `matrix` is read.

    Example: `tf.linalg.triangular_solve([[2., 0.], [1., 1.]], [[2.], [2.]])` is [[1.], [1.]].
    """
    a = convert_to_tensor(matrix)
    b = convert_to_tensor(rhs, dtype=a.dtype)
    _square(a, "MatrixTriangularSolve")
    return bind(_tri_solve, a, b, lower=bool(lower), adj=bool(adjoint))


def cholesky_solve(chol, rhs, name=None) -> Tensor:
    """Solves `A x = rhs` given `chol`, the Cholesky factor of `A`.

    Example: `tf.linalg.cholesky_solve(tf.linalg.cholesky(a), b)` solves `a @ x = b`.
    """
    y = triangular_solve(chol, rhs, lower=True, adjoint=False)
    return triangular_solve(chol, y, lower=True, adjoint=True)


def lstsq(matrix, rhs, l2_regularizer=0.0, fast=True, name=None) -> Tensor:
    """Least-squares solution of `matrix @ x = rhs` (regularized normal equations).

    Example: `tf.linalg.lstsq([[1.], [1.]], [[1.], [3.]])` is [[2.]].
    """
    a = convert_to_tensor(matrix)
    b = convert_to_tensor(rhs, dtype=a.dtype)
    rows, cols = a._v.shape[-2:]
    if rows >= cols:
        gram = matmul(a, a, adjoint_a=True)
        if l2_regularizer:
            gram = m.add(gram, m.multiply(l2_regularizer, arr.eye(cols, dtype=a.dtype)))
        return cholesky_solve(cholesky(gram), matmul(a, b, adjoint_a=True))
    gram = matmul(a, a, adjoint_b=True)
    if l2_regularizer:
        gram = m.add(gram, m.multiply(l2_regularizer, arr.eye(rows, dtype=a.dtype)))
    return matmul(a, cholesky_solve(cholesky(gram), b), adjoint_a=True)


def logdet(matrix, name=None) -> Tensor:
    """Log-determinant of Hermitian positive-definite matrices (via Cholesky).

    Example: `tf.linalg.logdet([[2., 0.], [0., 3.]])` is log(6).
    """
    ch = cholesky(matrix)
    return m.multiply(2.0, m.reduce_sum(m.log(m.real(diag_part(ch))), -1))


@primitive("Qr", nout=2)
def _qr(xp, a, full):
    q, r = xp.linalg.qr(a, mode="complete" if full else "reduced")
    return q, r


def _tri_right(x, r):
    """`x @ inv(r)^H` for upper-triangular r."""
    return adjoint(triangular_solve(r, adjoint(x), lower=False))


def _qr_square_deep(q, r, dq, dr):
    qdq = matmul(q, dq, adjoint_a=True)
    qdq_ = m.subtract(qdq, adjoint(qdq))
    rdr = matmul(r, dr, adjoint_b=True)
    rdr_ = m.subtract(rdr, adjoint(rdr))
    tril = band_part(m.add(qdq_, rdr_), -1, 0)
    ga = matmul(q, m.add(dr, _tri_right(tril, r)))
    gb = _tri_right(m.subtract(dq, matmul(q, qdq)), r)
    return m.add(ga, gb)


def _qr_vjp(g, out, a, full):
    q, r = out
    dq, dr = g
    rows, cols = q._v.shape[-2], r._v.shape[-1]
    if r._v.shape[-2] > cols and q._v.shape[-1] == rows:
        raise NotImplementedError("QrGrad not implemented when nrows > ncols and full_matrices "
                                  "is true.")
    if rows >= cols:
        return [_qr_square_deep(q, r, dq, dr)]
    y = a[..., :, rows:]
    u = r[..., :, :rows]
    dv = dr[..., :, rows:]
    du = dr[..., :, :rows]
    dy = matmul(q, dv)
    dx = _qr_square_deep(q, u, m.add(dq, matmul(y, dv, adjoint_b=True)), du)
    return [arr.concat([dx, dy], -1)]


_qr.vjps = _qr_vjp


def qr(input, full_matrices=False, name=None):  # noqa: A002
    """QR decomposition of each innermost matrix: returns `(q, r)`.

    Example: `q, r = tf.linalg.qr(tf.random.normal([4, 3]))` gives q [4, 3] and r [3, 3].
    """
    a = convert_to_tensor(input)
    return bind(_qr, a, full=bool(full_matrices))


@primitive("Svd", nout=3)
def _svd(xp, a, full):
    u, s, vh = xp.linalg.svd(a, full_matrices=full)
    return s, u, xp.conj(xp.swapaxes(vh, -1, -2))


@primitive("SvdValues")
def _svd_values(xp, a):
    return xp.linalg.svd(a, compute_uv=False)


def _safe_reciprocal(x, eps=1e-20):
    return m.multiply(x, m.reciprocal(m.add(m.multiply(x, x), eps)))


_svd_values.defvjp(lambda g, out, a: _svd_values_vjp(g, a))


def _svd_values_vjp(g, a):
    _, u, v = bind(_svd, a, full=False)
    return matmul(u, matmul(diag(g), v, adjoint_b=True))


def _svd_vjp(g, out, a, full):
    gs, gu, gv = g
    s, u, v = out
    rows, cols = a._v.shape[-2:]
    if rows > cols:
        return [adjoint(_svd_core(gs, gv, gu, s, v, u, cols, rows, full))]
    return [_svd_core(gs, gu, gv, s, u, v, rows, cols, full)]


def _svd_core(gs, gu, gv, s, u, v, mm, n, full):
    """TF's SvdGrad for m <= n (real and complex inputs without the complex phase term)."""
    if full and abs(mm - n) > 1:
        raise NotImplementedError("svd gradient is not implemented for abs(m - n) > 1 when "
                                  "full_matrices is True.")
    s_mat = diag(s)
    s2 = m.square(s)
    f = set_diag(_safe_reciprocal(m.subtract(arr.expand_dims(s2, -2), arr.expand_dims(s2, -1))),
                 m.zeros_like(s))
    v1 = v[..., :, :mm]
    gv1 = gv[..., :, :mm]
    f_u = m.multiply(f, matmul(u, gu, adjoint_a=True))
    f_v = m.multiply(f, matmul(v1, gv1, adjoint_a=True))
    t1 = m.add(m.add(diag(gs), matmul(m.add(f_u, adjoint(f_u)), s_mat)),
               matmul(s_mat, m.add(f_v, adjoint(f_v))))
    term1 = matmul(u, matmul(t1, v1, adjoint_b=True))
    if mm == n:
        return term1
    gv1t = adjoint(gv1)
    t2 = m.subtract(gv1t, matmul(matmul(gv1t, v1), v1, adjoint_b=True))
    if full:
        v2 = v[..., :, mm:n]
        t2 = m.subtract(t2, matmul(matmul(v1, gv[..., :, mm:n], adjoint_a=True), v2,
                                   adjoint_b=True))
    return m.add(term1, matmul(matmul(u, diag(_safe_reciprocal(s))), t2))


_svd.vjps = _svd_vjp


def svd(tensor, full_matrices=False, compute_uv=True, name=None):
    """Singular values `s` (descending) and, if `compute_uv`, `u` and `v` (`a = u diag(s) v^H`).

    Returns `(s, u, v)` (note: `v`, not `v^H`), or `s` alone when `compute_uv` is False.

    Example: `s = tf.linalg.svd([[3., 0.], [0., 4.]], compute_uv=False)` is [4., 3.].
    """
    a = convert_to_tensor(tensor)
    if not compute_uv:
        return bind(_svd_values, a)
    return bind(_svd, a, full=bool(full_matrices))


@primitive("SelfAdjointEigV2", nout=2)
def _eigh(xp, a):
    e, v = xp.linalg.eigh(a)
    return e, v


def _eigh_vjp(g, out, a):
    ge, gv = g
    e, v = out
    f = set_diag(_safe_reciprocal(m.subtract(arr.expand_dims(e, -2), arr.expand_dims(e, -1))),
                 m.zeros_like(e))
    ga = matmul(v, matmul(m.add(diag(ge), m.multiply(f, matmul(v, gv, adjoint_a=True))), v,
                          adjoint_b=True))
    ga = band_part(m.add(ga, adjoint(ga)), -1, 0)
    return [set_diag(ga, m.multiply(0.5, diag_part(ga)))]


_eigh.vjps = _eigh_vjp


def eigh(tensor, name=None):
    """Eigen-decomposition of Hermitian matrices (lower triangle read): `(e, v)`, e ascending.

    Example: `e, v = tf.linalg.eigh([[2., 0.], [0., 1.]])`; e is [1., 2.].
    """
    a = convert_to_tensor(tensor)
    _square(a, "SelfAdjointEigV2")
    return bind(_eigh, a)


def eigvalsh(tensor, name=None) -> Tensor:
    """Eigenvalues of Hermitian matrices, ascending.

    Example: `tf.linalg.eigvalsh([[2., 0.], [0., 1.]])` is [1., 2.].
    """
    return eigh(tensor)[0]


def pinv(a, rcond=None, validate_args=False, name=None) -> Tensor:
    """Moore-Penrose pseudo-inverse via the SVD (singular values below `rcond * max` dropped).

    Example: `tf.linalg.pinv([[1., 0.], [0., 0.]])` is [[1., 0.], [0., 0.]].
    """
    a = convert_to_tensor(a)
    if rcond is None:
        rcond = 10.0 * max(a._v.shape[-2:]) * float(np.finfo(a._v.dtype).eps)
    s, u, v = svd(a)
    cutoff = m.multiply(rcond, m.reduce_max(s, -1, keepdims=True))
    s_safe = m.where(m.greater(s, cutoff), s, arr.fill(s._v.shape, np.inf, dtype=s.dtype))
    return matmul(m.realdiv(v, arr.expand_dims(s_safe, -2)), u, adjoint_b=True)

# =============================== static shapes ===============================
# Decompositions fail on the constant dummy inputs the graph builder otherwise runs them on,
# so they state their output shapes directly.


def _min(a, b):
    return None if a is None or b is None else min(a, b)


def _shapes(fn):
    def shape_fn(ins, attrs):
        return [arr._abstract(s, d) for s, d in fn(*[t._v for t in ins], **attrs)]
    return shape_fn


def _solve_shape(a, b, **attrs):
    lead = a.shape[:-2] if len(a.shape) > len(b.shape) else b.shape[:-2]
    return [(lead + b.shape[-2:], b.dtype)]


def _qr_shape(a, full):
    r, c = a.shape[-2:]
    k = r if full else _min(r, c)
    return [(a.shape[:-2] + (r, k), a.dtype), (a.shape[:-2] + (k, c), a.dtype)]


def _svd_shape(a, full):
    r, c = a.shape[-2:]
    k = _min(r, c)
    lead = a.shape[:-2]
    return [(lead + (k,), a.dtype), (lead + (r, r if full else k), a.dtype),
            (lead + (c, c if full else k), a.dtype)]


_inv.shape_fn = _shapes(lambda a, adj: [(a.shape, a.dtype)])
_cholesky.shape_fn = _shapes(lambda a: [(a.shape, a.dtype)])
_det.shape_fn = _shapes(lambda a: [(a.shape[:-2], a.dtype)])
_slogdet.shape_fn = _shapes(lambda a: [(a.shape[:-2], a.dtype)] * 2)
_solve.shape_fn = _shapes(_solve_shape)
_tri_solve.shape_fn = _shapes(_solve_shape)
_qr.shape_fn = _shapes(_qr_shape)
_svd.shape_fn = _shapes(_svd_shape)
_svd_values.shape_fn = _shapes(lambda a: [(a.shape[:-2] + (_min(*a.shape[-2:]),), a.dtype)])
_eigh.shape_fn = _shapes(lambda a: [(a.shape[:-1], a.dtype), (a.shape, a.dtype)])
