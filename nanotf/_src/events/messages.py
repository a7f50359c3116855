"""`Event` and `Summary` messages: builders for each summary kind, and decoders into dicts."""

from __future__ import annotations

import struct
import time
from typing import Iterator, Sequence

import numpy as np

from nanotf._src.events.proto import (
    LEN,
    f_double,
    f_int,
    f_msg,
    f_str,
    fields,
    key,
    parse_tensor,
    signed64,
    varint,
)
from nanotf._src.events.records import read_records
from nanotf._src.events.values import histogram_value, image_value, scalar_value, text_value


def summary_proto(values: Sequence[bytes]) -> bytes:
    """A serialized `Summary` message from serialized `Summary.Value` messages."""
    return b"".join(f_msg(1, v) for v in values)


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
    out = f_double(1, time.time() if wall_time is None else float(wall_time))
    out += f_int(2, int(step))
    if file_version is not None:
        out += f_str(3, file_version)
    if graph_def is not None:
        out += key(4, LEN) + varint(len(graph_def)) + bytes(graph_def)
    if summary is not None:
        out += f_msg(5, summary)
    if source_writer:
        out += f_msg(10, f_str(1, source_writer))
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
    for field, _, v in fields(buf):
        if field == 1:
            out["tag"] = bytes(v).decode("utf-8")
        elif field == 2:
            out["simple_value"] = struct.unpack("<f", v)[0]
        elif field == 4:
            img = {"height": 0, "width": 0, "colorspace": 0, "encoded_image_string": b""}
            names = {1: "height", 2: "width", 3: "colorspace", 4: "encoded_image_string"}
            for f2, _, x in fields(v):
                if f2 in names:
                    img[names[f2]] = bytes(x) if f2 == 4 else x
            out["image"] = img
        elif field == 5:
            out["histo"] = _parse_histo(v)
        elif field == 8:
            out["tensor"] = parse_tensor(v)
        elif field == 9:
            out.update(parse_metadata(v))
    return out


def parse_metadata(buf: bytes) -> dict:
    """Decodes a serialized `SummaryMetadata`: plugin_name (None if unset), plugin_content,
    display_name, description."""
    out: dict = {"plugin_name": None, "plugin_content": b"", "display_name": "",
                 "description": ""}
    for field, _, v in fields(buf):
        if field == 1:
            for f2, _, x in fields(v):
                if f2 == 1:
                    out["plugin_name"] = bytes(x).decode("utf-8")
                elif f2 == 2:
                    out["plugin_content"] = bytes(x)
        elif field == 2:
            out["display_name"] = bytes(v).decode("utf-8")
        elif field == 3:
            out["description"] = bytes(v).decode("utf-8")
    return out


def _parse_histo(buf: bytes) -> dict:
    names = {1: "min", 2: "max", 3: "num", 4: "sum", 5: "sum_squares"}
    out: dict = {k: 0.0 for k in names.values()}
    out["bucket_limit"], out["bucket"] = [], []
    for field, wire, v in fields(buf):
        if field in names:
            out[names[field]] = struct.unpack("<d", v)[0]
        elif field in (6, 7):
            slot = "bucket_limit" if field == 6 else "bucket"
            if wire == LEN:
                out[slot].extend(x for (x,) in struct.iter_unpack("<d", v))
            else:
                out[slot].append(struct.unpack("<d", v)[0])
    return out


def parse_summary(buf: bytes) -> list:
    """Decodes a serialized `Summary` into a list of value dicts (see the module docstring)."""
    return [_parse_value(v) for field, _, v in fields(buf) if field == 1]


def parse_event(buf: bytes) -> dict:
    """Decodes a serialized `Event` into a dict (see the module docstring for its keys)."""
    out: dict = {"wall_time": 0.0, "step": 0, "file_version": None, "graph_def": None,
                 "source_writer": None, "values": []}
    for field, _, v in fields(buf):
        if field == 1:
            out["wall_time"] = struct.unpack("<d", v)[0]
        elif field == 2:
            out["step"] = signed64(v)
        elif field == 3:
            out["file_version"] = bytes(v).decode("utf-8")
        elif field == 4:
            out["graph_def"] = bytes(v)
        elif field == 5:
            out["values"].extend(parse_summary(v))
        elif field == 10:
            for f2, _, x in fields(v):
                if f2 == 1:
                    out["source_writer"] = bytes(x).decode("utf-8")
    return out


def read_events(path: str) -> Iterator[dict]:
    """Yields each Event of the event file at `path`, decoded by `parse_event`."""
    for rec in read_records(path):
        yield parse_event(rec)

