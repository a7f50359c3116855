"""The C library's float32 `expf` and `logf` over arrays, with TF's CPU results.

TF's Eigen kernels call the C library's scalar float functions for some elements: a packet's tail
(`expf`), the per-row log of a cross-entropy and Box-Muller's log (`logf`). Calling them through
ctypes costs ~0.5 us per element, so an array is computed in float64 by NumPy and rounded to
float32 instead. That is the C library's result wherever the exact value lies farther from a
float32 rounding midpoint than the library's own error before its final rounding; only the other
elements call it. The error bounds below are glibc's (2.28 and later); elsewhere every element
calls the library, and without a loadable libm the rounded float64 values are returned.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

from nanotf._src import eigen_constants as C
from nanotf._src.backend import np

_f32 = np.float32
_fns: dict = {}  # name -> ctypes function, or None (filled on first use)
_bounded: list = []  # [whether the bounds below hold for this C library], filled on first use

# glibc's expf errs by at most 1.69 * 2**-34 relative before rounding (under 0.002 ulp). On the
# float64 bits of the result, the 29 low mantissa bits are what float32 rounding drops: a float32
# midpoint is 2**28 there and 1/256 ulp is 2**21. Results outside [TINY, 3.4e38) (subnormal,
# huge, inf, NaN) are checked too; one unsigned compare finds both.
_LOW29 = np.int64((1 << 29) - 1)
_MID, _TOL = np.int64(1 << 28), np.int64(1 << 21)
_BITS_TINY = np.float64(np.float32(C.TINY)).view(np.int64)  # the smallest normal float32
_BITS_SPAN = np.uint64(np.float64(3.4e38).view(np.int64) - _BITS_TINY)

# glibc's logf (a 16-entry table and a degree-4 polynomial, evaluated in double) errs by up to
# ~2.4e-9 absolute before rounding, depending on which table entry serves the input. Per bucket
# of x's top four mantissa bits: 1.5 x the largest distance from a rounding midpoint at which
# float64-log-rounded-to-float32 still differed from logf, over all 2**31 positive normal float32
# inputs, compared with glibc 2.36 (the worst per bucket is the same in every binade).
_LOGF_BOUND = np.array([8.9e-10, 3.6e-09, 1.5e-09, 7.7e-10, 5.7e-10, 5.7e-10, 5.7e-10, 5.7e-10,
                        5.7e-10, 5.6e-10, 5.4e-10, 5.2e-10, 5.1e-10, 5.0e-10, 4.8e-10, 5.7e-10])
_LOGF_SMALL = 0.25  # below this |log x| a midpoint can lie within the bound: always call logf


def fn(name: str):
    """The C library's `float name(float)` through ctypes (expf, logf, sinf, cosf), or None."""
    f = _fns.get(name, _fns)
    if f is _fns:  # first use; a dict lookup afterwards (ctypes attribute access costs ~3 us)
        try:
            lib = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
            f = getattr(lib, name)
            f.restype, f.argtypes = ctypes.c_float, [ctypes.c_float]
        except (OSError, AttributeError):
            f = None
        _fns[name] = f
    return f


def _glibc_bounds() -> bool:
    """Whether the C library is glibc 2.28 or later, whose expf/logf the bounds above describe
    (later versions are at least as accurate)."""
    if not _bounded:
        try:
            name, ver = os.confstr("CS_GNU_LIBC_VERSION").split()
            major, minor = (int(p) for p in ver.split(".")[:2])
            _bounded.append(name == "glibc" and (major, minor) >= (2, 28))
        except (AttributeError, OSError, ValueError, TypeError):  # not glibc (musl, macOS, ...)
            _bounded.append(False)
    return _bounded[0]


def _call(f, x):
    return np.fromiter(map(f, x.reshape(-1).tolist()), _f32, x.size).reshape(x.shape)


def expf(x):
    """`expf` of every element of a float32 array, as the C library computes it.

    Call under `np.errstate(all="ignore")`.

    Example:
      >>> expf(np.array([0.5, 1.0], np.float32))
      array([1.6487212, 2.7182817], dtype=float32)
    """
    f = fn("expf")
    y64 = np.exp(x.astype(np.float64))
    y = y64.astype(_f32)
    if f is None:
        return y
    if not _glibc_bounds():
        return _call(f, x)
    b = y64.view(np.int64)
    risky = np.bitwise_and(b, _LOW29)
    risky -= _MID - _TOL
    risky = risky.view(np.uint64) <= np.uint64(2 * _TOL)
    b = b - _BITS_TINY
    risky |= b.view(np.uint64) >= _BITS_SPAN
    if risky.any():
        y[risky] = [f(v) for v in x[risky].tolist()]
    return y


def logf(x):
    """`logf` of every element of a float32 array, as the C library computes it.

    Call under `np.errstate(all="ignore")`.

    Example:
      >>> logf(np.array([0.5, 3.0], np.float32))
      array([-0.6931472,  1.0986123], dtype=float32)
    """
    f = fn("logf")
    y64 = np.log(x.astype(np.float64))
    y = y64.astype(_f32)
    if f is None:
        return y
    if not _glibc_bounds():
        return _call(f, x)
    risky = _logf_risky(x, y64)
    if risky.any():
        y[risky] = [f(v) for v in x[risky].tolist()]
    return y


def _logf_risky(x, y64):
    """Where `y64 = log(x)` rounded to float32 may differ from glibc's `logf(x)` (checked over
    all 2**32 float32 inputs with glibc 2.36: never elsewhere). Row sums near 8-10 (an untrained
    10-class model) are ~1.4% risky; sums near 1 (confident predictions) mostly are."""
    # the float32 midpoint above |y64| in its binade (the one below is at least half an ulp away,
    # farther than any bound once |log x| >= _LOGF_SMALL)
    mid = (np.bitwise_and(y64.view(np.int64), ~_LOW29) | _MID).view(np.float64)
    bits = x.view(np.uint32)
    risky = np.abs(y64 - mid) <= _LOGF_BOUND[(bits >> np.uint32(19)) & np.uint32(15)]
    risky |= ~(np.abs(y64) >= _LOGF_SMALL)  # also NaN
    risky |= bits - np.uint32(0x00800000) >= np.uint32(0x7f000000)  # not a positive normal
    return risky
