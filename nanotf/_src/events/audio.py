"""Audio summaries: 16-bit PCM WAV encoding and the value TF 2's `tf.summary.audio` writes."""

from __future__ import annotations

import struct

import numpy as np

from nanotf._src import errors
from nanotf._src.events.values import tensor_value

# AudioPluginData {encoding: WAV (11)}: the plugin content TF writes for every audio summary.
_AUDIO_PLUGIN_CONTENT = b"\x10\x0b"


def encode_wav(samples, sample_rate: int) -> bytes:
    """A 16-bit PCM WAV file of float `samples` shaped `[frames, channels]`, in [-1, 1].

    Samples are scaled by 32768, rounded half away from zero and clipped to int16, as
    `tf.audio.encode_wav` does.

    >>> encode_wav(np.zeros((2, 1), np.float32), 8000)[:4]
    b'RIFF'
    """
    arr = np.asarray(samples, dtype=np.float32)
    if arr.ndim != 2:
        raise errors.invalid_argument(
            f"audio must be 2-dimensional (frames, channels), got shape {tuple(arr.shape)}",
            "EncodeWav")
    rate = int(sample_rate)
    if rate <= 0:
        raise errors.invalid_argument(f"sample_rate must be positive, got {rate}", "EncodeWav")
    frames, channels = arr.shape
    with np.errstate(invalid="ignore"):
        scaled = arr * np.float32(32768.0)
        pcm = np.clip(np.copysign(np.floor(np.abs(scaled) + np.float32(0.5)), scaled),
                      -32768, 32767)
    data = np.nan_to_num(pcm).astype("<i2").tobytes()
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * channels * 2, channels * 2, 16)
    return (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
            + b"fmt " + struct.pack("<I", len(fmt)) + fmt
            + b"data" + struct.pack("<I", len(data)) + data)


def audio_value(tag: str, audio, sample_rate: int, max_outputs: int = 3,
                description: str | None = None) -> bytes:
    """The `Summary.Value` TF 2 writes for `tf.summary.audio` (plugin 'audio').

    Args:
      tag: the summary tag.
      audio: float samples shaped `[k, frames, channels]`, in [-1, 1].
      sample_rate: samples per second.
      max_outputs: at most this many clips are written.
      description: `SummaryMetadata.summary_description`.

    The tensor is `[k, 2]` strings: each row a WAV file and an empty label.
    """
    arr = np.asarray(audio)
    if arr.ndim != 3:
        raise ValueError(f"audio: data must have rank 3 [k, frames, channels], got shape "
                         f"{tuple(arr.shape)}")
    clips = [encode_wav(clip, sample_rate) for clip in arr[:max(0, int(max_outputs))]]
    table = np.empty((len(clips), 2), dtype=object)
    table[:, 0] = clips
    table[:, 1] = b""
    return tensor_value(tag, table, "audio", description, _AUDIO_PLUGIN_CONTENT)
