"""Bit-exact reproductions of TensorFlow's CPU arithmetic order where course output depends on it.

TF's Eigen kernels accumulate small float32 matrix products with fused multiply-adds in k order
(`acc = fma(a_k, b_k, acc)`), while NumPy's BLAS uses several vector accumulators. The last bit
differs, and over the thousands of steps of a course's GradientTape loop the printed weights
drift apart. For tiny products (the cases such loops use) we reproduce TF's order exactly; large
products use BLAS, where no two libraries agree anyway.
"""

from __future__ import annotations

from nanotf._src.backend import np

# Veltkamp's constant: t - (t - v) with t = v * C rounds a float64 to 24 significant bits.
_SPLIT = 536870913.0  # 2**29 + 1
_F32 = np.dtype(np.float32)  # builtin dtypes are singletons: `is` is the cheap test
_MAX_WORK = 512  # m * n * k up to which the exact (Python-speed) path is taken


def wants_plain_matvec(a, b, ta: bool, tb: bool) -> bool:
    """Whether `a @ b` is a float32 matrix-vector product with k <= 3, which TF computes as a
    plain k-order sum of rounded products (measured on TF 2.21: no fused multiply-adds), while
    BLAS kernels differ by machine (some fuse). A 1x1 result takes a dot path in TF."""
    return a.ndim == 2 and b.ndim == 2 and route(a, b, ta, tb) == 2


def route(a, b, ta: bool, tb: bool) -> int:
    """How to multiply `a` and `b`: 1 = `fma_matmul`, 2 = `plain_matvec`, 0 = BLAS."""
    if a.dtype is not _F32 or b.dtype is not _F32:
        return 0
    sa, sb = a.shape, b.shape  # tuples: cheaper to read than the arrays' attributes
    if len(sa) != 2 or len(sb) != 2:
        return 0
    nb = sb[1]
    m, k = (sa[1], sa[0]) if ta else sa
    n = sb[0] if tb else nb
    # measured on TF 2.21: a transposed `a`, or a plain product with n > 1, uses fused k order;
    # matrix-vector products (n == 1) and transposed-only `b` take other paths. The first bound
    # (m * k * b's last dim) is the historical cheap pre-check, kept for identical choices.
    if (m * k * nb <= _MAX_WORK and m * n * k <= _MAX_WORK and k >= 2
            and (ta or (n > 1 and not tb))):
        return 1
    # a plain matrix-vector product with k <= 3 and more than one row: see wants_plain_matvec
    if nb == 1 and not ta and not tb and sa[0] > 1 and 2 <= sb[0] <= 3:
        return 2
    return 0


def plain_matvec(a, b):
    """`a @ b` for b of shape [k, 1], k small: `((a0 * b0) + a1 * b1) + ...` in float32."""
    p = a * b.T  # each product rounded to float32
    r = p[:, 0] + p[:, 1]  # 1-D slices: a third cheaper to add than [:, :1] columns
    if b.shape[0] == 3:
        r += p[:, 2]
    return r.reshape(-1, 1)


def fma_matmul(a, b, ta: bool, tb: bool):
    """`a @ b` in float32 with TF's order: per output, `acc = fma(a_k, b_k, acc)` for k = 0..K-1."""
    A = (a.T if ta else a).tolist()
    B = (b.T if tb else b)
    cols = B.T.tolist()
    split = _SPLIT
    out = []
    for row in A:
        orow = []
        for col in cols:
            acc = 0.0
            for x, y in zip(row, col):
                s = acc + x * y  # x * y is exact in float64; the sum rounds at most once
                t = s * split
                acc = t - (t - s)  # round to float32 precision
            orow.append(acc)
        out.append(orow)
    return np.array(out, dtype=np.float32)
