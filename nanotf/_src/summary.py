"""`tf.summary`: file writers, the default-writer state, and the summary ops.

The bytes come from `nanotf._src.events`. The state is kept as TF 2 keeps it, per thread: one
default writer slot (`as_default` saves and restores it; `set_as_default` replaces it), a default
step, and a recording condition (`record_if`). A summary called while a `tf.function` is traced
becomes a stateful graph node that writes on every call of the function (`_write_op`).
Graph traces (`trace_on`, `trace_export`, `graph`) live in `summary_trace.py`.
"""

from __future__ import annotations

import os
import threading

from nanotf._src import errors
from nanotf._src import events as fmt
from nanotf._src.backend import asnumpy, np
from nanotf._src.dispatch import bind, context, primitive
from nanotf._src.graph import AbstractArray
from nanotf._src.naming import current_scope, name_scope
from nanotf._src.tensor import Tensor, constant, convert_to_tensor


class _State(threading.local):
    def __init__(self):
        self.writer = None
        self.step = None
        self.record = True


_state = _State()


# ========================================= writers =========================================


class _WriterContext:
    """What `as_default()` returns: a plain class, so `set_as_default` can enter it for good."""

    def __init__(self, writer, step):
        self._writer, self._step = writer, step
        self._old_writer = self._old_step = None

    def __enter__(self):
        self._old_writer = _state.writer
        _state.writer = self._writer
        if self._step is not None:
            self._old_step, _state.step = _state.step, self._step
        return self._writer

    def __exit__(self, *exc) -> bool:
        _state.writer.flush()  # TF flushes whatever writer is current on the way out
        _state.writer = self._old_writer
        if self._step is not None:
            _state.step = self._old_step
        return False


class SummaryWriter:
    """The interface of summary writers (`tf.summary.SummaryWriter`).

    `tf.summary.create_file_writer` returns one that writes an event file; use it as the default
    writer inside `with writer.as_default():`.

    Example:
      >>> writer = tf.summary.create_file_writer('/tmp/logs')
      >>> with writer.as_default(step=1):
      ...   tf.summary.scalar('loss', 0.5)
    """

    def set_as_default(self, step=None) -> None:
        """Makes this the default writer of the current thread (and sets the step if given)."""
        self.as_default(step).__enter__()

    def as_default(self, step=None) -> _WriterContext:
        """A context manager making this the default writer (and `step` the default step).

        On exit the previous writer and step come back and this writer is flushed.
        """
        return _WriterContext(self, step)

    def init(self):
        """Initializes the summary writer."""
        raise NotImplementedError()

    def flush(self):
        """Flushes any buffered data."""
        raise NotImplementedError()

    def close(self):
        """Flushes and closes the summary writer."""
        raise NotImplementedError()


class _FileWriter(SummaryWriter):
    """A writer appending to its own new event file in `logdir`, created at once as in TF."""

    def __init__(self, logdir: str, max_queue: int, flush_secs: float, suffix: str):
        self._logdir = logdir
        self._closed = False
        self._file = fmt.EventFileWriter(logdir, max_queue, flush_secs, suffix)

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(f"SummaryWriter {self!r} is already closed")

    def set_as_default(self, step=None) -> None:
        """See `SummaryWriter.set_as_default`; RuntimeError once closed."""
        self._check_open()
        super().set_as_default(step)

    def as_default(self, step=None) -> _WriterContext:
        """See `SummaryWriter.as_default`; RuntimeError once closed."""
        self._check_open()
        return super().as_default(step)

    def init(self) -> None:
        """Nothing to do (the file is opened on creation); RuntimeError once closed."""
        self._check_open()

    def _add(self, event_bytes: bytes) -> None:
        if self._closed:  # TF: the writer's resource is gone once closed
            raise errors.NotFoundError(
                None, None, f"Resource {self._logdir} SummaryWriterInterface does not exist "
                "(the SummaryWriter was closed). [Op:WriteSummary]")
        self._file.add_event(event_bytes)

    def flush(self) -> None:
        """Writes pending events to the file."""
        if not self._closed:
            self._file.flush()

    def close(self) -> None:
        """Flushes and closes the event file; later `as_default` calls raise RuntimeError."""
        if not self._closed:
            self._closed = True
            self._file.close()

    def __repr__(self) -> str:
        return f"<nanotf SummaryWriter logdir={self._logdir!r} at 0x{id(self):x}>"


