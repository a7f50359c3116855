"""The backend's optional compiled kernels (numba): one pass where NumPy needs many.

Loaded only through `backend.compiled`, and only when numba is installed. Each kernel does, per
element, exactly the float32 (or float64) operations of the NumPy code it replaces, in the same
order, each rounded once: numba's default (no `fastmath`) neither contracts `a * b + c` into a
fused multiply-add nor reorders sums, so results are identical bit for bit, which the tests check
against the NumPy path. `error_model="numpy"` gives inf and NaN where Python would raise.
"""

from __future__ import annotations

import math

import numba

from nanotf._src import eigen_constants as C
from nanotf._src.backend import np

_F = np.float32
_jit = numba.njit(cache=True, nogil=True, error_model="numpy")


@_jit
def adam(var, g, m, v, vhat, ams, om1, om2, alpha, eps):  # pragma: no cover - compiled
    """`training._adam_arrays` in one pass over flat arrays (`vhat` is read only if `ams`)."""
    for i in range(var.size):
        gi = g[i]
        mi = m[i] + (gi - m[i]) * om1
        m[i] = mi
        vi = v[i] + (gi * gi - v[i]) * om2
        v[i] = vi
        if ams:  # np.maximum: NaN wins
            h = vhat[i]
            if vi > h or vi != vi:
                h = vi
            vhat[i] = h
            vi = h
        var[i] = var[i] - (mi * alpha) / (np.sqrt(vi) + eps)


@_jit
def _pexp(x):  # pragma: no cover - compiled
    """Eigen's packet exp of one float32, as `eigen32._exp_packet` computes it."""
    if x != x:
        return x
    xc = x
    if xc < _F(C.EXP_LO):
        xc = _F(C.EXP_LO)
    if xc > _F(C.EXP_HI):
        xc = _F(C.EXP_HI)
    mm = np.floor(xc * _F(C.LOG2E) + _F(0.5))
    r = mm * _F(C.LN2_HI) + xc
    r = r + mm * _F(C.LN2_LO)
    r2 = r * r
    pe = (r2 * _F(C.P_EVEN[0]) + _F(C.P_EVEN[1])) * r2 + _F(C.P_EVEN[2])
    po = (r2 * _F(C.P_ODD[0]) + _F(C.P_ODD[1])) * r
    po = (po + pe) * r2
    po = po + (r + _F(1))
    # po * 2**mm is exact in float64, so one rounding to float32 equals float32 ldexp's
    y = _F(math.ldexp(np.float64(po), int(mm)))
    return y if y >= _F(C.TINY) else _F(0)  # TF flushes subnormals


@_jit
def sparse_xent(logits, labels, need_back, loss, back):  # pragma: no cover - compiled
    """`softmax._sparse_xent_arrays` for float32 rows with 4-wide packets: per row the max, the
    shifted logits' exp (packet exp; glibc expf for the last `n % 4` inside the sum, and for the
    last `size % 4` of the flat array in `back`), Eigen's lane sum, `logf(sum) - shifted[label]`,
    and (if `need_back`) `exp / sum - one_hot(label)`."""
    rows, n = logits.shape
    nv = n - n % 4
    tail_from = rows * n - (rows * n) % 4 if need_back else rows * n
    for r in range(rows):
        mx = logits[r, 0]
        for j in range(1, n):
            x = logits[r, j]
            if x > mx or x != x:
                mx = x
        s = _F(0)
        for j in range(nv, n):
            s = s + _F(math.exp(logits[r, j] - mx))
        total = s
        if nv:
            a0 = _pexp(logits[r, 0] - mx)
            a1 = _pexp(logits[r, 1] - mx)
            a2 = _pexp(logits[r, 2] - mx)
            a3 = _pexp(logits[r, 3] - mx)
            for j in range(4, nv, 4):
                a0 = a0 + _pexp(logits[r, j] - mx)
                a1 = a1 + _pexp(logits[r, j + 1] - mx)
                a2 = a2 + _pexp(logits[r, j + 2] - mx)
                a3 = a3 + _pexp(logits[r, j + 3] - mx)
            total = s + ((a0 + a2) + (a1 + a3))
        label = labels[r]
        loss[r] = _F(math.log(total)) - (logits[r, label] - mx)
        if need_back:
            for j in range(n):
                sh = logits[r, j] - mx
                e = _F(math.exp(sh)) if r * n + j >= tail_from else _pexp(sh)
                back[r, j] = e / total
            back[r, label] = back[r, label] - _F(1)


@_jit
def max_pool_grad_tiles(x, out, g, kh, kw, relu, dx):  # pragma: no cover - compiled
    """`pooling._first_max_grad`'s tiling case for NHWC `x` and 2-D windows `kh` x `kw`: each
    window's first element (row-major) equal to its `out` takes `g + 0` (`g` times `out > 0`
    if `relu`), the others +0.0. Rows and columns past the last window are left to the caller.
    Channels are the inner loop (contiguous), with a branch-free select."""
    c = x.shape[3]
    oh, ow = out.shape[1], out.shape[2]
    zero, one = g.dtype.type(0), g.dtype.type(1)
    taken = np.empty(c, np.int32)
    gv = np.empty(c, g.dtype)
    for b in range(x.shape[0]):
        for i in range(oh):
            for j in range(ow):
                for ch in range(c):
                    v = g[b, i, j, ch]
                    if relu:  # a product, as ReluGrad's (inf * 0 is NaN)
                        v = v * (one if out[b, i, j, ch] > zero else zero)
                    gv[ch] = v + zero
                    taken[ch] = 0
                for di in range(kh):
                    for dj in range(kw):
                        r, col = i * kh + di, j * kw + dj
                        for ch in range(c):
                            hit = np.int32(x[b, r, col, ch] == out[b, i, j, ch]) & (1 - taken[ch])
                            dx[b, r, col, ch] = gv[ch] if hit else zero
                            taken[ch] |= hit


def self_test() -> None:
    """Runs each kernel once on a few elements (float32, int32 and int64 labels), so numba
    compiles or loads them now and any failure shows before they are used."""
    f = np.ones(4, np.float32)
    one = np.float32(1)
    adam(f, f.copy(), f.copy(), f.copy(), f.copy(), True, one, one, one, one)
    logits = np.zeros((2, 5), np.float32)
    for labels in (np.zeros(2, np.int32), np.zeros(2, np.int64)):
        sparse_xent(logits, labels, True, np.empty(2, np.float32), np.empty_like(logits))
    x = np.zeros((1, 2, 2, 1), np.float32)
    max_pool_grad_tiles(x, x[:, :1, :1], x[:, :1, :1] + 1, 2, 2, False, np.empty_like(x))
    if f[0] != np.float32(0.5):  # 1 - 1 * 1 / (sqrt(1) + 1)
        raise RuntimeError(f"nanotf's compiled Adam kernel gave {f[0]} for 0.5")
