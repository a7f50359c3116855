"""Histogram bucketing: TF 2's `[buckets, 3]` tensors and TF 1's `HistogramProto`."""

from __future__ import annotations

import functools

import numpy as np

from nanotf._src import errors
from nanotf._src.events.proto import f_double, f_packed_doubles


def histogram_buckets(values, buckets: int | None = None) -> np.ndarray:
    """TF 2's histogram bucketing: a float64 `[buckets, 3]` array of (left, right, count) rows.

    `buckets` (default 30) equal-width buckets span [min, max]; the maximum falls in the last
    one. All-equal data puts every count in the last bucket with both edges at the value; empty
    data (or `buckets <= 0`) gives zeros. Non-finite values are dropped from the counts, and NaN
    propagates to the edges, as in TF.

    >>> histogram_buckets([0., 1., 2., 3.], buckets=2).tolist()
    [[0.0, 1.5, 2.0], [1.5, 3.0, 2.0]]
    """
    k = max(0, 30 if buckets is None else int(buckets))
    data = np.asarray(values)
    if data.dtype.kind not in "biuf":
        raise TypeError(f"histogram: expected real numbers, got dtype {data.dtype}")
    data = data.astype(np.float64).ravel()
    if data.size == 0 or k == 0:
        return np.zeros((k, 3), dtype=np.float64)
    lo, hi = data.min(), data.max()
    span = hi - lo
    if span == 0:
        counts = np.zeros(k, dtype=np.float64)
        counts[-1] = data.size
        return np.stack([np.full(k, lo), np.full(k, lo), counts], axis=1)
    with np.errstate(all="ignore"):
        q = np.floor((data - lo) / (span / k))
        idx = np.minimum(q[np.isfinite(q)], k - 1).astype(np.int64)
        # Edges as TF's linspace computes them: start + i * delta, with the last edge = max.
        edges = lo + np.arange(k + 1, dtype=np.float64) * (span / max(k, 1))
    edges[0], edges[-1] = lo, hi
    counts = np.bincount(idx, minlength=k).astype(np.float64)
    return np.stack([edges[:-1], edges[1:], counts], axis=1)



@functools.lru_cache(maxsize=1)
def _v1_bucket_limits() -> np.ndarray:
    # TF 1's default limits: +-1e-12 * 1.1**k up to 1e20, then +-DBL_MAX, with 0 between.
    pos = []
    v = 1.0e-12
    while v < 1.0e20:
        pos.append(v)
        v *= 1.1
    pos.append(np.finfo(np.float64).max)
    return np.array([-x for x in reversed(pos)] + [0.0] + pos)


def v1_histogram_proto(tag: str, values) -> bytes:
    """A serialized TF 1 `HistogramProto` of `values` (`tf.compat.v1.summary.histogram`).

    Buckets use TF 1's exponential default limits; runs of empty buckets are collapsed into one
    entry carrying the run's last limit, as TF 1 stores them. `tag` only names the summary in
    the error raised for NaN or infinite data.
    """
    data = np.asarray(values)
    if data.dtype.kind not in "biuf":
        raise TypeError(f"histogram: expected real numbers, got dtype {data.dtype}")
    data = data.astype(np.float64).ravel()
    if not np.all(np.isfinite(data)):
        bad = "Nan" if np.isnan(data).any() else "Infinity"
        raise errors.invalid_argument(f"{bad} in summary histogram for: {tag}",
                                      "HistogramSummary")
    limits = _v1_bucket_limits()
    counts = np.bincount(np.searchsorted(limits, data, side="right"),
                         minlength=limits.size).astype(np.float64)
    big = float(np.finfo(np.float64).max)
    out_limits, out_counts = [], []
    i = 0
    while i < limits.size:
        end, count = limits[i], counts[i]
        i += 1
        if count <= 0:
            while i < limits.size and counts[i] <= 0:
                end = limits[i]
                i += 1
        out_limits.append(end)
        out_counts.append(count)
    lo = float(data.min()) if data.size else big
    hi = float(data.max()) if data.size else -big
    histo = (f_double(1, lo) + f_double(2, hi) + f_double(3, float(data.size))
             + f_double(4, float(data.sum())) + f_double(5, float(np.dot(data, data)))
             + f_packed_doubles(6, out_limits) + f_packed_doubles(7, out_counts))
    return histo
