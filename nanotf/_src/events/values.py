"""`Summary.Value` builders: the TF 2 tensor forms and the TF 1 (`tf.compat.v1.summary`) forms.

Each returns one serialized `Summary.Value` message as `bytes`; `messages.summary_proto` joins them.
"""

from __future__ import annotations

import struct

import numpy as np

from nanotf._src.events.histogram import histogram_buckets, v1_histogram_proto
from nanotf._src.events.png import encode_png, to_uint8_images
from nanotf._src.events.proto import I32, f_bytes, f_int, f_msg, f_str, key, tensor_proto, to_bytes


def _metadata(plugin_name: str | None, description: str | None, content: bytes = b"") -> bytes:
    plugin = f_msg(1, f_str(1, plugin_name) + f_bytes(2, content)) if plugin_name else b""
    return plugin + f_str(3, description)


def _value(tag: str, *, simple: float | None = None, image: bytes | None = None,
           histo: bytes | None = None, tensor: bytes | None = None,
           metadata: bytes | None = None) -> bytes:
    # Field order follows the field numbers, as protobuf serializers do.
    out = f_str(1, str(tag))
    if simple is not None:
        out += key(2, I32) + struct.pack("<f", simple)
    if image is not None:
        out += f_msg(4, image)
    if histo is not None:
        out += f_msg(5, histo)
    if tensor is not None:
        out += f_msg(8, tensor)
    if metadata:
        out += f_msg(9, metadata)
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
    return _value(tag, tensor=tensor_proto(array),
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


def histogram_value(tag: str, values, buckets: int | None = None,
                    description: str | None = None) -> bytes:
    """The `Summary.Value` TF 2 writes for `tf.summary.histogram` (plugin 'histograms')."""
    return tensor_value(tag, histogram_buckets(values, buckets), "histograms", description)


def image_value(tag: str, images, max_outputs: int = 3,
                description: str | None = None) -> bytes:
    """The `Summary.Value` TF 2 writes for `tf.summary.image` (plugin 'images').

    The tensor holds `[str(width), str(height), png_0, ..., png_k]` for the first `max_outputs`
    images of `images` (HWC or NHWC).
    """
    arr = to_uint8_images(images, "image")
    pngs = [encode_png(im) for im in arr[:max(0, int(max_outputs))]]
    strings = np.array([str(arr.shape[2]).encode(), str(arr.shape[1]).encode()] + pngs,
                       dtype=object)
    return tensor_value(tag, strings, "images", description)


def text_value(tag: str, text, description: str | None = None) -> bytes:
    """The `Summary.Value` TF 2 writes for `tf.summary.text`: a string tensor, plugin 'text'."""
    arr = np.asarray(text, dtype=object)
    flat = np.empty(arr.size, dtype=object)
    flat[:] = [to_bytes(s) for s in arr.ravel().tolist()]
    return tensor_value(tag, flat.reshape(arr.shape), "text", description)


def simple_value(tag: str, value: float) -> bytes:
    """A TF 1 style `Summary.Value` with `simple_value` (`tf.compat.v1.summary.scalar`)."""
    return _value(tag, simple=float(_check_scalar(value, "scalar")))


def histo_value(tag: str, values) -> bytes:
    """A TF 1 style `Summary.Value` with a `HistogramProto` (`tf.compat.v1.summary.histogram`).

    Buckets use TF 1's exponential default limits; runs of empty buckets are collapsed into one
    entry carrying the run's last limit, as TF 1 stores them.
    """
    return _value(tag, histo=v1_histogram_proto(tag, values))


def legacy_image_value(tag: str, image) -> bytes:
    """A TF 1 style `Summary.Value` with a `Summary.Image` (PNG) for one HWC image."""
    arr = to_uint8_images(image, "image")[0]
    h, w, c = arr.shape
    body = f_int(1, h) + f_int(2, w) + f_int(3, c) + f_bytes(4, encode_png(arr))
    return _value(tag, image=body)