class _NoopWriter(SummaryWriter):
    """`create_noop_writer()`: as in TF, entering it leaves the current default writer alone."""

    def set_as_default(self, step=None) -> None:
        """Does nothing."""

    def as_default(self, step=None) -> _NoopContext:
        """A context manager that changes nothing and yields None."""
        return _NoopContext()

    def init(self) -> None:
        """Does nothing."""

    def flush(self) -> None:
        """Does nothing."""

    def close(self) -> None:
        """Does nothing."""


class _NoopContext:
    def __enter__(self):
        return None

    def __exit__(self, *exc) -> bool:
        return False


def _py_string(value, what: str) -> str:
    if value is None:
        raise ValueError(f"Argument `{what}` cannot be None")
    if isinstance(value, Tensor):
        value = asnumpy(value._v).item()
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return os.fspath(value)


def create_file_writer(logdir, max_queue=None, flush_millis=None, filename_suffix=None,
                       name=None, experimental_trackable=False,
                       experimental_mesh=None) -> SummaryWriter:
    """Creates a summary file writer for `logdir` (the directory is created if missing).

    Each call opens a new event file `events.out.tfevents.<time>.<host>.<pid>.<n>.v2`.

    Args:
      logdir: directory for the event file (str, path-like or string Tensor).
      max_queue: events kept in memory before a flush (default 10).
      flush_millis: the longest time between flushes, in ms (default 120000).
      filename_suffix: replaces the file name's default '.v2' ending.

    Example:
      >>> writer = tf.summary.create_file_writer('logs/train')
    """
    path = _py_string(logdir, "logdir")
    queue = 10 if max_queue is None else int(max_queue)
    secs = 120.0 if flush_millis is None else float(flush_millis) / 1000.0
    suffix = ".v2" if filename_suffix is None else _py_string(filename_suffix, "filename_suffix")
    return _FileWriter(path, queue, secs, suffix)


def create_noop_writer() -> SummaryWriter:
    """A writer that writes nothing; `as_default()` on it keeps the current default writer.

    Example:
      >>> writer = tf.summary.create_noop_writer()
    """
    return _NoopWriter()


def flush(writer=None, name=None) -> None:
    """Flushes `writer`, or the default writer when None.

    Example: `tf.summary.flush()`.
    """
    w = _state.writer if writer is None else writer
    if w is not None:
        w.flush()


# ====================================== step, recording ======================================


def get_step():
    """The default step of the current thread (`tf.summary.experimental.get_step`), or None."""
    return _state.step


def set_step(step) -> None:
    """Sets the default step (an int, a Tensor, or a Variable read at each write)."""
    _state.step = step


class record_if:
    """Records summaries inside the block only while `condition` holds.

    Args:
      condition: a bool, a boolean Tensor, or a callable returning one (evaluated at each
        summary call, e.g. `lambda: step % 100 == 0` with a Variable step).

    Example:
      >>> with tf.summary.record_if(False):
      ...   tf.summary.scalar('x', 1.0, step=0)   # not written
    """

    def __init__(self, condition):
        self._condition = condition
        self._old = None

    def __enter__(self) -> None:
        self._old, _state.record = _state.record, self._condition

    def __exit__(self, *exc) -> bool:
        _state.record = self._old
        return False


def _condition():
    """The recording condition now: a Python bool, or a symbolic Tensor inside a trace."""
    cond = _state.record
    if callable(cond):
        cond = cond()
    if isinstance(cond, Tensor):
        return cond if cond._symbolic else bool(asnumpy(cond._v))
    return bool(cond)


