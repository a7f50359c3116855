"""Philox4x32-10 engine and TF 2.x eager seed logic: TensorFlow's CPU random numbers, exactly.

Array level only (numpy in, numpy out; of nanotf only `libm32`); `tf.random.*` wrappers live
elsewhere.
Keys are 64-bit ints and counters 128-bit ints (counter word 0 = lowest 32 bits). docs/random.md
has the rules and what was checked against TF 2.21.

Samplers `(key, counter, ...) -> ndarray`, TF kernel outputs bit for bit (float16/32/64):
  normal, uniform, truncated_normal   RandomStandardNormal, RandomUniform, TruncatedNormal; the
                                      optional mean/stddev, minval/maxval apply TF's Python
                                      post-processing (`x * stddev + mean`, `x * (max - min) + min`)
                                      in the output dtype
  uniform_int, uniform_full_int       RandomUniformInt / *UniformFullInt (int32/int64/uint*)
  permutation(key, counter, n)        RandomShuffle row order: ``x[perm]``
  categorical(key, counter, logits, num_samples)   Multinomial (CPU, TF's row blocking)

Stateful ops (tf.random.normal, uniform, truncated_normal, shuffle, categorical):
  ``pair = get_seed(op_seed)`` (draws from the global-seed Python RNG when op_seed is None), then
  ``st = stream(key_tuple, pair)`` and ``st.normal(shape, dtype, mean, stddev)`` (also
  ``uniform``, ``truncated_normal``, ``uniform_int``, ``permutation(n_rows)``,
  ``categorical``). key_tuple names the eager kernel: the op name and every dtype attribute,
  e.g. ``("RandomStandardNormal", "float32", "int32")`` (output dtype, shape-tensor dtype),
  ``("RandomShuffle", value_dtype)``, ``("Multinomial", logits_dtype, output_dtype)``. Shapes,
  stddev, minval/maxval and names are not part of it: TF continues the same stream. Each call
  reserves 256 Philox blocks per output element (shuffle: ceil((n-1)/4) blocks; categorical:
  256 * 2 * rows * ceil4(num_samples)). `set_seed` clears every cached stream.
Stateless ops: ``key, counter = stateless_key_counter(seed)``, then any sampler.
tf.random.Generator (Philox): state = ``generator_state_from_seed(seed)`` (int64[3]); per call
  ``key, counter, state = generator_read_and_skip(state, n_elements)``, then a sampler.

Example (``tf.random.normal([2, 1], stddev=0.01, seed=1)`` with no global seed):

>>> set_seed(None)
>>> st = stream(("RandomStandardNormal", "float32", "int32"), get_seed(1))
>>> st.normal([2, 1], stddev=0.01).ravel().tolist()
[-0.00811318214982748, 0.014845986850559711]
"""

from __future__ import annotations

import math
import os
import random as _pyrandom
import threading
from typing import Any, Sequence, Tuple

import numpy as np

from nanotf._src import libm32

__all__ = [
    "PhiloxStream", "categorical", "clear_kernel_cache", "generator_read_and_skip",
    "generator_state_from_seed", "get_seed", "global_seed", "normal", "permutation", "philox",
    "set_seed", "stateless_key_counter", "stream", "truncated_normal", "uniform",
    "uniform_full_int", "uniform_int",
]

_M32 = np.uint64(0xFFFFFFFF)
_M64 = (1 << 64) - 1
_MUL = np.array([[0xD2511F53], [0xCD9E8D57]], np.uint64)
_BUMP = (0x9E3779B9, 0xBB67AE85)
DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2**31 - 1
RESERVE_PER_OUTPUT = _RES = 256  # Philox blocks a stateful kernel reserves per output element


# ---------------------------------------------------------------------------------- Philox core
def philox(key: int, counter: int, n: int, stride: int = 1) -> np.ndarray:
    """Philox4x32-10 blocks for counters `counter + i * stride`, i < n, as uint32 of shape (n, 4).

    Example: ``philox(0, 0, 1)`` is the Random123 known-answer vector for a zero key and counter.
    """
    return _blocks(key, counter, np.arange(n, dtype=np.uint64) * np.uint64(stride))


