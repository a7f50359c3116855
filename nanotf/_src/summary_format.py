"""TensorBoard event files, array level: protobuf wire format, TFRecord framing, PNG, histograms.

This module has no tensorboard, protobuf or PIL dependency. It writes the bytes TensorFlow 2's
`tf.summary` writes, so TensorBoard (and `tensorboard`'s own readers) load the files unchanged. The
tf-level API (`tf.summary.create_file_writer`, `as_default`, `scalar`, ...) sits on top of it.

Events (each function returns one serialized `Event` message, as `bytes`):

- `scalar_event(tag, value, step)`: a float32 rank-0 tensor, plugin 'scalars' (what TF 2 writes).
- `histogram_event(tag, values, step, buckets=None)`: a float64 `[buckets, 3]` tensor of
  (left edge, right edge, count) rows, plugin 'histograms'; `histogram_buckets` does the bucketing.
- `image_event(tag, images, step, max_outputs=3)`: a string tensor `[width, height, png...]`,
  plugin 'images'. `images` is HWC or NHWC, uint8 (or float in [0, 1], or another integer type,
  converted like `tf.image.convert_image_dtype(..., saturate=True)`).
- `text_event(tag, text, step)`: a string tensor of any shape, plugin 'text'.
- `graph_event(graph_def)`: the serialized `GraphDef` bytes in `Event.graph_def`.
- `file_version_event()`: the 'brain.Event:2' header; `EventFileWriter` writes it first.
- `summary_event(values, step)`: an Event holding any list of `Summary.Value` messages built by
  `scalar_value`, `histogram_value`, `image_value`, `text_value`, `tensor_value` (TF 2 forms) or
  `simple_value`, `histo_value`, `legacy_image_value` (the TF 1 `tf.compat.v1.summary` forms).
  `summary_proto(values)` gives a bare serialized `Summary` (what v1 summary ops return); two
  serialized Summaries concatenated are their merge, as in protobuf.

All event builders take keyword `wall_time=None` (seconds; None means now); summary builders take
`description=None` (stored as `SummaryMetadata.summary_description`).

Writing:

    w = EventFileWriter('/tmp/logs')      # events.out.tfevents.<time>.<host>.<pid>.<n>.v2
    w.add_event(scalar_event('loss', 0.5, step=1))
    w.flush()                             # everything added so far is now in the file
    w.close()

Reading back (used by tests, and handy for tools): `read_records(path)` yields TFRecord payloads
after checking both CRCs (`tf.errors.DataLossError` on corruption); `read_events(path)` yields
each Event decoded by `parse_event` into a dict:

    {'wall_time': float, 'step': int, 'file_version': str | None, 'graph_def': bytes | None,
     'source_writer': str | None,
     'values': [{'tag': str, 'simple_value': float | None, 'tensor': np.ndarray | None,
                 'histo': dict | None, 'image': dict | None, 'plugin_name': str | None,
                 'plugin_content': bytes, 'description': str, 'display_name': str}, ...]}

String tensors decode to object arrays of `bytes`. Lower-level pieces: `crc32c`, `masked_crc32c`,
`frame_record`, `encode_png`, `decode_png`.
"""

from __future__ import annotations

import functools
import itertools
import os
import socket
import struct
import threading
import time
import weakref
import zlib
from typing import Any, Iterator, Sequence

import numpy as np

from nanotf._src import errors

__all__ = [
    "EventFileWriter", "crc32c", "masked_crc32c", "frame_record", "read_records", "read_events",
    "parse_event", "parse_summary", "encode_png", "decode_png", "histogram_buckets",
    "event", "summary_event", "summary_proto", "file_version_event", "scalar_event",
    "histogram_event", "image_event", "text_event", "graph_event", "scalar_value",
    "histogram_value", "image_value", "text_value", "tensor_value", "simple_value",
    "histo_value", "legacy_image_value",
]

# --------------------------------------------------------------------------------------------
# CRC32C (Castagnoli), table-driven
# --------------------------------------------------------------------------------------------

_CRC_POLY = 0x82F63B78  # the reflected Castagnoli polynomial


def _crc_table() -> np.ndarray:
    t = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        t = np.where(t & 1, (t >> 1) ^ np.uint32(_CRC_POLY), t >> 1).astype(np.uint32)
    return t


_CRC_TABLE_NP = _crc_table()
_CRC_TABLE = _CRC_TABLE_NP.tolist()
_CRC_SMALL = 8192  # below this, the plain byte loop beats numpy's per-call overhead


def _crc_bytes(crc: int, data) -> int:
    table = _CRC_TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