def should_record_summaries() -> Tensor:
    """Whether a summary written now would be recorded (a default writer is set, and the
    `record_if` condition holds).

    Example: `tf.summary.should_record_summaries()` is False with no default writer.
    """
    if _state.writer is None:
        return constant(False)
    cond = _condition()
    return cond if isinstance(cond, Tensor) else constant(cond)


def _step_or_raise(step):
    step = _state.step if step is None else step
    if step is None:
        raise ValueError("No step set. Please specify one either through the `step` argument or "
                         "through tf.summary.experimental.set_step()")
    return step


def _step_int(step) -> int:
    arr = asnumpy(step._v) if isinstance(step, Tensor) else np.asarray(step)
    if arr.size != 1:
        raise ValueError(f"Argument `step` must be a scalar. Received step={step!r}")
    value = arr.reshape(())
    integral = arr.dtype.kind in "biu" or (
        arr.dtype.kind == "f" and bool(np.isfinite(value)) and float(value) == int(value))
    if not integral:
        raise TypeError(f"Cannot convert {step!r} to a summary step of dtype int64")
    return int(value)


# ===================================== writing =====================================


def _array(data):
    return asnumpy(data._v) if isinstance(data, Tensor) else data


def _is_symbolic(x) -> bool:
    return isinstance(x, Tensor) and x._symbolic


@primitive("WriteSummary", nondiff=True, stateful=True)
def _write_op(xp, step, cond, *data, writer, build, tag):
    """Writes one summary when `cond` holds; a graph node when summaries run in a tf.function."""
    if bool(cond):
        writer._add(build(tag, int(step), *[asnumpy(d) for d in data]))
    return np.asarray(bool(cond))


# Never infer the output by running the impl: that would write a summary while tracing.
_write_op.shape_fn = lambda ins, attrs: [AbstractArray((), np.bool_)]


def _write(tag: str, build, step, *data) -> Tensor:
    """Writes `build(tag, step, *arrays)` (an Event) to the default writer if recording.

    Returns the bool Tensor TF returns: whether the summary was recorded.
    """
    writer = _state.writer
    if writer is None:
        return constant(False)
    step = _step_or_raise(step)
    cond = _condition()
    if context.graph is not None or any(_is_symbolic(x) for x in (step, cond) + data):
        tensors = [convert_to_tensor(x) for x in (step, cond) + data]
        return bind(_write_op, *tensors, writer=writer, build=build, tag=tag)
    if not cond:
        return constant(False)
    writer._add(build(tag, _step_int(step), *[_array(d) for d in data]))
    return constant(True)


def _event_of(value_fn, **opts):
    """An Event builder `(tag, step, *arrays)` around a `Summary.Value` builder."""
    def build(tag, step, *arrays):
        return fmt.summary_event([value_fn(tag, *arrays, **opts)], step)
    return build


def summary_scope(name, default_name=None, values=None):
    """Yields `(tag, scope)` for a summary op: `tag` is the name under the current name scope.

    Example:
      >>> with tf.summary.experimental.summary_scope('loss') as (tag, scope):
      ...   tag
      'loss'
    """
    return _SummaryScope(name or default_name)


class _SummaryScope:
    def __init__(self, name):
        self._name = name
        self._scope = None

    def __enter__(self):
        tag = current_scope() + self._name
        self._scope = name_scope(self._name)
        return tag, self._scope.__enter__()

    def __exit__(self, *exc) -> bool:
        self._scope.__exit__(*exc)
        return False


def scalar(name, data, step=None, description=None) -> Tensor:
    """Writes a scalar summary (a float32 value, plugin 'scalars').

    Args:
      name: the tag; the current name scope is prepended.
      data: a real scalar (Python number or Tensor).
      step: int64-castable step (an int, Tensor or Variable such as `optimizer.iterations`);
        default `tf.summary.experimental.get_step()`.
      description: optional long-form description.

    Returns:
      True if written, False if no default writer is set or `record_if` is off.

    Example:
      >>> with writer.as_default():
      ...   tf.summary.scalar('loss', 0.25, step=3)
    """
    return _write(current_scope() + name,
                  _event_of(fmt.scalar_value, description=description), step, data)


