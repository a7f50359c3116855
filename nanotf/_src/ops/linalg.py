"""Linear algebra products and norms: matmul, tensordot, einsum, norm.

Diagonals, bands, trace and cross are in `matrix.py`; decompositions and solves in
`decompositions.py`, which builds on this module.
"""

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
    path = tfexact.route(a, b, ta, tb)
    if path == 1:
        return tfexact.fma_matmul(a, b, ta, tb)  # TF's float32 order for tiny products
    if path == 2:
        return tfexact.plain_matvec(a, b)  # and for matrix-vector products with k <= 3
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
_matmul.fresh = True  # every path above returns a new array


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
    if (isinstance(a, Tensor) and isinstance(b, Tensor) and not (adjoint_a or adjoint_b)
            and not a._symbolic and not b._symbolic):
        av, bv = a._v, b._v  # the common eager call: checks in their cheapest form
        if (av.dtype is bv.dtype and av.ndim == 2 and bv.ndim == 2
                and av.shape[0 if transpose_a else 1] == bv.shape[1 if transpose_b else 0]):
            return bind(_matmul, a, b, ta=bool(transpose_a), tb=bool(transpose_b))
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

# =============================== norms ===============================


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
        from nanotf._src.ops.decompositions import svd  # it imports this module

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
