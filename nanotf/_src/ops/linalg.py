"""Linear algebra: matmul, tensordot, einsum, norms and matrix utilities."""

from __future__ import annotations

from nanotf._src import backend, errors
from nanotf._src.backend import np
from nanotf._src.dispatch import bind, primitive, same_dtype
from nanotf._src.ops import array as arr
from nanotf._src.ops import math as m
from nanotf._src.ops import tfexact
from nanotf._src.tensor import Tensor, convert_to_tensor


@primitive("BatchMatMulV2")
def _matmul(xp, a, b, ta, tb):
    if a.size * b.shape[-1] <= 512 and tfexact.wants_exact(a, b, ta, tb):
        return tfexact.fma_matmul(a, b, ta, tb)  # TF's float32 order for tiny products
    if ta:
        a = xp.swapaxes(a, -1, -2)
    if tb:
        b = xp.swapaxes(b, -1, -2)
    return backend.matmul(a, b) if xp is np else xp.matmul(a, b)  # BLAS threads by size


def _mm_vjp_a(g, out, a, b, ta, tb):
    if ta:
        return bind(_matmul, b, g, ta=tb, tb=True)
    return bind(_matmul, g, b, ta=False, tb=not tb)


def _mm_vjp_b(g, out, a, b, ta, tb):
    if tb:
        return bind(_matmul, g, a, ta=True, tb=ta)
    return bind(_matmul, a, g, ta=not ta, tb=False)


_matmul.defvjp(_mm_vjp_a, _mm_vjp_b)


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, output_type=None, grad_a=False, grad_b=False,
           name=None) -> Tensor:
    """Matrix product `a @ b` of rank >= 2 tensors (leading dims broadcast as batch dims).

    Args:
      a, b: tensors of the same dtype, rank >= 2.
      transpose_a, transpose_b: transpose the last two dims first.
      adjoint_a, adjoint_b: conjugate-transpose the last two dims first.

    Example:
      >>> tf.matmul(tf.ones([2, 3]), tf.ones([3, 4])).shape
      TensorShape([2, 4])
    """
    a = a if isinstance(a, Tensor) else convert_to_tensor(a)
    b = b if isinstance(b, Tensor) else convert_to_tensor(b, dtype=a.dtype)
    same_dtype("MatMul", a, b)
    if adjoint_a:
        a, transpose_a = m.conj(a), True
    if adjoint_b:
        b, transpose_b = m.conj(b), True
    if not a._symbolic and not b._symbolic:
        sa, sb = a._v.shape, b._v.shape
        if len(sa) < 2 or len(sb) < 2:
            raise errors.invalid_argument(
                f"In[0] and In[1] has different ndims: {list(sa)} vs. {list(sb)}"
                if len(sa) != len(sb) else
                f"In[0] ndims must be >= 2: {len(sa)}", "MatMul")
        ka = sa[-2] if transpose_a else sa[-1]
        kb = sb[-1] if transpose_b else sb[-2]
        if ka != kb:
            raise errors.invalid_argument(
                f"Matrix size-incompatible: In[0]: [{','.join(map(str, sa))}], "
                f"In[1]: [{','.join(map(str, sb))}]", "MatMul")
    return bind(_matmul, a, b, ta=bool(transpose_a), tb=bool(transpose_b))


def matrix_transpose(a, name="matrix_transpose", conjugate=False) -> Tensor:
    """Transposes the last two dimensions of `a`.

    Example: `tf.linalg.matrix_transpose(tf.zeros([2, 3, 4])).shape` is (2, 4, 3).
    """
    a = convert_to_tensor(a)
    nd = a._v.ndim
    if nd < 2:
        raise ValueError(f"Argument `a` should be a (batch) matrix with rank >= 2.  Received `a` = "
                         f"{a} with shape: {a.shape}")
    perm = list(range(nd - 2)) + [nd - 1, nd - 2]
    return arr.transpose(a, perm, conjugate=conjugate)


def adjoint(matrix, name=None) -> Tensor:
    """Conjugate transpose of the last two dimensions.

    Example: `tf.linalg.adjoint(tf.constant([[1., 2.], [3., 4.]]))` is [[1., 3.], [2., 4.]].
    """
    return matrix_transpose(matrix, conjugate=True)


