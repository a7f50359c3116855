"""TF's float32 CPU (Eigen) arithmetic for `exp`, `log` and last-axis sums.

The softmax, cross-entropy and ELU kernels use these so float32 results match TF's digits; other
dtypes, and arrays on other devices, take plain `xp` calls.
"""

from __future__ import annotations

from nanotf._src import eigen_constants as C
from nanotf._src import libm32
from nanotf._src.backend import np

_f32 = np.float32
_TINY = _f32(C.TINY)


# =============================== TF's float32 CPU arithmetic ===============================
# Eigen evaluates float32 elementwise ops in packets of `_PACKET` floats (its own exp/log
# polynomials) and the last `size % _PACKET` with scalar glibc expf/logf; inner-axis sums keep
# `_PACKET` lane accumulators, a scalar tail sum, then a fixed lane tree. Reproducing this gives
# TF's digits. The packet width is the machine's: 8 on x86 AVX builds (TF 2.21 here, with
# TF_ENABLE_ONEDNN_OPTS=0), 4 on 128-bit SIMD builds (SSE, ARM NEON), which is what the course
# notes show (seed 001's softmax cross-entropy is reproduced only with 4).
_PACKET = 4

# Eigen's pexp constants in float32 (shared with the compiled kernel, see eigen_constants)
_LO, _HI, _LOG2E, _LN2_HI, _LN2_LO = map(_f32, (C.EXP_LO, C.EXP_HI, C.LOG2E, C.LN2_HI, C.LN2_LO))
_PE0, _PE1, _PE2 = map(_f32, C.P_EVEN)
_PO0, _PO1 = map(_f32, C.P_ODD)
_HALF, _ONE = _f32(0.5), _f32(1)


def _exp_packet(x):
    # Eigen's pexp. Inputs below -104 give 0 (their result underflows below the smallest normal,
    # which TF flushes), so clipping there instead of masking gives the same outputs.
    xc = np.maximum(x, _LO)  # np.clip's wrapper costs more than these two calls
    np.minimum(xc, _HI, out=xc)
    mm = xc * _LOG2E
    mm += _HALF
    np.floor(mm, out=mm)
    r = mm * _LN2_HI
    r += xc
    t = mm * _LN2_LO
    r += t
    r2 = np.multiply(r, r, out=t)
    pe = r2 * _PE0
    pe += _PE1
    pe *= r2
    pe += _PE2
    po = r2 * _PO0
    po += _PO1
    po *= r
    po += pe
    po *= r2
    r += _ONE
    po += r  # y = r2 * (r * po + pe) + (r + 1)
    # 2**mm: the product is exact unless the result is subnormal (then flushed to 0 below) or
    # overflows (inf either way), so one ldexp equals Eigen's four-step pldexp
    out = np.ldexp(po, mm.astype(np.int32), out=po)  # NaN inputs: garbage exponent, NaN result
    # TF runs with denormals flushed to zero; NaN stays NaN (NaN * 0), so Eigen's final
    # max(result, x) changes nothing (exp(x) > x for every other clipped x) and is left out
    return np.multiply(out, out >= _TINY, out=out)


def _log_packet(x):
    mant, e = np.frexp(x)
    mant = mant.astype(_f32)
    e = e.astype(_f32)
    low = mant < _f32(0.707106781186547524)
    t = mant - _f32(1)
    e = e - low
    t = t + np.where(low, mant, _f32(0))
    p = (_f32(0.18256296349849254) * t + _f32(1.0000000190281063)) * t + _f32(1.0000000190281136)
    q = ((_f32(0.049616247954120038) * t + _f32(0.59923249590823520)) * t
         + _f32(1.4999999999999927)) * t + _f32(1.0)
    out = e * _f32(0.6931471805599453) + (t * p) / q
    out[x == 0] = -np.inf
    out[np.isposinf(x)] = np.inf
    out[~(x >= 0) | np.isnan(x)] = np.nan
    return out


def _libm_fn(name: str):
    """glibc's `expf`/`logf` (what Eigen's scalar tail calls), or None without a loadable libm."""
    return libm32.fn(name)


