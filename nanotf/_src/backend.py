"""The array backend: the only module that imports numpy (or cupy).

Everything else receives the array module as `xp` (from `xp_of`) or uses the `np` re-exported here,
so the same op code runs on NumPy and, where installed and chosen, CuPy. It also chooses the BLAS
thread count per product (`matmul`).
"""

from __future__ import annotations

import os
import queue
import threading
import warnings

import numpy as np

try:  # cupy is optional and absent in the normal case
    import cupy as _cupy  # type: ignore
except Exception:  # pragma: no cover - depends on the machine
    _cupy = None

# TF computes inf and NaN silently; NumPy warns when an operation produces them. Those warnings are
# ignored where nanotf's own code (or a plan it generated) made the NumPy call, so `x * 2.0` with an
# overflow prints nothing, as in TF; the user's own NumPy calls keep NumPy's settings. A warnings
# filter is consulted only when a warning is raised, so this costs the ops nothing (np.errstate
# around every op would cost ~1.4 us each).
warnings.filterwarnings(
    "ignore", r"(overflow|invalid value|divide by zero|underflow) encountered", RuntimeWarning,
    r"nanotf(\.|$)")

__all__ = ["np", "xp_of", "asnumpy", "cupy_available", "is_cupy", "blas_threads", "matmul",
           "parallel_chunks", "set_intra_op_threads", "large_product", "compiled"]


def cupy_available() -> bool:
    """Whether CuPy imported on this machine."""
    return _cupy is not None


def is_cupy(a) -> bool:
    """Whether `a` is a CuPy array."""
    return _cupy is not None and isinstance(a, _cupy.ndarray)


def xp_of(*arrays):
    """The array module (numpy or cupy) that owns `arrays`."""
    if _cupy is not None:
        for a in arrays:
            if isinstance(a, _cupy.ndarray):
                return _cupy
    return np


def asnumpy(a):
    """`a` as a NumPy array (copied from the device if it lives there)."""
    if _cupy is not None and isinstance(a, _cupy.ndarray):
        return _cupy.asnumpy(a)
    return np.asarray(a)


# =============================== compiled kernels ===============================
# Where numba is installed, a few hot elementwise kernels (Adam's update, the sparse softmax
# cross-entropy) run as one compiled pass instead of 12-60 NumPy calls, with the same numbers bit
# for bit (see backend_jit). Importing numba and loading the kernels from its disk cache costs
# ~1 s (~2-3 s the first time ever, when numba compiles them into that cache), so they are loaded
# only once the arrays those kernels were asked to process add up to `_JIT_LOAD_WORK` elements
# (~0.25 s of the NumPy passes: a run long enough to repay the load; W1 gets there halfway through
# its first epoch, a short script never). From then on every eligible call uses them.
# NANOTF_JIT=0 turns them off.
_JIT_LOAD_WORK = 10 ** 8
_JIT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


class _Jit:
    module = None  # backend_jit once loaded
    work = 0  # elements the kernels were asked to process before loading
    off = os.environ.get("NANOTF_JIT", "1") == "0"  # set by the tests to compare both paths


_jit = _Jit()


def compiled(a):
    """The compiled kernels (module `backend_jit`) for a kernel over NumPy array `a`, or None:
    numba absent, turned off, not loaded yet, or `a` not a C-contiguous float32 or float64 NumPy
    array. Each call before loading counts `a`'s size towards the load."""
    if _jit.off:
        return None
    j = _jit.module
    if j is None:
        if type(a) is not np.ndarray:
            return None
        _jit.work += a.size
        if _jit.work < _JIT_LOAD_WORK:
            return None
        j = _load_jit()
    if j is None or type(a) is not np.ndarray or a.dtype not in _JIT_DTYPES or \
            not a.flags.c_contiguous:
        return None
    return j


def _load_jit():
    try:
        from nanotf._src import backend_jit

        backend_jit.self_test()  # compiles (or loads) the kernels here, not in a training step
    except Exception:  # numba absent, or unusable with this NumPy: the NumPy path stays
        _jit.off = True
        return None
    _jit.module = backend_jit
    return backend_jit


