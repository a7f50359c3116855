"""`EventFileWriter`: appends framed Events to a new TensorBoard event file."""

from __future__ import annotations

import itertools
import os
import socket
import threading
import time
import weakref

from nanotf._src.events.messages import file_version_event
from nanotf._src.events.records import frame_record

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