def _elementwise32(packet, name, a):
    shape = np.shape(a)
    flat = np.ascontiguousarray(a).reshape(-1)
    n = flat.size - flat.size % _PACKET
    out = np.empty_like(flat)
    with np.errstate(all="ignore"):
        if n:
            out[:n] = packet(flat[:n])
        if n < flat.size:
            out[n:] = _scalar32(name, flat[n:])
    return out.reshape(shape)


def _scalar32(name: str, a):
    """glibc `expf`/`logf` of every element of a float32 array (Eigen's scalar path; float64
    NumPy rounded to float32 without a loadable libm). Call under `np.errstate`."""
    return libm32.expf(a) if name == "expf" else libm32.logf(a)


def _exp32(a):
    """`exp` of a float32 array with TF's CPU results."""
    return _elementwise32(_exp_packet, "expf", a)


def _log32(a):
    """`log` of a float32 array with TF's CPU results."""
    return _elementwise32(_log_packet, "logf", a)


def _exp_rows32(a):
    """`exp` as Eigen evaluates it inside a last-axis reduction: packets per row, scalar tails."""
    n = a.shape[-1]
    nv = n - n % _PACKET
    out = np.empty(a.shape, _f32)
    with np.errstate(all="ignore"):
        if nv:
            out[..., :nv] = _exp_packet(np.ascontiguousarray(a[..., :nv]))
        if nv < n:
            out[..., nv:] = _scalar32("expf", np.ascontiguousarray(a[..., nv:]))
    return out


def _rowsum32(a):
    """Sum over the last axis of a float32 array in Eigen's order."""
    n = a.shape[-1]
    nv = n - n % _PACKET
    return _rowsum_split(a[..., :nv], a[..., nv:])


def _rowsum_split(head, tail):
    """`_rowsum32` of the rows `[head | tail]`, where head's width is a multiple of `_PACKET`:
    `_PACKET` lane sums over head, a scalar sum over tail, then the fixed lane tree."""
    p, nv = _PACKET, head.shape[-1]
    s = tail[..., 0] + _f32(0) if tail.shape[-1] else np.zeros(head.shape[:-1], _f32)
    for j in range(1, tail.shape[-1]):
        s += tail[..., j]
    if nv == 0:
        return s
    acc = head[..., 0:p] + head[..., p:2 * p] if nv > p else head[..., 0:p]
    for j in range(2 * p, nv, p):
        acc += head[..., j:j + p]
    while acc.shape[-1] > 4:  # halves folded onto each other, then (l0 + l2) + (l1 + l3)
        h = acc.shape[-1] // 2
        acc = acc[..., :h] + acc[..., h:]
    pair = acc[..., 0:2] + acc[..., 2:4]
    return s + (pair[..., 0] + pair[..., 1])


def _exact(xp, a) -> bool:
    return xp is np and a.dtype == np.float32


def _exp(xp, a):
    return _exp32(a) if _exact(xp, a) else xp.exp(a)


def _log(xp, a):
    return _log32(a) if _exact(xp, a) else xp.log(a)


def _rowsum(xp, a):
    return _rowsum32(a) if _exact(xp, a) else a.sum(-1)



def _exp_in_sum(xp, a):
    return _exp_rows32(a) if _exact(xp, a) else xp.exp(a)



def _xent_parts(xp, logits, need_e=True):
    """Shifted logits, their exp (elementwise pass; None unless `need_e`) and the row sums (exp
    fused in the sum)."""
    sh = logits - logits.max(-1, keepdims=True)
    if not _exact(xp, sh) or sh.size == 0:
        return sh, _exp(xp, sh) if need_e else None, _rowsum(xp, _exp_in_sum(xp, sh))
    # Eigen's packet exp is elementwise, so one pass serves both evaluations; they differ only in
    # which elements take the scalar expf: the last `n % 4` of each row inside the sum (as
    # `_exp_rows32`), the last `size % 4` of the flat array in the elementwise pass (as `_exp32`)
    n = sh.shape[-1]
    nv = n - n % _PACKET
    with np.errstate(all="ignore"):
        packet = _exp_packet(sh)
        s = _rowsum_split(packet[..., :nv], _scalar32("expf", sh[..., nv:]) if nv < n else
                          packet[..., nv:])
        k = sh.size % _PACKET if need_e else 0
        if k:  # after the sum, which read `packet`
            packet.reshape(-1)[-k:] = _scalar32("expf", sh.reshape(-1)[-k:])
    return sh, packet if need_e else None, s