# =============================== BLAS threads ===============================
# Multithreaded OpenBLAS loses badly on small products: with any other load on a 2-core machine
# the second thread gets descheduled and the caller spin-waits, so a 32x784x128 product takes
# milliseconds instead of ~0.1 ms on one thread. Products below `_PARALLEL_FLOPS` therefore run on
# one thread and larger ones on the library's own count. The choice depends on the shape only: the
# thread count changes OpenBLAS's blocking and so the last bits of a product, and results must not
# depend on the machine's load. The count is set through the loaded OpenBLAS's
# `*openblas_set_num_threads*` symbol (found in /proc/self/maps: no environment variable, no extra
# package); with another BLAS, or no /proc, nothing changes.

_PARALLEL_FLOPS = 32e6
# A product with at least 256 rows and a depth of at least 256 gives each thread enough work per
# synchronisation from this size on: W2's 256x784x10 products take ~65-100 us on two threads
# against ~130-150 us on one, in the traced step too. W1's 32x784x128 products (32 rows, or depth
# 32 for the weight gradient) stay on one thread, where two measured slower inside the step.
_PARALLEL_FLOPS_DEEP = 3e6
_DEEP = 256


class _Blas:
    set_fn = None  # ctypes function setting OpenBLAS's thread count, once found
    default = 1  # OpenBLAS's own thread count at first use
    current = -1  # the count last set by us (-1: unknown)
    probed = False
    pinned = False  # chunks of `parallel_chunks` are running: products stay on one thread


_blas = _Blas()


def _probe_blas() -> None:
    _blas.probed = True
    try:
        import ctypes

        with open("/proc/self/maps") as f:
            paths = sorted({ln.split()[-1] for ln in f if "openblas" in ln.lower() and "/" in ln})
        for path in paths:
            lib = ctypes.CDLL(path)
            for prefix in ("scipy_openblas", "openblas"):
                for suffix in ("64_", "_64_", ""):
                    setter = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
                    getter = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                    if setter is not None and getter is not None:
                        setter.argtypes, setter.restype = [ctypes.c_int], None
                        getter.argtypes, getter.restype = [], ctypes.c_int
                        _blas.default = max(1, int(getter()))
                        _blas.current = _blas.default
                        _blas.set_fn = setter
                        return
    except (OSError, ValueError, AttributeError):  # no /proc, no ctypes, odd library
        _blas.set_fn = None


def blas_threads(n: int) -> None:
    """Sets the BLAS thread count (OpenBLAS only; a no-op elsewhere). Cheap when unchanged."""
    if n == _blas.current:
        return
    if not _blas.probed:
        _probe_blas()
        if n == _blas.current:
            return
    if _blas.set_fn is not None:
        _blas.set_fn(int(n))
        _blas.current = n


def large_product(flops: float) -> bool:
    """Whether a product of `flops` is large enough for several BLAS threads."""
    return flops >= _PARALLEL_FLOPS


