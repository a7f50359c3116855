"""Matrix utilities: diagonals, bands, trace and the cross product."""

from __future__ import annotations

from nanotf._src import errors
from nanotf._src.backend import np
from nanotf._src.dispatch import bind, primitive
from nanotf._src.ops import array as arr
from nanotf._src.ops import math as m
from nanotf._src.tensor import Tensor, convert_to_tensor

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

# =============================== cross product ===============================


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