def _blocks(key: int, counter: int, offs: np.ndarray) -> np.ndarray:
    """Philox blocks for counters `counter + offs` (offs: uint64 array)."""
    n = offs.size
    lo = offs + np.uint64(counter & _M64)  # wraps mod 2**64; the carry goes to the high half
    hi = (lo < offs).astype(np.uint64) + np.uint64((counter >> 64) & _M64)
    # words as uint32 rows: even = [word0, word2], odd = [word1, word3]
    even = np.empty((2, n), np.uint32)
    odd = np.empty((2, n), np.uint32)
    lv, hv = lo.view(np.uint32).reshape(n, 2), hi.view(np.uint32).reshape(n, 2)
    if np.little_endian:
        even[0], odd[0], even[1], odd[1] = lv[:, 0], lv[:, 1], hv[:, 0], hv[:, 1]
    else:  # pragma: no cover - big-endian machines
        even[0], odd[0], even[1], odd[1] = lv[:, 1], lv[:, 0], hv[:, 1], hv[:, 0]
    keys = _round_keys(key)
    # the 64-bit products of a round go to alternating buffers: the next round's `odd` words are
    # the low halves of this round's products, read in place (no copy)
    prods = (np.empty((2, n), np.uint64), np.empty((2, n), np.uint64))
    lo_i, hi_i = (0, 1) if np.little_endian else (1, 0)
    for r in range(10):
        p = prods[r & 1]
        np.multiply(even, _MUL, out=p)  # [word0 * M0, word2 * M1], exact 64-bit products
        pw = p.view(np.uint32).reshape(2, n, 2)[::-1]
        np.bitwise_xor(pw[:, :, hi_i], odd, out=even)
        even ^= keys[r]
        odd = pw[:, :, lo_i]
    out = np.empty((n, 4), np.uint32)
    out[:, 0], out[:, 1], out[:, 2], out[:, 3] = even[0], odd[0], even[1], odd[1]
    return out


_key_cache: dict = {}


def _round_keys(key: int) -> np.ndarray:
    """The ten round keys of `key` as uint32, shape (10, 2, 1) (cached: streams reuse their key)."""
    k = _key_cache.get(key)
    if k is None:
        if len(_key_cache) > 256:
            _key_cache.clear()
        k = np.array([[(key & 0xFFFFFFFF) + r * _BUMP[0], (key >> 32 & 0xFFFFFFFF) + r * _BUMP[1]]
                      for r in range(10)], np.uint64)[:, :, None] & _M32
        k = _key_cache[key] = k.astype(np.uint32)
    return k


# ------------------------------------------------------------------- libm-exact float functions
# TF's Box-Muller calls glibc logf/sincosf (log/sincos for float64); numpy's own SIMD versions
# differ by 1 ulp in ~1% of cases. Complex exp(i*v) is forwarded by numpy to libm's sincos, so it
# gives sin/cos exactly. logf has no such route: `libm32.logf` rounds float64 logs and calls
# libm through ctypes only for the inputs near a float32 rounding midpoint.
_libm: Any = None
_cexp_ok = False


def _load_libm() -> Any:
    """Loads libm's sinf/cosf once and checks that numpy's complex exp agrees with them."""
    global _libm, _cexp_ok
    sinf, cosf = libm32.fn("sinf"), libm32.fn("cosf")
    _libm = bool(sinf and cosf and libm32.fn("logf"))
    if _libm:
        v = np.linspace(0, 6.2831, 97, dtype=np.float32)
        e = np.exp(1j * v.astype(np.complex64))
        _cexp_ok = (np.array_equal(e.imag, np.array(list(map(sinf, v.tolist())), np.float32))
                    and np.array_equal(e.real, np.array(list(map(cosf, v.tolist())),
                                                        np.float32)))
    return _libm


def _logf(x: np.ndarray) -> np.ndarray:
    """glibc-exact logf for float32 x in (0, 1) (rounded float64 log where libm is missing)."""
    with np.errstate(all="ignore"):
        return libm32.logf(x)