@functools.lru_cache(maxsize=8)
def _zero_shift_tables(block: int) -> tuple:
    """Four byte tables giving the raw CRC register after `block` zero bytes.

    The register update is linear over GF(2), so the effect of `block` zero bytes on a state is
    the XOR of its effect on each state byte; tabulating those lets blocks be chained quickly.
    """
    states = (np.arange(256, dtype=np.uint32)[None, :]
              << (8 * np.arange(4, dtype=np.uint32))[:, None]).ravel()
    for _ in range(block):
        states = _CRC_TABLE_NP[states & 0xFF] ^ (states >> 8)
    return tuple(states.reshape(4, 256)[k].tolist() for k in range(4))


def _crc_update(crc: int, data: bytes) -> int:
    """Raw (un-inverted) CRC32C register after feeding `data`."""
    n = len(data)
    if n < _CRC_SMALL:
        return _crc_bytes(crc, data)
    # Split into equal blocks and run them all at once in numpy from a zero register, then
    # chain: crc(s, A + B) = shift_len(B)(crc(s, A)) ^ crc(0, B) by linearity.
    block = 1 << max(8, min(12, (n.bit_length() + 1) // 2))
    nblocks = n // block
    arr = np.frombuffer(data, dtype=np.uint8, count=nblocks * block).reshape(nblocks, block)
    regs = np.zeros(nblocks, dtype=np.uint32)
    table = _CRC_TABLE_NP
    for j in range(block):
        regs = table[(regs ^ arr[:, j]) & 0xFF] ^ (regs >> 8)
    t0, t1, t2, t3 = _zero_shift_tables(block)
    for r in regs.tolist():
        crc = t0[crc & 0xFF] ^ t1[(crc >> 8) & 0xFF] ^ t2[(crc >> 16) & 0xFF] ^ t3[crc >> 24] ^ r
    return _crc_bytes(crc, memoryview(data)[nblocks * block:])


def crc32c(data: bytes) -> int:
    """CRC32C (Castagnoli) checksum of `data`, as used by TFRecord files.

    >>> hex(crc32c(b'123456789'))
    '0xe3069283'
    """
    return _crc_update(0xFFFFFFFF, bytes(data)) ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """TFRecord's masked CRC32C: rotate right by 15 bits and add a constant (mod 2**32)."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def frame_record(data: bytes) -> bytes:
    """One TFRecord: uint64 length, masked CRC of the length, data, masked CRC of the data."""
    header = struct.pack("<Q", len(data))
    return (header + struct.pack("<I", masked_crc32c(header)) + data
            + struct.pack("<I", masked_crc32c(data)))


def read_records(path: str) -> Iterator[bytes]:
    """Yields the payloads of the TFRecord file at `path`, checking both CRCs of each record.

    A truncated final record (a writer still appending) ends the iteration quietly, as
    TensorBoard's reader does; a CRC mismatch raises `tf.errors.DataLossError`.
    """
    with open(path, "rb") as f:
        data = f.read()
    pos = 0
    while pos + 12 <= len(data):
        header = data[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (hcrc,) = struct.unpack("<I", data[pos + 8:pos + 12])
        if hcrc != masked_crc32c(header):
            raise errors.DataLossError(None, None, f"corrupted record at {pos} in {path}: "
                                       "length CRC mismatch")
        end = pos + 12 + length + 4
        if end > len(data):
            return
        payload = data[pos + 12:pos + 12 + length]
        (dcrc,) = struct.unpack("<I", data[end - 4:end])
        if dcrc != masked_crc32c(payload):
            raise errors.DataLossError(None, None, f"corrupted record at {pos} in {path}: "
                                       "data CRC mismatch")
        yield payload
        pos = end


# --------------------------------------------------------------------------------------------
# Protobuf wire format
# --------------------------------------------------------------------------------------------

_VARINT, _I64, _LEN, _I32 = 0, 1, 2, 5


def _varint(value: int) -> bytes:
    if value < 0:  # int32/int64 negatives are sent as their 64-bit two's complement
        value += 1 << 64
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _key(field: int, wire: int) -> bytes:
    return _varint((field << 3) | wire)


# Scalar fields follow proto3: a zero value is not written (TF's files match byte for byte).
def _f_int(field: int, value: int) -> bytes:
    return _key(field, _VARINT) + _varint(int(value)) if value else b""


def _f_double(field: int, value: float) -> bytes:
    raw = struct.pack("<d", value)
    return _key(field, _I64) + raw if raw != b"\0" * 8 else b""


def _f_float(field: int, value: float) -> bytes:
    raw = struct.pack("<f", value)
    return _key(field, _I32) + raw if raw != b"\0" * 4 else b""


def _f_bytes(field: int, value: bytes) -> bytes:
    return _key(field, _LEN) + _varint(len(value)) + value if value else b""


def _f_str(field: int, value: str | None) -> bytes:
    return _f_bytes(field, value.encode("utf-8")) if value else b""


def _f_msg(field: int, body: bytes) -> bytes:
    """A set sub-message: written even when empty, since its presence carries meaning."""
    return _key(field, _LEN) + _varint(len(body)) + body


def _f_packed_doubles(field: int, values) -> bytes:
    arr = np.asarray(values, dtype="<f8")
    return _f_bytes(field, arr.tobytes()) if arr.size else b""


def _read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise errors.DataLossError(None, None, "truncated varint in protobuf message")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def _fields(buf: bytes) -> Iterator[tuple[int, int, Any]]:
    """(field number, wire type, value) for each field; LEN and fixed values come as bytes."""
    pos, n = 0, len(buf)
    while pos < n:
        key, pos = _read_varint(buf, pos)
        field, wire = key >> 3, key & 7
        if wire == _VARINT:
            value, pos = _read_varint(buf, pos)
        elif wire == _I64:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire == _LEN:
            size, pos = _read_varint(buf, pos)
            value, pos = buf[pos:pos + size], pos + size
        elif wire == _I32:
            value, pos = buf[pos:pos + 4], pos + 4
        else:
            raise errors.DataLossError(None, None, f"unsupported protobuf wire type {wire}")
        if pos > n:
            raise errors.DataLossError(None, None, "truncated protobuf message")
        yield field, wire, value


def _signed64(v: int) -> int:
    return v - (1 << 64) if v >= 1 << 63 else v


# --------------------------------------------------------------------------------------------
# TensorProto
# --------------------------------------------------------------------------------------------

# numpy dtype -> TF DataType enum value (types.proto).
_DT_OF_NP = {
    np.dtype(np.float32): 1, np.dtype(np.float64): 2, np.dtype(np.int32): 3,
    np.dtype(np.uint8): 4, np.dtype(np.int16): 5, np.dtype(np.int8): 6,
    np.dtype(np.complex64): 8, np.dtype(np.int64): 9, np.dtype(np.bool_): 10,
    np.dtype(np.uint16): 17, np.dtype(np.complex128): 18, np.dtype(np.float16): 19,
    np.dtype(np.uint32): 22, np.dtype(np.uint64): 23,
}
_NP_OF_DT = {v: k for k, v in _DT_OF_NP.items()}
_DT_STRING = 7


def _to_bytes(s) -> bytes:
    if isinstance(s, bytes):
        return s
    if isinstance(s, str):
        return s.encode("utf-8")
    if isinstance(s, np.bytes_):
        return bytes(s)
    raise TypeError(f"expected str or bytes in a string tensor, got {type(s).__name__}")


def _shape_proto(shape: Sequence[int]) -> bytes:
    return b"".join(_f_msg(2, _f_int(1, d)) for d in shape)


def _tensor_proto(array) -> bytes:
    """A TensorProto as TF writes it: numbers in `tensor_content`, strings in `string_val`."""
    arr = np.asarray(array)
    if arr.dtype.kind in "USO":
        flat = [_to_bytes(s) for s in arr.ravel().tolist()]
        return (_f_int(1, _DT_STRING) + _f_msg(2, _shape_proto(arr.shape))
                + b"".join(_key(8, _LEN) + _varint(len(s)) + s for s in flat))
    dt = _DT_OF_NP.get(arr.dtype)
    if dt is None:
        raise TypeError(f"tensor_value: unsupported dtype {arr.dtype} for a summary tensor")
    content = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<")).tobytes()
    return _f_int(1, dt) + _f_msg(2, _shape_proto(arr.shape)) + _f_bytes(4, content)


def _parse_tensor(buf: bytes) -> np.ndarray:
    dtype_enum, shape, content, strings, vals = 0, [], None, [], []
    for field, wire, v in _fields(buf):
        if field == 1:
            dtype_enum = v
        elif field == 2:
            for f2, _, dim in _fields(v):
                if f2 == 2:
                    size = 0
                    for f3, _, s in _fields(dim):
                        if f3 == 1:
                            size = _signed64(s)
                    shape.append(size)
        elif field == 4:
            content = v
        elif field == 8:
            strings.append(bytes(v))
        elif field in (5, 6, 7, 10, 11, 13, 16, 17):
            vals.append((field, wire, v))
    n = int(np.prod(shape)) if shape else 1
    if dtype_enum == _DT_STRING:
        out = np.empty(len(strings), dtype=object)
        out[:] = strings
    else:
        npdt = _NP_OF_DT.get(dtype_enum)
        if npdt is None:
            raise TypeError(f"parse_event: unsupported tensor dtype enum {dtype_enum}")
        if content is not None:
            out = np.frombuffer(content, dtype=npdt.newbyteorder("<")).astype(npdt)
        else:
            out = np.array(_typed_vals(vals), dtype=npdt)
    if out.size == 1 and n != 1:  # TF stores a constant-filled tensor as a single value
        out = np.full(n, out[0], dtype=out.dtype)
    return out.reshape(shape)


def _typed_vals(vals) -> list:
    out: list = []
    for field, wire, v in vals:
        if field in (5, 6):
            fmt = "<f" if field == 5 else "<d"
            if wire == _LEN:
                out.extend(x for (x,) in struct.iter_unpack(fmt, v))
            else:
                out.append(struct.unpack(fmt, v)[0])
        elif wire == _LEN:  # packed varints: int_val, int64_val, bool_val, half_val, uints
            pos = 0
            while pos < len(v):
                x, pos = _read_varint(v, pos)
                out.append(_signed64(x) if field in (7, 10) else x)
        else:
            out.append(_signed64(v) if field in (7, 10) else v)
    return out


# --------------------------------------------------------------------------------------------
# Summary.Value builders
# --------------------------------------------------------------------------------------------


def _metadata(plugin_name: str | None, description: str | None, content: bytes = b"") -> bytes:
    plugin = _f_msg(1, _f_str(1, plugin_name) + _f_bytes(2, content)) if plugin_name else b""
    return plugin + _f_str(3, description)


def _value(tag: str, *, simple: float | None = None, image: bytes | None = None,
           histo: bytes | None = None, tensor: bytes | None = None,
           metadata: bytes | None = None) -> bytes:
    # Field order follows the field numbers, as protobuf serializers do.
    out = _f_str(1, str(tag))
    if simple is not None:
        out += _key(2, _I32) + struct.pack("<f", simple)
    if image is not None:
        out += _f_msg(4, image)
    if histo is not None:
        out += _f_msg(5, histo)
    if tensor is not None:
        out += _f_msg(8, tensor)
    if metadata:
        out += _f_msg(9, metadata)
    return out


def tensor_value(tag: str, array, plugin_name: str | None = None,
                 description: str | None = None, plugin_content: bytes = b"") -> bytes:
    """A `Summary.Value` holding `array` as a TensorProto, with optional plugin metadata.

    Args:
      tag: the summary tag.
      array: anything `np.asarray` accepts; str/bytes arrays become DT_STRING tensors.
      plugin_name: `SummaryMetadata.plugin_data.plugin_name` (e.g. 'scalars'), or None.
      description: `SummaryMetadata.summary_description`.
      plugin_content: `SummaryMetadata.plugin_data.content` bytes.

    >>> v = tensor_value('x', np.float32(1.0), plugin_name='scalars')
    """
    return _value(tag, tensor=_tensor_proto(array),
                  metadata=_metadata(plugin_name, description, plugin_content))


def _check_scalar(value, op: str) -> np.ndarray:
    arr = np.asarray(value)
    if arr.ndim != 0:
        raise ValueError(f"Expected scalar shape, saw shape: {tuple(arr.shape)}. ({op})")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{op}: cannot convert a value of dtype {arr.dtype} to float32")
    return arr


def scalar_value(tag: str, value, description: str | None = None) -> bytes:
    """The `Summary.Value` TF 2 writes for `tf.summary.scalar`: a float32 rank-0 tensor.

    >>> v = scalar_value('loss', 0.5)
    """
    arr = _check_scalar(value, "scalar")
    return tensor_value(tag, arr.astype(np.float32), "scalars", description)


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


def histogram_value(tag: str, values, buckets: int | None = None,
                    description: str | None = None) -> bytes:
    """The `Summary.Value` TF 2 writes for `tf.summary.histogram` (plugin 'histograms')."""
    return tensor_value(tag, histogram_buckets(values, buckets), "histograms", description)


def _to_uint8_images(images, op: str) -> np.ndarray:
    """NHWC uint8, converting like `tf.image.convert_image_dtype(..., saturate=True)`."""
    arr = np.asarray(images)
    if arr.ndim == 3:
        arr = arr[None]
    if arr.ndim != 4:
        raise ValueError(f"{op}: images must be HWC or NHWC, got shape {tuple(arr.shape)}")
    if arr.shape[-1] not in (1, 2, 3, 4):
        raise errors.invalid_argument(
            f"image must have 1, 2, 3, or 4 channels, got {arr.shape[-1]}", "EncodePng")
    kind = arr.dtype.kind
    if arr.dtype == np.uint8:
        return arr
    if kind == "f":
        with np.errstate(invalid="ignore"):
            scaled = arr * arr.dtype.type(255.5)  # TF scales by max + 0.5, then truncates
            return np.clip(np.nan_to_num(scaled), 0, 255).astype(np.uint8)
    if kind == "b":
        return arr.astype(np.uint8) * np.uint8(255)
    if kind in "iu":
        value_bits = np.iinfo(arr.dtype).bits - (1 if kind == "i" else 0)
        wide = arr.astype(np.int64)
        # TF rescales by the ratio of the types' ranges (a power of two), then saturates.
        wide = wide >> (value_bits - 8) if value_bits >= 8 else wide << (8 - value_bits)
        return np.clip(wide, 0, 255).astype(np.uint8)
    raise TypeError(f"{op}: unsupported image dtype {arr.dtype}")


def image_value(tag: str, images, max_outputs: int = 3,
                description: str | None = None) -> bytes:
    """The `Summary.Value` TF 2 writes for `tf.summary.image` (plugin 'images').

    The tensor holds `[str(width), str(height), png_0, ..., png_k]` for the first `max_outputs`
    images of `images` (HWC or NHWC).
    """
    arr = _to_uint8_images(images, "image")
    pngs = [encode_png(im) for im in arr[:max(0, int(max_outputs))]]
    strings = np.array([str(arr.shape[2]).encode(), str(arr.shape[1]).encode()] + pngs,
                       dtype=object)
    return tensor_value(tag, strings, "images", description)


def text_value(tag: str, text, description: str | None = None) -> bytes:
    """The `Summary.Value` TF 2 writes for `tf.summary.text`: a string tensor, plugin 'text'."""
    arr = np.asarray(text, dtype=object)
    flat = np.empty(arr.size, dtype=object)
    flat[:] = [_to_bytes(s) for s in arr.ravel().tolist()]
    return tensor_value(tag, flat.reshape(arr.shape), "text", description)


def simple_value(tag: str, value: float) -> bytes:
    """A TF 1 style `Summary.Value` with `simple_value` (`tf.compat.v1.summary.scalar`)."""
    return _value(tag, simple=float(_check_scalar(value, "scalar")))


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


def histo_value(tag: str, values) -> bytes:
    """A TF 1 style `Summary.Value` with a `HistogramProto` (`tf.compat.v1.summary.histogram`).

    Buckets use TF 1's exponential default limits; runs of empty buckets are collapsed into one
    entry carrying the run's last limit, as TF 1 stores them.
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
    histo = (_f_double(1, lo) + _f_double(2, hi) + _f_double(3, float(data.size))
             + _f_double(4, float(data.sum())) + _f_double(5, float(np.dot(data, data)))
             + _f_packed_doubles(6, out_limits) + _f_packed_doubles(7, out_counts))
    return _value(tag, histo=histo)


def legacy_image_value(tag: str, image) -> bytes:
    """A TF 1 style `Summary.Value` with a `Summary.Image` (PNG) for one HWC image."""
    arr = _to_uint8_images(image, "image")[0]
    h, w, c = arr.shape
    body = _f_int(1, h) + _f_int(2, w) + _f_int(3, c) + _f_bytes(4, encode_png(arr))
    return _value(tag, image=body)


# --------------------------------------------------------------------------------------------
# Event builders
# --------------------------------------------------------------------------------------------


def summary_proto(values: Sequence[bytes]) -> bytes:
    """A serialized `Summary` message from serialized `Summary.Value` messages."""
    return b"".join(_f_msg(1, v) for v in values)


def event(*, wall_time: float | None = None, step: int = 0, file_version: str | None = None,
          graph_def: bytes | None = None, summary: bytes | None = None,
          source_writer: str | None = None) -> bytes:
    """A serialized `Event`; set at most one of `file_version`, `graph_def`, `summary`.

    Args:
      wall_time: seconds since the epoch; None means now.
      step: the global step (int64).
      file_version: e.g. 'brain.Event:2'.
      graph_def: serialized `GraphDef` bytes.
      summary: a serialized `Summary` (see `summary_proto`).
      source_writer: `SourceMetadata.writer`, the name of the writing program.
    """
    out = _f_double(1, time.time() if wall_time is None else float(wall_time))
    out += _f_int(2, int(step))
    if file_version is not None:
        out += _f_str(3, file_version)
    if graph_def is not None:
        out += _key(4, _LEN) + _varint(len(graph_def)) + bytes(graph_def)
    if summary is not None:
        out += _f_msg(5, summary)
    if source_writer:
        out += _f_msg(10, _f_str(1, source_writer))
    return out


def _step(step) -> int:
    if step is None:
        raise ValueError("No step set. Please specify one either through the `step` argument or "
                         "through tf.summary.experimental.set_step()")
    try:
        return int(np.asarray(step).item()) if not isinstance(step, int) else step
    except (TypeError, ValueError):
        raise TypeError(f"step must be an integer, got {step!r}") from None


def summary_event(values: Sequence[bytes], step: int, wall_time: float | None = None) -> bytes:
    """An `Event` at `step` whose `Summary` holds the given serialized `Summary.Value`s."""
    return event(wall_time=wall_time, step=_step(step), summary=summary_proto(values))


def file_version_event(wall_time: float | None = None, writer: str | None = "nanotf") -> bytes:
    """The header Event every TF 2 event file starts with: file_version 'brain.Event:2'."""
    return event(wall_time=wall_time, file_version="brain.Event:2", source_writer=writer)


def scalar_event(tag: str, value, step: int, *, description: str | None = None,
                 wall_time: float | None = None) -> bytes:
    """An Event with one scalar summary, as TF 2's `tf.summary.scalar` writes it.

    >>> ev = scalar_event('loss', 0.25, step=3)
    >>> parse_event(ev)['values'][0]['tensor']
    array(0.25, dtype=float32)
    """
    return summary_event([scalar_value(tag, value, description)], step, wall_time)


def histogram_event(tag: str, values, step: int, buckets: int | None = None, *,
                    description: str | None = None, wall_time: float | None = None) -> bytes:
    """An Event with one histogram summary, as TF 2's `tf.summary.histogram` writes it.

    >>> ev = histogram_event('w', np.arange(10.), step=1, buckets=5)
    >>> parse_event(ev)['values'][0]['tensor'].shape
    (5, 3)
    """
    return summary_event([histogram_value(tag, values, buckets, description)], step, wall_time)


def image_event(tag: str, images, step: int, *, max_outputs: int = 3,
                description: str | None = None, wall_time: float | None = None) -> bytes:
    """An Event with one image summary (PNG-encoded), as TF 2's `tf.summary.image` writes it.

    >>> ev = image_event('img', np.zeros((4, 5, 3), np.uint8), step=0)
    >>> parse_event(ev)['values'][0]['tensor'][:2].tolist()
    [b'5', b'4']
    """
    return summary_event([image_value(tag, images, max_outputs, description)], step, wall_time)


def text_event(tag: str, text, step: int, *, description: str | None = None,
               wall_time: float | None = None) -> bytes:
    """An Event with one text summary, as TF 2's `tf.summary.text` writes it.

    >>> parse_event(text_event('note', 'hi', step=0))['values'][0]['tensor']
    array(b'hi', dtype=object)
    """
    return summary_event([text_value(tag, text, description)], step, wall_time)


def graph_event(graph_def, *, step: int = 0, wall_time: float | None = None) -> bytes:
    """An Event carrying a serialized `GraphDef` (bytes, or an object with SerializeToString)."""
    if hasattr(graph_def, "SerializeToString"):
        graph_def = graph_def.SerializeToString()
    if not isinstance(graph_def, (bytes, bytearray, memoryview)):
        raise TypeError(f"graph_event: expected serialized GraphDef bytes, got "
                        f"{type(graph_def).__name__}")
    return event(wall_time=wall_time, step=_step(step), graph_def=bytes(graph_def))


# --------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------


def _parse_value(buf: bytes) -> dict:
    out: dict = {"tag": "", "simple_value": None, "tensor": None, "histo": None, "image": None,
                 "plugin_name": None, "plugin_content": b"", "description": "",
                 "display_name": ""}
    for field, _, v in _fields(buf):
        if field == 1:
            out["tag"] = bytes(v).decode("utf-8")
        elif field == 2:
            out["simple_value"] = struct.unpack("<f", v)[0]
        elif field == 4:
            img = {"height": 0, "width": 0, "colorspace": 0, "encoded_image_string": b""}
            names = {1: "height", 2: "width", 3: "colorspace", 4: "encoded_image_string"}
            for f2, _, x in _fields(v):
                if f2 in names:
                    img[names[f2]] = bytes(x) if f2 == 4 else x
            out["image"] = img
        elif field == 5:
            out["histo"] = _parse_histo(v)
        elif field == 8:
            out["tensor"] = _parse_tensor(v)
        elif field == 9:
            for f2, _, x in _fields(v):
                if f2 == 1:
                    for f3, _, y in _fields(x):
                        if f3 == 1:
                            out["plugin_name"] = bytes(y).decode("utf-8")
                        elif f3 == 2:
                            out["plugin_content"] = bytes(y)
                elif f2 == 2:
                    out["display_name"] = bytes(x).decode("utf-8")
                elif f2 == 3:
                    out["description"] = bytes(x).decode("utf-8")
    return out


def _parse_histo(buf: bytes) -> dict:
    names = {1: "min", 2: "max", 3: "num", 4: "sum", 5: "sum_squares"}
    out: dict = {k: 0.0 for k in names.values()}
    out["bucket_limit"], out["bucket"] = [], []
    for field, wire, v in _fields(buf):
        if field in names:
            out[names[field]] = struct.unpack("<d", v)[0]
        elif field in (6, 7):
            key = "bucket_limit" if field == 6 else "bucket"
            if wire == _LEN:
                out[key].extend(x for (x,) in struct.iter_unpack("<d", v))
            else:
                out[key].append(struct.unpack("<d", v)[0])
    return out


def parse_summary(buf: bytes) -> list:
    """Decodes a serialized `Summary` into a list of value dicts (see the module docstring)."""
    return [_parse_value(v) for field, _, v in _fields(buf) if field == 1]


def parse_event(buf: bytes) -> dict:
    """Decodes a serialized `Event` into a dict (see the module docstring for its keys)."""
    out: dict = {"wall_time": 0.0, "step": 0, "file_version": None, "graph_def": None,
                 "source_writer": None, "values": []}
    for field, _, v in _fields(buf):
        if field == 1:
            out["wall_time"] = struct.unpack("<d", v)[0]
        elif field == 2:
            out["step"] = _signed64(v)
        elif field == 3:
            out["file_version"] = bytes(v).decode("utf-8")
        elif field == 4:
            out["graph_def"] = bytes(v)
        elif field == 5:
            out["values"].extend(parse_summary(v))
        elif field == 10:
            for f2, _, x in _fields(v):
                if f2 == 1:
                    out["source_writer"] = bytes(x).decode("utf-8")
    return out


def read_events(path: str) -> Iterator[dict]:
    """Yields each Event of the event file at `path`, decoded by `parse_event`."""
    for rec in read_records(path):
        yield parse_event(rec)


# --------------------------------------------------------------------------------------------
# PNG
# --------------------------------------------------------------------------------------------

_PNG_SIG = b"\x89PNG\r\n\x1a\n"
_PNG_COLOR = {1: 0, 2: 4, 3: 2, 4: 6}  # channels -> PNG colour type (gray, gray+alpha, RGB, RGBA)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def encode_png(image, compression: int = 6) -> bytes:
    """PNG bytes of a uint8 HWC image (or HW) with 1 to 4 channels; no filtering, zlib only.

    >>> encode_png(np.zeros((2, 2, 3), np.uint8))[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    """
    arr = np.asarray(image)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.ndim != 3 or arr.shape[2] not in _PNG_COLOR:
        raise errors.invalid_argument(
            f"image must be HWC with 1, 2, 3, or 4 channels, got shape {tuple(arr.shape)}",
            "EncodePng")
    if arr.dtype != np.uint8:
        raise TypeError(f"encode_png: expected a uint8 image, got dtype {arr.dtype}")
    h, w, c = arr.shape
    rows = np.zeros((h, 1 + w * c), dtype=np.uint8)  # each row: filter byte 0, then pixels
    rows[:, 1:] = arr.reshape(h, w * c)
    header = struct.pack(">IIBBBBB", w, h, 8, _PNG_COLOR[c], 0, 0, 0)
    return (_PNG_SIG + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), compression))
            + _png_chunk(b"IEND", b""))


