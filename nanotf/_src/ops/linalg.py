"""Linear algebra: matmul, tensordot, einsum, norms and matrix utilities."""

from __future__ import annotations

from nanotf._src import errors
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
    return xp.matmul(a, b)


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