def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False,
           name=None) -> Tensor:
    """Matrix-vector product `a @ b` over the last dims (batch dims broadcast).

    Example: `tf.linalg.matvec(tf.eye(2), [1., 2.])` is [1., 2.].
    """
    b = convert_to_tensor(b)
    return arr.squeeze(matmul(a, arr.expand_dims(b, -1), transpose_a=transpose_a,
                              adjoint_a=adjoint_a), [-1])


# =============================== tensordot / einsum ===============================


def tensordot(a, b, axes, name=None) -> Tensor:
    """Contracts `axes` of `a` with `axes` of `b` (an int N means a's last N with b's first N).

    Example:
      >>> tf.tensordot(tf.ones([2, 3]), tf.ones([3, 4]), 1).shape
      TensorShape([2, 4])
    """
    a = convert_to_tensor(a)
    b = convert_to_tensor(b, dtype=a.dtype) if not isinstance(b, Tensor) else b
    na, nb = a._v.ndim, b._v.ndim
    if isinstance(axes, Tensor):
        axes = axes.numpy().tolist()
    if isinstance(axes, (int,)) or (hasattr(axes, "ndim") and axes.ndim == 0):
        n = int(axes)
        if n < 0 or n > min(na, nb):
            raise ValueError(f"`axes` must be at most the rank of the inputs; got {n} for ranks "
                             f"{na} and {nb}.")
        ax_a, ax_b = list(range(na - n, na)), list(range(n))
    else:
        if len(axes) != 2:
            raise ValueError(f"`axes` must be an integer or have length 2. Received {axes}.")
        ax_a, ax_b = axes
        ax_a = [int(i) % na for i in ([ax_a] if isinstance(ax_a, int) else ax_a)]
        ax_b = [int(i) % nb for i in ([ax_b] if isinstance(ax_b, int) else ax_b)]
        if len(ax_a) != len(ax_b):
            raise errors.invalid_argument(
                f"Different number of contraction axes 'a' and 'b', {len(ax_a)} != "
                f"{len(ax_b)}.", "tensordot")
    sa, sb = a._v.shape, b._v.shape
    for i, j in zip(ax_a, ax_b):
        if sa[i] != sb[j]:
            raise errors.invalid_argument(
                f"Matrix size-incompatible: contraction dims {sa[i]} vs {sb[j]} in tensordot of "
                f"shapes {list(sa)} and {list(sb)}", "MatMul")
    free_a = [i for i in range(na) if i not in ax_a]
    free_b = [i for i in range(nb) if i not in ax_b]
    k = 1
    for i in ax_a:
        k *= sa[i]
    a2 = arr.reshape(arr.transpose(a, free_a + ax_a), (-1, k))
    b2 = arr.reshape(arr.transpose(b, ax_b + free_b), (k, -1))
    return arr.reshape(matmul(a2, b2), [sa[i] for i in free_a] + [sb[i] for i in free_b])


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parse_einsum(equation: str, ranks) -> tuple:
    """Splits an equation into explicit per-operand subscripts (ellipses become letters)."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(ranks):
        raise errors.invalid_argument(
            f"Expecting {len(ins)} inputs but got {len(ranks)} for equation {equation!r}",
            "Einsum")
    used = set(eq)
    spare = [c for c in _LETTERS if c not in used]
    n_ell = max((r - len(s.replace("...", "")) for s, r in zip(ins, ranks) if "..." in s),
                default=0)
    ell = "".join(spare[:n_ell])
    subs = []
    for s, r in zip(ins, ranks):
        if "..." in s:
            k = r - len(s.replace("...", ""))
            s = s.replace("...", ell[n_ell - k:] if k else "")
        if len(s) != r:
            raise errors.invalid_argument(
                f"Expected input {len(subs)} to have rank {len(s)} but got: {r}", "Einsum")
        subs.append(s)
    if arrow:
        out = rhs.replace("...", ell)
    else:
        counts = {c: "".join(subs).count(c) for c in "".join(subs)}
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    return tuple(subs), out


@primitive("Einsum")
def _einsum(xp, *xs, subs, res):
    eq = ",".join(subs) + "->" + res
    big = len(xs) > 2 or (len(xs) == 2 and xs[0].size * xs[1].size > 4096)
    return xp.einsum(eq, *xs, optimize=bool(big))


def _einsum_vjp(g, out, *xs, subs, out_subs):
    """Operand i's gradient: einsum of `g` with the other operands into subs[i].

    Letters only in subs[i] get a ones vector; a repeated letter (a diagonal) gets an identity.
    """
    grads = []
    for i, (x, s) in enumerate(zip(xs, subs)):
        if x._v.dtype.kind not in "fc":
            grads.append(None)
            continue
        ops, parts = [g], [out_subs]
        for j, (y, t) in enumerate(zip(xs, subs)):
            if j != i:
                ops.append(y)
                parts.append(t)
        have = set("".join(parts))
        spare = iter(c for c in _LETTERS if c not in set("".join(subs) + out_subs))
        target, seen = "", set()
        for c, n in zip(s, x._v.shape):
            if c in seen:  # diagonal: fresh letter tied to c by an identity
                f = next(spare)
                ops.append(arr.eye(n, dtype=x.dtype))
                parts.append(c + f)
                target += f
                continue
            seen.add(c)
            if c not in have:
                ops.append(arr.ones([n], dtype=x.dtype))
                parts.append(c)
                have.add(c)
            target += c
        grads.append(bind(_einsum, *ops, subs=tuple(parts), res=target))
    return grads


_einsum.vjps = lambda g, out, *xs, subs, res: _einsum_vjp(g, out, *xs, subs=subs, out_subs=res)


def einsum(equation, *inputs, **kwargs) -> Tensor:
    """Tensor contraction in Einstein notation (NumPy's rules, '...' included).

    Example:
      >>> tf.einsum("ij,jk->ik", tf.ones([2, 3]), tf.ones([3, 4])).shape
      TensorShape([2, 4])
    """
    xs = [convert_to_tensor(x) for x in inputs]
    if len(xs) > 1:
        same_dtype("Einsum", *xs)
    subs, out = _parse_einsum(equation, [x._v.ndim for x in xs])
    return bind(_einsum, *xs, subs=subs, res=out)


# =============================== diagonals and bands ===============================


def _diag_index(rows, cols, k):
    n = max(min(rows - max(-k, 0), cols - max(k, 0)), 0)
    i = np.arange(n) + max(-k, 0)
    return i, i + k


@primitive("MatrixDiagV3")
def _diag(xp, d, pad, k, rows, cols):
    shape = d.shape[:-1] + (rows, cols)
    z = xp.full(shape, pad, dtype=d.dtype)
    i, j = _diag_index(rows, cols, k)
    z[..., i, j] = d[..., :len(i)]
    return z


_diag.defvjp(lambda g, out, d, pad, k, rows, cols: bind(_diag_part, g, pad, k=k), None)


@primitive("MatrixDiagPartV3")
def _diag_part(xp, x, pad, k):
    i, j = _diag_index(x.shape[-2], x.shape[-1], k)
    return x[..., i, j]


_diag_part.defvjp(lambda g, out, x, pad, k: bind(
    _set_diag, m.zeros_like(x), g, k=k), None)


@primitive("MatrixSetDiagV3")
def _set_diag(xp, x, d, k):
    z = x.copy()
    i, j = _diag_index(x.shape[-2], x.shape[-1], k)
    z[..., i, j] = d
    return z


_set_diag.defvjp(lambda g, out, x, d, k: bind(_set_diag, g, m.zeros_like(d), k=k),
                 lambda g, out, x, d, k: bind(_diag_part, g, arr.zeros([], g.dtype), k=k))


def diag(diagonal, name="diag", k=0, num_rows=-1, num_cols=-1, padding_value=0,
         align="RIGHT_LEFT") -> Tensor:
    """Batched diagonal matrices with `diagonal` on the `k`-th diagonal.

    Example: `tf.linalg.diag([1., 2.])` is [[1., 0.], [0., 2.]].
    """
    d = convert_to_tensor(diagonal)
    k = int(k)
    n = d._v.shape[-1]
    min_rows, min_cols = n + max(-k, 0), n + max(k, 0)
    rows, cols = int(num_rows), int(num_cols)
    if rows == -1 and cols == -1:
        rows = cols = max(min_rows, min_cols)
    elif rows == -1:
        rows = min_rows
    elif cols == -1:
        cols = min_cols
    pad = convert_to_tensor(padding_value, dtype=d.dtype)
    return bind(_diag, d, pad, k=k, rows=rows, cols=cols)


def diag_part(input, name="diag_part", k=0, padding_value=0,  # noqa: A002
              align="RIGHT_LEFT") -> Tensor:
    """The `k`-th diagonal of each innermost matrix.

    Example: `tf.linalg.diag_part([[1., 2.], [3., 4.]])` is [1., 4.].
    """
    x = convert_to_tensor(input)
    if x._v.ndim < 2:
        raise errors.invalid_argument(f"input must be at least 2-dim, received shape: "
                                      f"{list(x._v.shape)}", "MatrixDiagPartV3")
    return bind(_diag_part, x, convert_to_tensor(padding_value, dtype=x.dtype), k=int(k))


def set_diag(input, diagonal, name="set_diag", k=0, align="RIGHT_LEFT") -> Tensor:  # noqa: A002
    """Replaces the `k`-th diagonal of each innermost matrix with `diagonal`.

    Example: `tf.linalg.set_diag(tf.zeros([2, 2]), [1., 2.])` is [[1., 0.], [0., 2.]].
    """
    x = convert_to_tensor(input)
    d = convert_to_tensor(diagonal, dtype=x.dtype)
    return bind(_set_diag, x, d, k=int(k))


def tensor_diag(diagonal, name=None) -> Tensor:
    """A tensor with `diagonal` on its diagonal: output[i.., i..] = diagonal[i..].

    Example: `tf.linalg.tensor_diag([1., 2.])` is [[1., 0.], [0., 2.]].
    """
    d = convert_to_tensor(diagonal)
    shape = d._v.shape
    n = 1
    for s in shape:
        n *= s
    return arr.reshape(diag(arr.reshape(d, [n])), list(shape) * 2)


def trace(x, name=None) -> Tensor:
    """Sum of the main diagonal of each innermost matrix.

    Example: `tf.linalg.trace([[1., 2.], [3., 4.]])` is 5.0.
    """
    return m.reduce_sum(diag_part(x), -1)


@primitive("MatrixBandPart")
def _band_part(xp, x, lower, upper):
    r, c = x.shape[-2:]
    i = np.arange(r)[:, None]
    j = np.arange(c)[None, :]
    keep = (((i - j) <= lower) | (lower < 0)) & (((j - i) <= upper) | (upper < 0))
    return xp.where(xp.asarray(keep), x, x.dtype.type(0))


_band_part.defvjp(lambda g, out, x, lower, upper: bind(_band_part, g, lower=lower, upper=upper))


def band_part(input, num_lower, num_upper, name=None) -> Tensor:  # noqa: A002
    """Keeps `num_lower` sub- and `num_upper` super-diagonals (-1 keeps that whole triangle).

    Example: `tf.linalg.band_part(tf.ones([3, 3]), 0, -1)` is the upper triangle.
    """
    return bind(_band_part, convert_to_tensor(input), lower=int(num_lower), upper=int(num_upper))


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


# =============================== vectors and norms ===============================


@primitive("Cross")
def _cross(xp, a, b):
    return xp.cross(a, b)


_cross.defvjp(lambda g, out, a, b: _cross(b, g), lambda g, out, a, b: _cross(g, a))


def cross(a, b, name=None) -> Tensor:
    """Pairwise cross product of 3-element vectors (last dimension).

    Example: `tf.linalg.cross([1., 0., 0.], [0., 1., 0.])` is [0., 0., 1.].
    """
    a = convert_to_tensor(a)
    b = convert_to_tensor(b, dtype=a.dtype)
    if a._v.shape[-1:] != (3,) or b._v.shape[-1:] != (3,):
        raise errors.invalid_argument(
            f"input must have 3 elements in its last dimension: {list(a._v.shape)} and "
            f"{list(b._v.shape)}", "Cross")
    return _cross(a, b)


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None) -> Tensor:  # noqa: A002
    """Vector or matrix norm (`ord`: 'euclidean', 'fro', 1, 2, inf, or p > 0 for vectors).

    Args:
      axis: None (all entries as one vector), an int (vector norm), or a pair (matrix norm).

    Example:
      >>> tf.norm(tf.constant([3., 4.]))
      <tf.Tensor: shape=(), dtype=float32, numpy=5.0>
    """
    is_matrix = isinstance(axis, (tuple, list)) and len(axis) == 2
    if is_matrix:
        axis = tuple(axis)
        if not all(isinstance(i, int) for i in axis) or axis[0] == axis[1]:
            raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique integers, "
                             f"got {axis}")
        if ord not in ("euclidean", "fro", 1, 2, np.inf):
            raise ValueError(f"'ord' must be a supported matrix norm in ['euclidean', 'fro', 1, "
                             f"2, inf], got {ord}")
    else:
        if not (isinstance(axis, int) or axis is None):
            raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique integers, "
                             f"got {axis}")
        if ord not in ("euclidean", 1, 2, np.inf) and (
                isinstance(ord, str) or not np.isreal(ord) or ord <= 0):
            raise ValueError(f"'ord' must be a supported vector norm, got {ord}")
        if axis is not None:
            axis = (axis,)
    x = convert_to_tensor(tensor)
    if ord in ("fro", "euclidean", 2, 2.0) and not (is_matrix and ord in (2, 2.0)):
        result = m.sqrt(m.reduce_sum(m.multiply(x, m.conj(x)), axis, keepdims=True))
        result = m.real(result) if result.dtype.is_complex else result
    elif is_matrix and ord in (2, 2.0):
        nd = x._v.ndim
        pos = [i % nd for i in axis]
        perm = [i for i in range(nd) if i not in pos] + pos
        s = svd(arr.transpose(x, perm), compute_uv=False)
        r = arr.expand_dims(m.reduce_max(m.abs(s), -1, keepdims=True), -1)
        result = arr.transpose(r, list(np.argsort(perm)))
    else:
        result = m.abs(x)
        if ord == 1:
            result = m.reduce_sum(result, None if axis is None else axis[0], keepdims=True)
            if is_matrix:
                result = m.reduce_max(result, axis[-1], keepdims=True)
        elif ord == np.inf:
            if is_matrix:
                result = m.reduce_sum(result, axis[1], keepdims=True)
            result = m.reduce_max(result, None if axis is None else axis[0], keepdims=True)
        else:
            result = m.pow(m.reduce_sum(m.pow(result, ord), axis, keepdims=True), 1.0 / ord)
    if not keepdims:
        result = arr.squeeze(result, axis)
    return result


def normalize(tensor, ord="euclidean", axis=None, name=None):  # noqa: A002
    """`tensor / norm(tensor)` along `axis`; returns `(normalized, norm)`.

    Example: `tf.linalg.normalize([3., 4.])` is ([0.6, 0.8], [5.]).
    """
    x = convert_to_tensor(tensor)
    n = m.cast(norm(x, ord, axis, keepdims=True), x.dtype)
    return m.divide(x, n), n


def global_norm(t_list, name=None) -> Tensor:
    """`sqrt(sum of squares)` over all entries of all tensors in `t_list` (None entries skipped).

    Example: `tf.linalg.global_norm([tf.constant([3.]), tf.constant([4.])])` is 5.0.
    """
    from nanotf._src.ops.nn import l2_loss

    if isinstance(t_list, (Tensor, str)) or not hasattr(t_list, "__iter__"):
        raise TypeError(f"`t_list` should be a sequence of tensors. Received {type(t_list)}.")
    vals = [getattr(t, "values", t) for t in t_list if t is not None]
    half = [l2_loss(convert_to_tensor(v)) for v in vals]
    hsq = m.add_n(half)  # same order as TF's reduce_sum(stack(...)) of a few scalars
    return m.sqrt(m.multiply(hsq, convert_to_tensor(2.0, dtype=hsq.dtype)))


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
