"""Protobuf wire format by hand: field encoders, a field iterator, and TensorProto.

Only the handful of messages TensorBoard's event files use are needed, so there is no protobuf
dependency. Encoders follow proto3: a scalar field holding zero is not written, which is what
makes the output byte-identical to TensorFlow's. Sub-messages (`f_msg`) are always written, since
their presence carries meaning.
"""

from __future__ import annotations

import struct
from typing import Any, Iterator, Sequence

import numpy as np

from nanotf._src import errors

VARINT, I64, LEN, I32 = 0, 1, 2, 5  # wire types


def varint(value: int) -> bytes:
    """A base-128 varint; negative ints as their 64-bit two's complement."""
    if value < 0:  # int32/int64 negatives are sent as their 64-bit two's complement
        value += 1 << 64
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def key(field: int, wire: int) -> bytes:
    """A field key: the field number and wire type packed in a varint."""
    return varint((field << 3) | wire)


# Scalar fields follow proto3: a zero value is not written (TF's files match byte for byte).
def f_int(field: int, value: int) -> bytes:
    """An integer (varint) field; omitted when zero."""
    return key(field, VARINT) + varint(int(value)) if value else b""


def f_double(field: int, value: float) -> bytes:
    """A double (fixed64) field; omitted when +0.0."""
    raw = struct.pack("<d", value)
    return key(field, I64) + raw if raw != b"\0" * 8 else b""


def f_float(field: int, value: float) -> bytes:
    """A float (fixed32) field; omitted when +0.0."""
    raw = struct.pack("<f", value)
    return key(field, I32) + raw if raw != b"\0" * 4 else b""


def f_bytes(field: int, value: bytes) -> bytes:
    """A bytes field; omitted when empty."""
    return key(field, LEN) + varint(len(value)) + value if value else b""


def f_str(field: int, value: str | None) -> bytes:
    """A UTF-8 string field; omitted when empty or None."""
    return f_bytes(field, value.encode("utf-8")) if value else b""


def f_msg(field: int, body: bytes) -> bytes:
    """A set sub-message: written even when empty, since its presence carries meaning."""
    return key(field, LEN) + varint(len(body)) + body


def f_packed_doubles(field: int, values) -> bytes:
    """A packed `repeated double` field; omitted when empty."""
    arr = np.asarray(values, dtype="<f8")
    return f_bytes(field, arr.tobytes()) if arr.size else b""


def read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    """Decodes the varint at `pos`; returns (value, position after it)."""
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


def fields(buf: bytes) -> Iterator[tuple[int, int, Any]]:
    """(field number, wire type, value) for each field; LEN and fixed values come as bytes."""
    pos, n = 0, len(buf)
    while pos < n:
        tag, pos = read_varint(buf, pos)
        field, wire = tag >> 3, tag & 7
        if wire == VARINT:
            value, pos = read_varint(buf, pos)
        elif wire == I64:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire == LEN:
            size, pos = read_varint(buf, pos)
            value, pos = buf[pos:pos + size], pos + size
        elif wire == I32:
            value, pos = buf[pos:pos + 4], pos + 4
        else:
            raise errors.DataLossError(None, None, f"unsupported protobuf wire type {wire}")
        if pos > n:
            raise errors.DataLossError(None, None, "truncated protobuf message")
        yield field, wire, value


def signed64(v: int) -> int:
    """Reinterprets a decoded varint as a signed int64."""
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


def dtype_enum(dtype) -> int:
    """The TF `DataType` enum value of a numpy dtype (object, str and bytes: DT_STRING)."""
    dt = np.dtype(dtype)
    if dt.kind in "USO":
        return _DT_STRING
    enum = _DT_OF_NP.get(dt)
    if enum is None:
        raise TypeError(f"no TensorFlow DataType for numpy dtype {dt}")
    return enum


def to_bytes(s) -> bytes:
    """A str (UTF-8 encoded) or bytes element of a string tensor, as bytes."""
    if isinstance(s, bytes):
        return s
    if isinstance(s, str):
        return s.encode("utf-8")
    if isinstance(s, np.bytes_):
        return bytes(s)
    raise TypeError(f"expected str or bytes in a string tensor, got {type(s).__name__}")


def _shape_proto(shape: Sequence[int]) -> bytes:
    return b"".join(f_msg(2, f_int(1, d)) for d in shape)


def tensor_proto(array) -> bytes:
    """A TensorProto as TF writes it: numbers in `tensor_content`, strings in `string_val`."""
    arr = np.asarray(array)
    if arr.dtype.kind in "USO":
        flat = [to_bytes(s) for s in arr.ravel().tolist()]
        return (f_int(1, _DT_STRING) + f_msg(2, _shape_proto(arr.shape))
                + b"".join(key(8, LEN) + varint(len(s)) + s for s in flat))
    dt = _DT_OF_NP.get(arr.dtype)
    if dt is None:
        raise TypeError(f"tensor_value: unsupported dtype {arr.dtype} for a summary tensor")
    content = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<")).tobytes()
    return f_int(1, dt) + f_msg(2, _shape_proto(arr.shape)) + f_bytes(4, content)


def parse_tensor(buf: bytes) -> np.ndarray:
    """Decodes a serialized TensorProto into a numpy array (strings as an object array)."""
    dtype_enum, shape, content, strings, vals = 0, [], None, [], []
    for field, wire, v in fields(buf):
        if field == 1:
            dtype_enum = v
        elif field == 2:
            for f2, _, dim in fields(v):
                if f2 == 2:
                    size = 0
                    for f3, _, s in fields(dim):
                        if f3 == 1:
                            size = signed64(s)
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
            if wire == LEN:
                out.extend(x for (x,) in struct.iter_unpack(fmt, v))
            else:
                out.append(struct.unpack(fmt, v)[0])
        elif wire == LEN:  # packed varints: int_val, int64_val, bool_val, half_val, uints
            pos = 0
            while pos < len(v):
                x, pos = read_varint(v, pos)
                out.append(signed64(x) if field in (7, 10) else x)
        else:
            out.append(signed64(v) if field in (7, 10) else v)
    return out

