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

Graphs: `graph_def([node_def(name, op, inputs, attrs), ...])` serializes a `GraphDef`,
`run_metadata_value(tag, [graph_def, ...])` is the summary `tf.summary.trace_export` writes, and
`keras_model_value(tag, json)` the model config Keras's TensorBoard callback writes. Audio:
`audio_value(tag, clips, sample_rate)` (16-bit WAV via `encode_wav`).

Files: `records.py` (CRC32C, TFRecord framing), `proto.py` (wire format, TensorProto), `png.py`,
`histogram.py` (TF 2 and TF 1 bucketing), `values.py` (`Summary.Value` builders), `messages.py`
(`Event` builders and decoders), `graphdef.py` (GraphDef, RunMetadata), `audio.py` (WAV),
`writer.py` (`EventFileWriter`).
"""

from nanotf._src.events.audio import audio_value as audio_value
from nanotf._src.events.audio import encode_wav as encode_wav
from nanotf._src.events.graphdef import Shape as Shape
from nanotf._src.events.graphdef import graph_def as graph_def
from nanotf._src.events.graphdef import keras_model_value as keras_model_value
from nanotf._src.events.graphdef import node_def as node_def
from nanotf._src.events.graphdef import parse_graph_def as parse_graph_def
from nanotf._src.events.graphdef import parse_run_metadata as parse_run_metadata
from nanotf._src.events.graphdef import run_metadata_value as run_metadata_value
from nanotf._src.events.histogram import histogram_buckets as histogram_buckets
from nanotf._src.events.messages import event as event
from nanotf._src.events.messages import file_version_event as file_version_event
from nanotf._src.events.messages import graph_event as graph_event
from nanotf._src.events.messages import histogram_event as histogram_event
from nanotf._src.events.messages import image_event as image_event
from nanotf._src.events.messages import parse_event as parse_event
from nanotf._src.events.messages import parse_metadata as parse_metadata
from nanotf._src.events.messages import parse_summary as parse_summary
from nanotf._src.events.messages import read_events as read_events
from nanotf._src.events.messages import scalar_event as scalar_event
from nanotf._src.events.messages import summary_event as summary_event
from nanotf._src.events.messages import summary_proto as summary_proto
from nanotf._src.events.messages import text_event as text_event
from nanotf._src.events.png import decode_png as decode_png
from nanotf._src.events.png import encode_png as encode_png
from nanotf._src.events.proto import to_bytes as to_bytes
from nanotf._src.events.records import crc32c as crc32c
from nanotf._src.events.records import frame_record as frame_record
from nanotf._src.events.records import masked_crc32c as masked_crc32c
from nanotf._src.events.records import read_records as read_records
from nanotf._src.events.values import histo_value as histo_value
from nanotf._src.events.values import histogram_value as histogram_value
from nanotf._src.events.values import image_value as image_value
from nanotf._src.events.values import legacy_image_value as legacy_image_value
from nanotf._src.events.values import scalar_value as scalar_value
from nanotf._src.events.values import simple_value as simple_value
from nanotf._src.events.values import tensor_value as tensor_value
from nanotf._src.events.values import text_value as text_value
from nanotf._src.events.writer import EventFileWriter as EventFileWriter