def matmul(a, b, out=None):
    """`a @ b` (NumPy's matmul; into `out` if given) on the BLAS thread count chosen for the
    product's size."""
    if type(a) is np.ndarray and a.ndim >= 2 and b.ndim >= 2:
        flops = 2.0 * a.size * b.shape[-1]
        if b.ndim > 2:
            flops *= max(1, b.size // max(1, b.shape[-1] * b.shape[-2]))
        if not _blas.probed:
            _probe_blas()
        many = flops >= _PARALLEL_FLOPS or (
            flops >= _PARALLEL_FLOPS_DEEP and a.shape[-1] >= _DEEP and a.shape[-2] >= _DEEP)
        n = _blas.default if many and not _blas.pinned else 1
        if n != _blas.current:
            blas_threads(n)
    return np.matmul(a, b) if out is None else np.matmul(a, b, out=out)


# =============================== intra-op threads ===============================
# Large kernels over a batch (convolutions, pooling) split their batch into chunks run on the
# caller and a few worker threads; NumPy and OpenBLAS release the GIL, so the chunks run on all
# cores at once. While they run, BLAS products inside them use one thread each (no
# oversubscription). Only work of milliseconds is split: waking a thread costs ~10 µs here and
# the chunks' Python code contends for the GIL, so splitting a 100 µs product or Adam's passes
# over a 100k-element variable measured slower than one thread. Workers block rather than spin,
# and a chunk no worker has started when the caller is done runs on the caller, so a loaded
# machine loses only the speedup. Like the BLAS thread count, the chunk count may change the last
# bits of a product (OpenBLAS's blocking depends on the rows it gets); elementwise work is
# unaffected.

# below this much work (elements touched) per call one thread is faster
_PARALLEL_ELEMENTS = 1 << 18


class _Pool:
    threads = 0  # tf.config.threading intra-op count; 0: one per usable core
    cores = 0  # usable cores, once known
    workers = 0  # worker threads started
    queue = None  # queue.SimpleQueue of _Task
    lock = None  # held by the thread using the workers (others run their pieces serially)
    local = None  # threading.local: `busy` in a thread running a piece (no nesting)


_pool = _Pool()


class _Task:
    """A job that whoever claims first runs: a worker, or the caller once its own piece is done
    (so a worker that a busy machine has not scheduled yet costs nothing but the hand-off)."""

    __slots__ = ("job", "claim", "done", "error")

    def __init__(self, job):
        self.job, self.error = job, None
        self.claim, self.done = threading.Lock(), threading.Lock()
        self.done.acquire()

    def run(self) -> None:
        try:
            self.job()
        except BaseException as e:  # noqa: BLE001 - re-raised in the caller
            self.error = e
        self.done.release()


def _worker_loop(queue) -> None:
    _pool.local.busy = True
    while True:
        task = queue.get()
        if task.claim.acquire(blocking=False):
            task.run()


def _init_pool() -> None:
    _reset_pool()
    if hasattr(os, "register_at_fork"):  # a forked child has none of the parent's threads
        os.register_at_fork(after_in_child=_reset_pool)


def _reset_pool() -> None:
    _pool.lock, _pool.local = threading.Lock(), threading.local()
    _pool.queue, _pool.workers = queue.SimpleQueue(), 0


def _usable_cores() -> int:
    if _pool.cores == 0:  # once: the affinity mask of a running process rarely changes
        try:
            _pool.cores = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):  # not Linux
            _pool.cores = os.cpu_count() or 1
    return _pool.cores


def set_intra_op_threads(n: int) -> None:
    """Sets how many threads one op may use (0: one per usable core)."""
    _pool.threads = max(0, int(n))


def parallel_chunks(fn, n: int, elements: int, xp=np) -> None:
    """Runs `fn(lo, hi)` over a split of `range(n)` (rows of a batch), in parallel when `elements`
    (the work of the whole call) is large enough and more than one core is usable.

    The caller runs the first chunk and offers the others to workers; whatever no worker has
    started when the caller is done, it runs itself. `fn` must write disjoint outputs for disjoint
    row ranges. Exceptions from any chunk propagate. CuPy arrays, small work, calls from inside a
    chunk and calls while another thread uses the workers run as one call.
    """
    if _pool.local is None:
        _init_pool()
    k = 1 if xp is not np or getattr(_pool.local, "busy", False) else (
        min(_pool.threads or _usable_cores(), n, elements // _PARALLEL_ELEMENTS))
    if k <= 1 or not _pool.lock.acquire(blocking=False):
        fn(0, n)
        return
    bounds = [n * i // k for i in range(k + 1)]
    try:
        while _pool.workers < k - 1:
            threading.Thread(target=_worker_loop, args=(_pool.queue,), daemon=True,
                             name="nanotf-intra-op").start()
            _pool.workers += 1
        if not _blas.probed:
            _probe_blas()
        before = _blas.current
        blas_threads(1)
        _blas.pinned = True
        tasks = [_Task(lambda i=i: fn(bounds[i], bounds[i + 1])) for i in range(1, k)]
        for t in tasks:
            _pool.queue.put(t)
        _pool.local.busy = True
        try:
            fn(bounds[0], bounds[1])
        finally:
            for t in reversed(tasks):  # the last offered is the least likely to be taken
                if t.claim.acquire(blocking=False):
                    t.run()
            for t in tasks:
                t.done.acquire()  # none may still be writing
            _pool.local.busy = False
            _blas.pinned = False
            blas_threads(before)
    finally:
        _pool.lock.release()
    for t in tasks:
        if t.error is not None:
            raise t.error
