"""TFRecord framing: CRC32C (Castagnoli), its masked form, record framing and a checked reader."""

from __future__ import annotations

import functools
import struct
from typing import Iterator

import numpy as np

from nanotf._src import errors

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

