"""`tf.summary`: writers with a default-writer stack, and scalar/histogram/image/text summaries.

The bytes are produced by `summary_format.py`; this module holds the TF 2 API state (default writer,
default step, recording condition) as TF keeps it: per thread.
"""

from __future__ import annotations

import contextlib
import threading

from nanotf._src import summary_format as fmt
from nanotf._src.backend import asnumpy, np
from nanotf._src.naming import current_scope
from nanotf._src.tensor import Tensor, constant, convert_to_tensor

_state = threading.local()


def _st():
    if not hasattr(_state, "writers"):
        _state.writers = []
        _state.step = None
        _state.record = True
    return _state


class SummaryWriter:
    """Writes summaries to an event file; make it the default with `as_default()`.

    Example:
      >>> writer = tf.summary.create_file_writer('/tmp/logs')
      >>> with writer.as_default():
      ...   tf.summary.scalar('loss', 0.5, step=1)
    """

    def __init__(self, logdir, max_queue=None, flush_millis=None, filename_suffix=None):
        self._logdir = logdir
        self._max_queue = 10 if max_queue is None else int(max_queue)
        self._flush_secs = 120.0 if flush_millis is None else flush_millis / 1000.0
        self._suffix = ".v2" if filename_suffix is None else ".v2" + filename_suffix
        self._file = None

    def _writer(self):
        if self._file is None or self._file.closed:
            self._file = fmt.EventFileWriter(self._logdir, self._max_queue, self._flush_secs,
                                             self._suffix)
        return self._file

    def init(self):
        """Opens the event file (done lazily otherwise)."""
        self._writer()

    def _add(self, event_bytes: bytes) -> None:
        self._writer().add_event(event_bytes)

    @contextlib.contextmanager
    def as_default(self, step=None):
        """Makes this the default writer inside the block (and sets the default step if given)."""
        st = _st()
        st.writers.append(self)
        old = st.step
        if step is not None:
            st.step = step
        try:
            yield self
        finally:
            st.writers.pop()
            if step is not None:
                st.step = old
            self.flush()

    def set_as_default(self, step=None) -> None:
        """Makes this the default writer until another is set."""
        st = _st()
        st.writers.append(self)
        if step is not None:
            st.step = step

    def flush(self) -> None:
        """Writes pending events to disk."""
        if self._file is not None and not self._file.closed:
            self._file.flush()

    def close(self) -> None:
        """Flushes and closes the event file."""
        if self._file is not None:
            self._file.close()


class _NoopWriter(SummaryWriter):
    def __init__(self):
        super().__init__(None)

    def _add(self, event_bytes):
        return None

    def init(self):
        return None


def create_file_writer(logdir, max_queue=None, flush_millis=None, filename_suffix=None,
                       name=None, experimental_trackable=False) -> SummaryWriter:
    """Creates a summary writer for the event files in `logdir`.

    Example: `writer = tf.summary.create_file_writer('logs/train')`.
    """
    return SummaryWriter(str(asnumpy(convert_to_tensor(logdir)._v).item().decode()
                             if isinstance(logdir, Tensor) else logdir),
                         max_queue, flush_millis, filename_suffix)


def create_noop_writer() -> SummaryWriter:
    """A writer that records nothing."""
    return _NoopWriter()


def get_step():
    """The default step (`tf.summary.experimental.get_step`), or None."""
    return _st().step


def set_step(step) -> None:
    """Sets the default step used when summaries are given none."""
    _st().step = step


@contextlib.contextmanager
def record_if(condition):
    """Records summaries inside the block only while `condition` (a bool or callable) holds."""
    st = _st()
    old = st.record
    st.record = condition
    try:
        yield
    finally:
        st.record = old


def should_record_summaries() -> Tensor:
    """Whether a summary written now would be recorded."""
    return constant(_recording())


def _recording() -> bool:
    st = _st()
    if not st.writers:
        return False
    cond = st.record
    cond = cond() if callable(cond) else cond
    return bool(asnumpy(convert_to_tensor(cond)._v)) if cond is not True else True


def _resolve_step(step):
    if step is None:
        step = _st().step
    if step is None:
        raise ValueError("No step set. Please specify one either through the `step` argument or "
                         "through tf.summary.experimental.set_step()")
    return int(asnumpy(step._v)) if isinstance(step, Tensor) else int(step)


def _emit(build, name, step, *args, **kwargs) -> Tensor:
    if not _recording():
        return constant(False)
    st = _st()
    tag = current_scope() + name
    st.writers[-1]._add(build(tag, *args, step=_resolve_step(step), **kwargs))
    return constant(True)


def _np(data):
    return asnumpy(data._v) if isinstance(data, Tensor) else np.asarray(data)


def scalar(name, data, step=None, description=None) -> Tensor:
    """Writes a scalar summary; returns True if it was recorded.

    Example: `tf.summary.scalar('loss', 0.25, step=3)`.
    """
    return _emit(lambda tag, d, step: fmt.scalar_event(tag, d, step, description=description),
                 name, step, _np(data))


def histogram(name, data, step=None, buckets=None, description=None) -> Tensor:
    """Writes a histogram of `data` (30 buckets by default)."""
    return _emit(lambda tag, d, step: fmt.histogram_event(tag, d, step, buckets,
                                                          description=description),
                 name, step, _np(data))


def image(name, data, step=None, max_outputs=3, description=None) -> Tensor:
    """Writes images (NHWC, uint8 or float in [0, 1])."""
    return _emit(lambda tag, d, step: fmt.image_event(tag, d, step, max_outputs=max_outputs,
                                                      description=description),
                 name, step, _np(data))


def text(name, data, step=None, description=None) -> Tensor:
    """Writes a text summary (a string or string tensor)."""
    return _emit(lambda tag, d, step: fmt.text_event(tag, d, step, description=description),
                 name, step, _np(data) if isinstance(data, Tensor) else data)


def write(tag, tensor, step=None, metadata=None, name=None) -> Tensor:
    """Writes a generic tensor summary."""
    return _emit(lambda t, d, step: fmt.summary_event([fmt.tensor_value(t, d)], step),
                 tag, step, _np(tensor))


def flush(writer=None, name=None) -> None:
    """Flushes `writer` (or the default writer)."""
    w = writer if writer is not None else (_st().writers[-1] if _st().writers else None)
    if w is not None:
        w.flush()
