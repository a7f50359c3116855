"""PNG encoding and decoding (zlib only), and TF's conversion of image data to uint8."""

from __future__ import annotations

import struct
import zlib

import numpy as np

from nanotf._src import errors

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



def to_uint8_images(images, op: str) -> np.ndarray:
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

