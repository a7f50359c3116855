"""Philox4x32-10 engine and TF 2.x eager seed logic, reproducing TensorFlow's CPU random streams.

Array level only (numpy in, numpy out); the `tf.random.*` wrappers live elsewhere. Facts are in
docs/random.md. Keys are 64-bit ints, counters 128-bit ints (word 0 = lowest 32 bits).

Samplers: `normal`, `uniform`, `truncated_normal`, `uniform_int`, `uniform_full_int`, `permutation`,
`categorical` take `(key, counter, ...)` and return a numpy array; output group i (4 values, 2 for
64-bit types) uses counter + i (truncated normal: counter + 256 * i for float32/16, 128 * i for float64).
They return TF's raw op output; `mean + stddev * x` and `minval + x * (maxval - minval)` are applied
by the optional arguments in the output dtype, as TF's Python layer does.

Seeds: `set_seed(g)` / `get_seed(op_seed)` follow `tf.random.set_seed` / `tf.compat.v1.get_seed`;
`stream(key_tuple, pair)` returns the cached `PhiloxStream` of one eager kernel (key_tuple = op name and
attributes, e.g. ``("RandomStandardNormal", "float32")``; the shape is an input, not an attribute, so
leave it out). `set_seed` clears the cache. Stateless ops: `stateless_key_counter(seed_pair)`.
`tf.random.Generator`: `generator_state_from_seed`, `generator_read_and_skip`.

>>> set_seed(None); s = stream(("RandomStandardNormal", "float32"), get_seed(1))
>>> s.normal([2, 1], stddev=0.01).ravel().tolist()  # tf.random.normal([2, 1], stddev=0.01, seed=1)
[-0.008113182336091995, 0.014845993369817734]
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import os
import random as _pyrandom
import threading
from typing import Any, Optional, Sequence, Tuple

import numpy as np

__all__ = [
    "PhiloxStream", "categorical", "clear_kernel_cache", "generator_read_and_skip",
    "generator_state_from_seed", "get_seed", "global_seed", "normal", "permutation", "philox",
    "set_seed", "stateless_key_counter", "stream", "truncated_normal", "uniform", "uniform_full_int",
    "uniform_int",
]

_M32 = np.uint64(0xFFFFFFFF)
_M64 = (1 << 64) - 1
_MUL = np.array([[0xD2511F53], [0xCD9E8D57]], np.uint64)
_BUMP = (0x9E3779B9, 0xBB67AE85)
DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2**31 - 1
RESERVE_PER_OUTPUT = 256  # Philox calls a stateful kernel reserves per output element.


# ---------------------------------------------------------------------------------- Philox core
def philox(key: int, counter: int, n: int, stride: int = 1) -> np.ndarray:
    """Philox4x32-10 blocks for counters `counter + i * stride`, i < n, as uint32 of shape (n, 4).

    Example: ``philox(0, 0, 1)`` is the Random123 known-answer vector for a zero key and counter.
    """
    offs = np.arange(n, dtype=np.uint64) * np.uint64(stride)
    lo = offs + np.uint64(counter & _M64)  # wraps mod 2**64; the carry goes to the high half
    hi = (lo < offs).astype(np.uint64) + np.uint64((counter >> 64) & _M64)
    even = np.stack([lo & _M32, hi & _M32])  # counter words 0 and 2
    odd = np.stack([lo >> np.uint64(32), hi >> np.uint64(32)])  # words 1 and 3
    k0, k1 = key & 0xFFFFFFFF, (key >> 32) & 0xFFFFFFFF
    for _ in range(10):
        p = (even * _MUL)[::-1]  # [word2 * M1, word0 * M0], 64-bit exact products
        even = (p >> np.uint64(32)) ^ odd ^ np.array([[k0], [k1]], np.uint64)
        odd = p & _M32
        k0, k1 = (k0 + _BUMP[0]) & 0xFFFFFFFF, (k1 + _BUMP[1]) & 0xFFFFFFFF
    out = np.empty((n, 4), np.uint32)
    out[:, 0], out[:, 1], out[:, 2], out[:, 3] = even[0], odd[0], even[1], odd[1]
    return out


# ------------------------------------------------------------------- libm-exact float functions
# TF's Box-Muller calls glibc logf/sincosf (log/sincos for float64). numpy's own SIMD versions
# differ by 1 ulp in ~1% of cases, so route through functions numpy forwards to the C library:
# complex exp(i*v) is libm's sincos, complex log of x < 0.5 is libm's log. logf of x in [0.5, 1)
# has no such route: it is rounded from float64 and only the values near a rounding midpoint (where
# glibc's 0.29-ulp internal error can flip the rounding; bound found over all 2**23 inputs) are
# computed by calling libm through ctypes. Every route is checked once against libm itself.
_LOGF_DANGER = 0.32
_libm: Any = None
_routes_ok: Optional[bool] = None


def _load_libm() -> Any:
    global _libm, _routes_ok
    try:
        lib = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
        for name, t in (("logf", ctypes.c_float), ("sinf", ctypes.c_float),
                        ("cosf", ctypes.c_float), ("log", ctypes.c_double)):
            getattr(lib, name).restype, getattr(lib, name).argtypes = t, [t]
    except (OSError, AttributeError):
        lib = None
    _libm = lib if lib is not None else False
    if lib:
        x = np.linspace(1e-7, 0.4999, 97, dtype=np.float32)
        v = np.linspace(0, 6.2831, 97, dtype=np.float32)
        e = np.exp(1j * v.astype(np.complex64))
        _routes_ok = (np.array_equal(np.log(x.astype(np.complex64)).real,
                                     np.array([lib.logf(t) for t in x.tolist()], np.float32))
                      and np.array_equal(e.imag, np.array([lib.sinf(t) for t in v.tolist()],
                                                          np.float32))
                      and np.array_equal(e.real, np.array([lib.cosf(t) for t in v.tolist()],
                                                          np.float32)))
    return _libm


def _logf(x: np.ndarray) -> np.ndarray:
    """glibc-exact logf for float32 x in (0, 1)."""
    lib = _libm if _libm is not None else _load_libm()
    y64 = np.log(x.astype(np.float64))
    y = y64.astype(np.float32)
    if not lib:
        return y
    low = x < 0.5
    if _routes_ok and low.any():
        y[low] = np.log(x[low].astype(np.complex64)).real
    yd = y.astype(np.float64)
    ulp = np.abs(np.nextafter(y, np.float32(np.inf)).astype(np.float64) - yd)
    frac = np.abs(y64 - yd) / ulp  # distance from the float32 result, in ulps (0..0.5)
    risky = (frac > 0.5 - _LOGF_DANGER) & ~(low if _routes_ok else False)
    if risky.any():
        y[risky] = np.fromiter(map(lib.logf, x[risky].tolist()), np.float32)
    return y


def _sincosf(v: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    lib = _libm if _libm is not None else _load_libm()
    if lib and _routes_ok:
        e = np.exp(1j * v.astype(np.complex64))
        return e.imag, e.real
    v64 = v.astype(np.float64)
    return np.sin(v64).astype(np.float32), np.cos(v64).astype(np.float32)


def _log64(x: np.ndarray) -> np.ndarray:
    return np.fromiter(map(math.log, x.tolist()), np.float64, x.size)


def _sincos64(v: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    e = np.exp(1j * v)  # complex exp of a pure imaginary number is libm's sincos
    return e.imag.copy(), e.real.copy()


# ------------------------------------------------------------------------- words -> numbers
def _u32_to_f32(w: np.ndarray) -> np.ndarray:
    return ((w & np.uint32(0x7FFFFF)) | np.uint32(0x3F800000)).view(np.float32) - np.float32(1)


def _u64_to_f64(hi: np.ndarray, lo: np.ndarray) -> np.ndarray:
    m = ((hi.astype(np.uint64) & np.uint64(0xFFFFF)) << np.uint64(32)) | lo.astype(np.uint64)
    return (m | np.uint64(1023 << 52)).view(np.float64) - 1.0


def _u16_to_f16(w: np.ndarray) -> np.ndarray:
    m = (w & np.uint32(0x3FF)).astype(np.uint16) | np.uint16(15 << 10)
    return m.view(np.float16) - np.float16(1)


def _box_muller32(w0: np.ndarray, w1: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    u1 = np.maximum(_u32_to_f32(w0), np.float32(1e-7))
    v1 = (2.0 * math.pi * _u32_to_f32(w1).astype(np.float64)).astype(np.float32)
    r = np.sqrt(np.float32(-2) * _logf(u1))
    s, c = _sincosf(v1)
    return s * r, c * r


def _box_muller64(w: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    u1 = np.maximum(_u64_to_f64(w[:, 0], w[:, 1]), 1e-7)
    v1 = 2.0 * math.pi * _u64_to_f64(w[:, 2], w[:, 3])
    r = np.sqrt(-2.0 * _log64(u1))
    s, c = _sincos64(v1)
    return s * r, c * r


def _dtype(dtype: Any) -> np.dtype:
    dt = np.dtype(getattr(dtype, "as_numpy_dtype", dtype))
    return dt


def _count(shape: Any) -> int:
    return int(np.prod(shape, dtype=np.int64)) if np.ndim(shape) else int(shape)


def _per_call(dt: np.dtype) -> int:
    return 2 if dt.itemsize == 8 else 4


def _affine(x: np.ndarray, scale: Any, shift: Any) -> np.ndarray:
    dt = x.dtype
    if scale is not None:
        x = x * np.asarray(scale, dt)
    return x if shift is None else x + np.asarray(shift, dt)


# ---------------------------------------------------------------------------------- samplers
def uniform(key: int, counter: int, shape: Sequence[int], dtype: Any = np.float32,
            minval: Any = None, maxval: Any = None) -> np.ndarray:
    """TF `RandomUniform` output in [0, 1), then `x * (maxval - minval) + minval` if given.

    Example: ``uniform(1, 7 << 64, [2])`` equals ``tf.random.uniform([2], seed=7)`` after
    ``tf.random.set_seed(1)``.
    """
    dt, n = _dtype(dtype), _count(shape)
    w = philox(key, counter, -(-n // _per_call(dt)))
    if dt == np.float64:
        x = _u64_to_f64(w[:, 0::2].ravel(), w[:, 1::2].ravel())
    elif dt == np.float16:
        x = _u16_to_f16(w.ravel())
    elif dt == np.float32:
        x = _u32_to_f32(w.ravel())
    else:
        raise TypeError(f"uniform: unsupported dtype {dt}; expected float16, float32 or float64")
    x = x[:n].reshape(shape)
    if minval is None and maxval is None:
        return x
    lo = np.asarray(0 if minval is None else minval, dt)
    return x * (np.asarray(1 if maxval is None else maxval, dt) - lo) + lo


def normal(key: int, counter: int, shape: Sequence[int], dtype: Any = np.float32,
           mean: Any = None, stddev: Any = None) -> np.ndarray:
    """TF `RandomStandardNormal` output (Box-Muller), then `x * stddev + mean` if given.

    Example: ``normal(87654321, 1 << 64, [2, 1], stddev=0.01)`` is
    ``tf.random.normal([2, 1], stddev=0.01, seed=1)`` with no global seed.
    """
    dt, n = _dtype(dtype), _count(shape)
    if dt not in (np.float16, np.float32, np.float64):
        raise TypeError(f"normal: unsupported dtype {dt}; expected float16, float32 or float64")
    w = philox(key, counter, -(-n // _per_call(dt)))
    if dt == np.float64:
        s, c = _box_muller64(w)
    else:
        s, c = _box_muller32(w[:, 0::2].ravel(), w[:, 1::2].ravel())
    x = np.stack([s, c], axis=-1).ravel()[:n].astype(dt).reshape(shape)
    return _affine(x, stddev, mean)


def truncated_normal(key: int, counter: int, shape: Sequence[int], dtype: Any = np.float32,
                     mean: Any = None, stddev: Any = None) -> np.ndarray:
    """TF `TruncatedNormal` output: normals with |x| < 2 kept in order, then `x * stddev + mean`.

    Group i of 4 outputs (2 for float64) reads Philox blocks from counter + 256 * i
    (128 * i for float64) until it is full.
    Example: ``truncated_normal(116, 1 << 64, [4, 3], stddev=0.1)``.
    """
    dt, n = _dtype(dtype), _count(shape)
    if dt not in (np.float16, np.float32, np.float64):
        raise TypeError(f"truncated_normal: unsupported dtype {dt}; expected a float type")
    g = _per_call(dt)
    stride = g * RESERVE_PER_OUTPUT // 4
    groups = -(-n // g)
    buf = np.zeros((groups, g), np.float64 if dt == np.float64 else np.float32)
    filled = np.zeros(groups, np.int64)
    active = np.arange(groups)
    step = 0
    while active.size:
        w = philox(key, counter + step, active.size, stride)  # block `step` of each active group
        # `philox` counts from counter + step with stride, so offset the groups by their index
        if active.size != groups or active[0] != 0:
            w = np.concatenate([philox(key, counter + step + int(i) * stride, 1) for i in active]) \
                if active.size < 8 else _gather_blocks(key, counter + step, stride, active)
        if dt == np.float64:
            cands = _box_muller64(w)
        else:
            s0, c0 = _box_muller32(w[:, 0], w[:, 1])
            s1, c1 = _box_muller32(w[:, 2], w[:, 3])
            cands = (s0, c0, s1, c1)
        for cand in cands:
            ok = (np.abs(cand) < 2) & (filled[active] < g)
            rows = active[ok]
            buf[rows, filled[rows]] = cand[ok]
            filled[rows] += 1
        active = active[filled[active] < g]
        step += 1
    x = buf.ravel()[:n].astype(dt).reshape(shape)
    return _affine(x, stddev, mean)


def _gather_blocks(key: int, start: int, stride: int, idx: np.ndarray) -> np.ndarray:
    """Philox blocks at start + idx * stride for an arbitrary index array."""
    offs = idx.astype(np.uint64) * np.uint64(stride)
    lo = offs + np.uint64(start & _M64)
    hi = (lo < offs).astype(np.uint64) + np.uint64((start >> 64) & _M64)
    return _philox_words(key, lo, hi)


def _philox_words(key: int, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    raise NotImplementedError