def _unfilter(ftype: int, line: np.ndarray, prev: np.ndarray, bpp: int) -> np.ndarray:
    if ftype == 0:
        return line
    if ftype == 2:
        return line + prev  # uint8 arithmetic wraps mod 256, as PNG requires
    if ftype == 1:
        return np.cumsum(line.reshape(-1, bpp), axis=0, dtype=np.uint64).astype(
            np.uint8).ravel()
    out = bytearray(line.tobytes())
    up = prev.tolist()
    for i in range(len(out)):
        left = out[i - bpp] if i >= bpp else 0
        if ftype == 3:
            pred = (left + up[i]) >> 1
        elif ftype == 4:
            ul = up[i - bpp] if i >= bpp else 0
            p = left + up[i] - ul
            pa, pb, pc = abs(p - left), abs(p - up[i]), abs(p - ul)
            pred = left if pa <= pb and pa <= pc else (up[i] if pb <= pc else ul)
        else:
            raise errors.DataLossError(None, None, f"decode_png: bad PNG filter type {ftype}")
        out[i] = (out[i] + pred) & 0xFF
    return np.frombuffer(bytes(out), dtype=np.uint8)


def decode_png(data: bytes) -> np.ndarray:
    """Decodes an 8-bit, non-interlaced PNG into a uint8 HWC array (all five filter types)."""
    if not bytes(data[:8]) == _PNG_SIG:
        raise errors.invalid_argument("decode_png: not a PNG (bad signature)", "DecodePng")
    pos, idat, header = 8, [], None
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = bytes(data[pos + 4:pos + 8])
        body = bytes(data[pos + 8:pos + 8 + length])
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if header is None:
        raise errors.invalid_argument("decode_png: missing IHDR chunk", "DecodePng")
    w, h, depth, color, _, _, interlace = header
    channels = {v: k for k, v in _PNG_COLOR.items()}.get(color)
    if depth != 8 or interlace or channels is None:
        raise errors.invalid_argument(
            f"decode_png: only 8-bit non-interlaced gray/RGB(A) PNGs are supported "
            f"(depth {depth}, colour type {color}, interlace {interlace})", "DecodePng")
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), dtype=np.uint8)
    stride = w * channels
    raw = raw[:h * (stride + 1)].reshape(h, stride + 1)
    out = np.zeros((h, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.uint8)
    for r in range(h):
        prev = out[r] = _unfilter(int(raw[r, 0]), raw[r, 1:], prev, channels)
    return out.reshape(h, w, channels)


# --------------------------------------------------------------------------------------------
# The writer
# --------------------------------------------------------------------------------------------

_writer_counter = itertools.count()
_counter_lock = threading.Lock()


class _FileState:
    """The open file and its queue, kept apart from the writer so a finalizer can flush them."""

    def __init__(self, path: str):
        self.path = path
        self.file = open(path, "ab")
        self.pending: list = []
        self.lock = threading.Lock()

    def flush(self) -> None:
        with self.lock:
            if self.file is None:
                return
            if self.pending:
                self.file.write(b"".join(self.pending))
                self.pending.clear()
            self.file.flush()

    def close(self) -> None:
        self.flush()
        with self.lock:
            if self.file is not None:
                os.fsync(self.file.fileno())
                self.file.close()
                self.file = None


class EventFileWriter:
    """Appends Events to a new TensorBoard event file in `logdir`.

    The file is named `events.out.tfevents.<time>.<hostname>.<pid>.<n><suffix>` like TF 2's
    (`<n>` counts writers in this process). Its first record, the 'brain.Event:2' header, is
    written at once. Later events wait in a queue until `max_queue` are pending, `flush_secs`
    have passed since the last flush, or `flush()`/`close()` is called. Event files are streams
    that TensorBoard reads while they grow, so they are appended to, never replaced atomically.

    Args:
      logdir: the directory (created if missing).
      max_queue: flush once this many events are pending.
      flush_secs: flush on the next `add_event` once this many seconds have passed.
      filename_suffix: appended to the file name; TF 2 uses '.v2'.
      writer_name: stored in the header's `source_metadata.writer`.

    >>> import tempfile
    >>> with EventFileWriter(tempfile.mkdtemp()) as w:
    ...     w.add_event(scalar_event('loss', 0.5, step=1))
    """

    def __init__(self, logdir: str, max_queue: int = 10, flush_secs: float = 120.0,
                 filename_suffix: str = ".v2", writer_name: str | None = "nanotf"):
        self.logdir = os.fspath(logdir)
        os.makedirs(self.logdir, exist_ok=True)
        self.max_queue = max(1, int(max_queue))
        self.flush_secs = float(flush_secs)
        with _counter_lock:
            n = next(_writer_counter)
        start = int(time.time())
        name = (f"events.out.tfevents.{start:010d}.{socket.gethostname()}.{os.getpid()}.{n}"
                f"{filename_suffix or ''}")
        self.path = os.path.join(self.logdir, name)
        self._state = _FileState(self.path)
        self._finalizer = weakref.finalize(self, self._state.close)
        self._last_flush = time.monotonic()
        # TF stamps the header with the whole second used in the file name.
        self._state.pending.append(frame_record(file_version_event(start, writer_name)))
        self.flush()

    @property
    def closed(self) -> bool:
        """Whether `close()` has been called."""
        return not self._finalizer.alive

    def add_event(self, event_bytes: bytes) -> None:
        """Queues one serialized Event (from the `*_event` functions) for writing."""
        if self.closed:
            raise RuntimeError(f"EventFileWriter for {self.path} is already closed")
        record = frame_record(bytes(event_bytes))
        with self._state.lock:
            self._state.pending.append(record)
            n = len(self._state.pending)
        if n >= self.max_queue or time.monotonic() - self._last_flush >= self.flush_secs:
            self.flush()

    def flush(self) -> None:
        """Writes every queued event to the file and flushes it to the operating system."""
        if not self.closed:
            self._state.flush()
            self._last_flush = time.monotonic()

    def close(self) -> None:
        """Flushes, syncs and closes the file; closing twice is harmless."""
        self._finalizer()

    def __enter__(self) -> EventFileWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<EventFileWriter {self.path!r}{' (closed)' if self.closed else ''}>"