def histogram(name, data, step=None, buckets=None, description=None) -> Tensor:
    """Writes a histogram of `data` (30 equal-width buckets by default; plugin 'histograms').

    Example: `tf.summary.histogram('weights', w, step=epoch)`.
    """
    return _write(current_scope() + name, _event_of(fmt.histogram_value, buckets=buckets,
                                                    description=description), step, data)


def image(name, data, step=None, max_outputs=3, description=None) -> Tensor:
    """Writes images `[k, h, w, c]` (uint8, or float in [0, 1]) as PNGs (plugin 'images').

    Example: `tf.summary.image('inputs', x[:4], step=0)`.
    """
    return _write(current_scope() + name, _event_of(fmt.image_value, max_outputs=max_outputs,
                                                    description=description), step, data)


def text(name, data, step=None, description=None) -> Tensor:
    """Writes a text summary: a string or string tensor of any shape (plugin 'text').

    Example: `tf.summary.text('note', 'hello', step=0)`.
    """
    if not isinstance(data, Tensor):
        data = np.asarray(data, dtype=object)
    return _write(current_scope() + name,
                  _event_of(fmt.text_value, description=description), step, data)


def audio(name, data, sample_rate, step=None, max_outputs=3, encoding=None,
          description=None) -> Tensor:
    """Writes audio clips `[k, frames, channels]` in [-1, 1] as 16-bit WAV (plugin 'audio').

    Example: `tf.summary.audio('clip', tf.zeros([1, 800, 1]), 8000, step=0)`.
    """
    if encoding not in (None, "wav"):
        raise ValueError(f"Unknown encoding: {encoding!r}")
    rate = int(np.asarray(_array(sample_rate)).reshape(()))
    return _write(current_scope() + name, _event_of(fmt.audio_value, sample_rate=rate,
                                                    max_outputs=max_outputs,
                                                    description=description), step, data)


def _metadata_parts(metadata) -> dict:
    """`tensor_value` keywords from a SummaryMetadata (proto object, bytes, or None)."""
    if metadata is None:
        return {}
    if hasattr(metadata, "SerializeToString"):
        metadata = metadata.SerializeToString()
    if not isinstance(metadata, (bytes, bytearray)):
        raise TypeError(f"metadata must be a SummaryMetadata or its serialized bytes, got "
                        f"{type(metadata).__name__}")
    info = fmt.parse_metadata(bytes(metadata))
    return {"plugin_name": info["plugin_name"], "plugin_content": info["plugin_content"],
            "description": info["description"] or None}


def write(tag, tensor, step=None, metadata=None, name=None) -> Tensor:
    """Writes a generic tensor summary under `tag` exactly (no name scope is prepended).

    Args:
      tag: the summary tag.
      tensor: the value, or a callable returning it (called only when recording).
      step: as for `scalar`.
      metadata: a `SummaryMetadata` proto or its serialized bytes (plugin name and content).

    Example: `tf.summary.write('raw', tf.constant([1, 2]), step=0)`.
    """
    if callable(tensor) and not isinstance(tensor, Tensor):
        if _state.writer is None or _condition() is False:
            return constant(False)
        tensor = tensor()  # TF calls it only when the summary will be recorded
    parts = _metadata_parts(metadata)
    return _write(tag, _event_of(fmt.tensor_value, **parts), step, tensor)


def write_raw_pb(tensor, step=None, name=None) -> Tensor:
    """Writes serialized `Summary` protos (a string or 1-D string tensor) as one event.

    Example: `tf.summary.experimental.write_raw_pb(summary.SerializeToString(), step=0)`.
    """
    if not isinstance(tensor, Tensor):
        tensor = np.asarray(tensor, dtype=object)

    def build(tag, step, arr):
        parts = [fmt.to_bytes(s) for s in np.asarray(arr, dtype=object).ravel()]
        return fmt.event(step=step, summary=b"".join(parts))

    return _write("", build, step, tensor)