def _sincosf(v: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    if _libm is None:
        _load_libm()
    if _cexp_ok:
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
    return np.dtype(getattr(dtype, "as_numpy_dtype", dtype))


def _float_dtype(dtype: Any, op: str) -> np.dtype:
    dt = _dtype(dtype)
    if dt not in (np.float16, np.float32, np.float64):
        raise TypeError(f"{op}: unsupported dtype {dt}; expected float16, float32 or float64")
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
    dt, n = _float_dtype(dtype, "RandomUniform"), _count(shape)
    w = philox(key, counter, -(-n // _per_call(dt)))
    if dt == np.float64:
        x = _u64_to_f64(w[:, 0::2].ravel(), w[:, 1::2].ravel())
    else:
        x = (_u16_to_f16 if dt == np.float16 else _u32_to_f32)(w.ravel())
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
    dt, n = _float_dtype(dtype, "RandomStandardNormal"), _count(shape)
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
    dt, n = _float_dtype(dtype, "TruncatedNormal"), _count(shape)
    g = _per_call(dt)
    stride = np.uint64(g * RESERVE_PER_OUTPUT // 4)
    groups = -(-n // g)
    buf = np.zeros((groups, g), np.float64 if dt == np.float64 else np.float32)
    filled = np.zeros(groups, np.int64)
    active = np.arange(groups)
    step = 0
    while active.size:  # each pass reads the next Philox block of every unfinished group
        w = _blocks(key, counter, active.astype(np.uint64) * stride + np.uint64(step))
        if dt == np.float64:
            cands: Any = _box_muller64(w)
        else:  # candidates in reading order: sin, cos of words (0, 1), then of words (2, 3)
            s2, c2 = _box_muller32(w[:, 0::2].ravel(), w[:, 1::2].ravel())
            cands = np.stack([s2, c2], axis=-1).reshape(-1, 4).T
        for cand in cands:
            ok = (np.abs(cand) < 2) & (filled[active] < g)
            rows = active[ok]
            buf[rows, filled[rows]] = cand[ok]
            filled[rows] += 1
        active = active[filled[active] < g]
        step += 1
    x = buf.ravel()[:n].astype(dt).reshape(shape)
    return _affine(x, stddev, mean)


def _int_words(key: int, counter: int, n: int, dt: np.dtype) -> np.ndarray:
    """n raw integers: one 32-bit word each, or two words (low, high) for 64-bit types."""
    w = philox(key, counter, -(-n // _per_call(dt)))
    if dt.itemsize == 8:
        w64 = w.astype(np.uint64)
        return (w64[:, 0::2] | (w64[:, 1::2] << np.uint64(32))).ravel()[:n]
    return w.ravel()[:n]


def uniform_int(key: int, counter: int, shape: Sequence[int], minval: int, maxval: int,
                dtype: Any = np.int32) -> np.ndarray:
    """TF `RandomUniformInt`: `minval + word % (maxval - minval)`, wrapping like C++.

    Example: ``uniform_int(1, 2 << 64, [3], 0, 10)``.
    """
    dt, n = _dtype(dtype), _count(shape)
    if dt.kind not in "iu" or dt.itemsize not in (4, 8):
        raise TypeError(f"uniform_int: unsupported dtype {dt}; expected int32/int64/uint32/uint64")
    if not int(minval) < int(maxval):
        raise ValueError(f"RandomUniformInt: Need minval < maxval, got {minval} >= {maxval}")
    bits = dt.itemsize * 8
    udt = np.dtype(f"uint{bits}")
    span = udt.type((int(maxval) - int(minval)) % (1 << bits))
    x = _int_words(key, counter, n, dt).astype(udt) % span + udt.type(int(minval) % (1 << bits))
    return x.view(dt).reshape(shape)


def uniform_full_int(key: int, counter: int, shape: Sequence[int],
                     dtype: Any = np.uint64) -> np.ndarray:
    """TF `*UniformFullInt`: raw words (64-bit types take two words, low word first).

    Example: ``uniform_full_int(*stateless_key_counter([5, 6]), [4], np.int64)``.
    """
    dt, n = _dtype(dtype), _count(shape)
    if dt.kind not in "iu" or dt.itemsize not in (4, 8):
        raise TypeError(f"uniform_full_int: unsupported dtype {dt}")
    udt = np.dtype(f"uint{dt.itemsize * 8}")
    return _int_words(key, counter, n, dt).astype(udt).view(dt).reshape(shape)


def permutation(key: int, counter: int, n: int) -> np.ndarray:
    """TF `RandomShuffle` order: for i = 0 .. n-2 swap i with i + word_i % (n - i).

    ``x[permutation(...)]`` is the shuffled tensor (rows move together).
    """
    if n >= 1 << 31:
        raise ValueError(f"permutation: {n} rows is beyond TF's 32-bit shuffle path")
    perm = list(range(n))
    if n > 1:
        w = philox(key, counter, -(-(n - 1) // 4)).ravel()[: n - 1].astype(np.int64)
        js = (w % np.arange(n, 1, -1, dtype=np.int64) + np.arange(n - 1)).tolist()
        for i, j in enumerate(js):
            perm[i], perm[j] = perm[j], perm[i]
    return np.array(perm, np.int64)


def categorical(key: int, counter: int, logits: np.ndarray, num_samples: int,
                dtype: Any = np.int64, threads: int | None = None) -> np.ndarray:
    """TF `Multinomial` on the CPU: per row, upper_bound(cdf, u * total), u from 2 words.

    Rows are split into blocks as TF's thread pool of `threads` threads (default: the CPUs this
    process may use, TF's default intra-op count) splits them; a block starting at row r reads
    from counter + r * (num_samples + 3) // 4, its rows one after another. Finite logits only
    enter the cdf. Example: ``categorical(1, 2 << 64, np.log([[0.5, 0.5]]), 3)``.
    """
    lg = np.asarray(logits)
    if lg.ndim != 2:
        raise ValueError(f"Multinomial: logits should be a matrix, got shape {lg.shape}")
    b, c = lg.shape
    if c < 1 or num_samples < 0:
        raise ValueError(f"Multinomial: num_classes should be positive, got {c}" if c < 1 else
                         f"Multinomial: num_samples should be nonnegative, got {num_samples}")
    out = np.empty((b, num_samples), _dtype(dtype))
    if threads is None:
        threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
            os.cpu_count() or 1)
    cost = int(50 * (num_samples * math.log(max(c, 1)) / math.log(2) + c))
    size = _block_size(b, cost, threads)
    for start in range(0, b, size):
        rows = min(size, b - start)
        need = 2 * rows * num_samples
        w = philox(key, counter + start * (num_samples + 3) // 4, -(-need // 4)).ravel()[:need]
        u = _u64_to_f64(w[0::2], w[1::2]).reshape(rows, num_samples)
        for r in range(rows):
            row = lg[start + r]
            fin = np.isfinite(row)
            top = float(row[fin].max()) if fin.any() else float(np.finfo(row.dtype).min)
            cdf = np.cumsum(np.where(fin, np.exp(row.astype(np.float64) - top), 0.0))
            total = cdf[-1] if c else 0.0
            out[start + r] = np.searchsorted(cdf, u[r] * total, side="right")
    return out


def _block_size(n: int, cost: int, threads: int) -> int:
    """Rows per block of Eigen's ThreadPoolDevice::parallelFor (its cost model, no alignment)."""
    if n <= 1 or threads <= 1 or min(threads, max(1, int((n * cost - 1e5) / 1e5 + 0.9))) == 1:
        return max(n, 1)
    size = min(n, max(-(-n // (4 * threads)), int(40000.0 / cost) if cost else n))
    biggest, count = min(n, 2 * size), -(-n // size)
    best = count / (-(-count // threads) * threads)
    prev = count
    while best < 1.0 and prev > 1:  # coarser blocks while parallel efficiency does not drop
        coarser = -(-n // (prev - 1))
        if coarser > biggest:
            break
        prev = -(-n // coarser)
        eff = prev / (-(-prev // threads) * threads)
        if eff + 0.01 >= best:
            size, best = coarser, max(best, eff)
    return size


# ---------------------------------------------------------------------- stateful kernel streams
class PhiloxStream:
    """The Philox state of one cached TF kernel: each call reserves blocks, then samples.

    Example: ``s = PhiloxStream(1, 2 << 64); a = s.normal([3]); b = s.normal([3])`` gives the two
    results of calling ``tf.random.normal([3], seed=2)`` twice after ``tf.random.set_seed(1)``.
    """

    def __init__(self, key: int, counter: int) -> None:
        self.key, self.counter = key & _M64, counter & ((1 << 128) - 1)
        self._lock = threading.Lock()

    def reserve(self, n_blocks: int) -> int:
        """Returns the current counter and skips `n_blocks` Philox blocks."""
        with self._lock:
            c = self.counter
            self.counter = (c + n_blocks) & ((1 << 128) - 1)
        return c

    def _call(self, n_blocks: int, fn: Any, *args: Any) -> np.ndarray:
        # sample first so that bad input raises without moving the stream, as in TF
        with self._lock:
            out = fn(self.key, self.counter, *args)
            self.counter = (self.counter + n_blocks) & ((1 << 128) - 1)
        return out

    def normal(self, shape: Sequence[int], dtype: Any = np.float32, mean: Any = None,
               stddev: Any = None) -> np.ndarray:
        """One `RandomStandardNormal` call (see module `normal`)."""
        return self._call(_RES * _count(shape), normal, shape, dtype, mean, stddev)

    def uniform(self, shape: Sequence[int], dtype: Any = np.float32, minval: Any = None,
                maxval: Any = None) -> np.ndarray:
        """One `RandomUniform` call (see module `uniform`)."""
        return self._call(_RES * _count(shape), uniform, shape, dtype, minval, maxval)

    def truncated_normal(self, shape: Sequence[int], dtype: Any = np.float32, mean: Any = None,
                         stddev: Any = None) -> np.ndarray:
        """One `TruncatedNormal` call (see module `truncated_normal`)."""
        return self._call(_RES * _count(shape), truncated_normal, shape, dtype, mean, stddev)

    def uniform_int(self, shape: Sequence[int], minval: int, maxval: int,
                    dtype: Any = np.int32) -> np.ndarray:
        """One `RandomUniformInt` call (see module `uniform_int`)."""
        return self._call(_RES * _count(shape), uniform_int, shape, minval, maxval, dtype)

    def permutation(self, n: int) -> np.ndarray:
        """One `RandomShuffle` call on a tensor with `n` rows (see module `permutation`)."""
        # ReserveSamples32(n - 1): one word per swap, four per block; nothing when n <= 1
        return self._call((n + 2) // 4 if n > 1 else 0, permutation, n)

    def categorical(self, logits: np.ndarray, num_samples: int, dtype: Any = np.int64,
                    threads: int | None = None) -> np.ndarray:
        """One `Multinomial` call (see module `categorical`)."""
        rows = int(np.shape(logits)[0]) if np.ndim(logits) else 0
        n_blocks = _RES * rows * (-(-num_samples // 4) * 4) * 2
        return self._call(n_blocks, categorical, logits, num_samples, dtype, threads)


# --------------------------------------------------------------------------- seed bookkeeping
_state: dict = {"seed": None, "rng": _pyrandom.Random()}
_kernels: dict = {}
_kernels_lock = threading.Lock()


def set_seed(seed: Any) -> None:
    """`tf.random.set_seed`: sets the global seed, restarts op-seed draws, clears kernel streams."""
    try:
        hash(seed)
        rng = _pyrandom.Random(seed)
    except TypeError:  # numpy arrays are unhashable; TF converts them to int
        rng = _pyrandom.Random(int(np.array(seed)))
    _state["seed"], _state["rng"] = seed, rng
    clear_kernel_cache()


def global_seed() -> Any:
    """The global seed given to `set_seed` (None if unset)."""
    return _state["seed"]


def clear_kernel_cache() -> None:
    """Forgets every cached kernel stream (TF's `context.clear_kernel_cache`)."""
    with _kernels_lock:
        _kernels.clear()


def get_seed(op_seed: int | None) -> Tuple[int, int] | None:
    """`tf.compat.v1.random.get_seed` in eager mode: the (seed, seed2) pair, or None if unseeded.

    Example: ``get_seed(1)`` is ``(87654321, 1)`` while no global seed is set.
    """
    g = _state["seed"]
    if g is not None:
        if op_seed is None:
            op_seed = _state["rng"].randint(0, _MAXINT32)
        pair = (int(g) % _MAXINT32, int(op_seed) % _MAXINT32)
    elif op_seed is not None:
        pair = (DEFAULT_GRAPH_SEED, int(op_seed) % _MAXINT32)
    else:
        return None
    return (0, _MAXINT32) if pair == (0, 0) else pair


def stream(key_tuple: Tuple[Any, ...], seed_pair: Tuple[int, int] | None) -> PhiloxStream:
    """The stream of the eager kernel `key_tuple` with seeds `seed_pair` (cached until `set_seed`).

    `seed_pair` None (or (0, 0)) gives a fresh nondeterministic stream, as TF seeds from the OS.
    """
    if seed_pair is None or tuple(seed_pair) == (0, 0):
        r = int.from_bytes(os.urandom(16), "little")
        return PhiloxStream(r & _M64, (r >> 64) << 64)
    s1, s2 = int(seed_pair[0]), int(seed_pair[1])
    k = (tuple(key_tuple), s1, s2)
    with _kernels_lock:
        st = _kernels.get(k)
        if st is None:
            st = _kernels[k] = PhiloxStream(s1 & _M64, (s2 & _M64) << 64)
    return st


# ------------------------------------------------------------------- stateless and Generator
def stateless_key_counter(seed: Sequence[int]) -> Tuple[int, int]:
    """(key, counter) that TF's `StatelessRandomGetKeyCounter` derives from a seed pair.

    Example: ``normal(*stateless_key_counter([1, 2]), [3])`` is
    ``tf.random.stateless_normal([3], seed=[1, 2])``.
    """
    s = [int(v) & _M64 for v in np.asarray(seed).reshape(-1).tolist()]
    if len(s) != 2:
        raise ValueError(f"stateless seed must have shape [2], got {len(s)} values")
    m = philox(0x02461E293EC8F720, s[0] | (s[1] << 64), 1)[0].tolist()
    return m[0] | (m[1] << 32), (m[2] | (m[3] << 32)) << 64


def generator_state_from_seed(seed: Any) -> np.ndarray:
    """`tf.random.Generator.from_seed` state for Philox: int64 [counter_lo, counter_hi, key].

    An int is cut into 64-bit words (lowest first); a sequence is left-padded with zeros.
    Example: ``generator_state_from_seed(1).tolist()`` is ``[1, 0, 0]`` (counter 1, key 0).
    """
    if isinstance(seed, int):  # only a Python int is cut into words; numpy scalars are arrays
        s, words = int(seed), []
        for _ in range(3):
            words.append(s & _M64)
            s >>= 64
    else:
        words = [int(v) & _M64 for v in np.asarray(seed).reshape(-1).tolist()][:3]
        words = [0] * (3 - len(words)) + words
    return np.array(words, np.uint64).view(np.int64)


def generator_read_and_skip(state: np.ndarray, n_elements: int) -> Tuple[int, int, np.ndarray]:
    """TF `RngReadAndSkip`: returns (key, counter) to sample from and the advanced state.

    The counter moves by 256 blocks per output element. Example:
    ``key, counter, state = generator_read_and_skip(state, 5); normal(key, counter, [5])``.
    """
    st = np.asarray(state).astype(np.int64).view(np.uint64).tolist()
    counter, key = st[0] | (st[1] << 64), st[2]
    nxt = (counter + RESERVE_PER_OUTPUT * int(n_elements)) & ((1 << 128) - 1)
    new = np.array([nxt & _M64, nxt >> 64, key], np.uint64).view(np.int64)
    return key, counter, new
