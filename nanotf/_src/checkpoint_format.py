"""nanotf's checkpoint files: `prefix.index`, `prefix.data-00000-of-00001`, `checkpoint`.

The layout follows TensorFlow's (same file names, same `checkpoint` state text) but the contents are
nanotf's own, described in docs/checkpoint-format.md. Every write is atomic: parts go to temporary
files in the target directory, are fsynced, then renamed into place with the index last.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
import zlib
from typing import Iterator

from nanotf._src import dtypes, errors
from nanotf._src.backend import np

MAGIC = b"NTFCKPT1"
_HEADER = 32  # magic (8) + nonce (16) + reserved (8)
_ALIGN = 64
FORMAT = "nanotf-checkpoint"
GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"
STATE_FILE = "checkpoint"


def data_path(prefix: str) -> str:
    """The single data shard of a checkpoint prefix."""
    return prefix + ".data-00000-of-00001"


def index_path(prefix: str) -> str:
    """The index file of a checkpoint prefix."""
    return prefix + ".index"


# --- atomic files ---------------------------------------------------------------------------------
def _temp_name(path: str) -> str:
    head, tail = os.path.split(os.path.abspath(path))
    return os.path.join(head, f".{tail}.tmp-{uuid.uuid4().hex[:12]}")


def _fsync_dir(directory: str) -> None:
    if os.name != "posix":
        return
    fd = os.open(directory or ".", os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # some filesystems refuse to fsync directories
        pass
    finally:
        os.close(fd)


def fsync_file(path: str) -> None:
    """Flushes a closed file's contents to disk."""
    with open(path, "rb+") as f:
        os.fsync(f.fileno())


def commit(tmp: str, path: str) -> None:
    """Renames a finished temporary file over `path` (atomic on POSIX and Windows)."""
    os.replace(tmp, path)
    _fsync_dir(os.path.dirname(os.path.abspath(path)))


def _discard(tmp: str) -> None:
    with contextlib.suppress(OSError):
        os.remove(tmp)


@contextlib.contextmanager
def atomic_path(path: str) -> Iterator[str]:
    """Yields a temporary path next to `path`; on success it is fsynced and renamed onto `path`.

    If the body raises, the temporary file is removed and `path` is left as it was.
    """
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = _temp_name(path)
    try:
        yield tmp
        fsync_file(tmp)
        commit(tmp, path)
    except BaseException:
        _discard(tmp)
        raise


def atomic_write(path: str, data: bytes | str) -> None:
    """Writes `data` to `path` atomically."""
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)


# --- tensors <-> bytes ----------------------------------------------------------------------------
def _tensor_bytes(a) -> tuple[str, bytes]:
    dt = dtypes.from_numpy(a.dtype)
    if dt == dtypes.string:
        items = [x if isinstance(x, bytes) else str(x).encode("utf-8") for x in a.reshape(-1)]
        lengths = np.asarray([len(x) for x in items], dtype="<u8")
        return "string", lengths.tobytes() + b"".join(items)
    return dt.name, np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<")).tobytes()


def _tensor_from(buf: bytes, dtype: str, shape: list):
    if dtype == "string":
        n = int(np.prod(shape, dtype=np.int64))
        lengths = np.frombuffer(buf, dtype="<u8", count=n)
        out, pos = np.empty(n, dtype=object), 8 * n
        for i, size in enumerate(lengths.tolist()):
            out[i] = bytes(buf[pos:pos + size])
            pos += size
        return out.reshape(shape)
    npdt = dtypes.as_dtype(dtype)._np.newbyteorder("<")
    return np.frombuffer(buf, dtype=npdt).astype(npdt.newbyteorder("="), copy=True).reshape(shape)


# --- writing a prefix -----------------------------------------------------------------------------
def _backups(prefix: str) -> list[str]:
    head = os.path.dirname(os.path.abspath(prefix))
    if not os.path.isdir(head):
        return []
    stems = (os.path.basename(data_path(prefix)) + ".", os.path.basename(index_path(prefix)) + ".")
    return [os.path.join(head, n) for n in os.listdir(head)
            if n.startswith(stems) and n.endswith(".bak")]


def _backup_name(path: str, nonce: str) -> str:
    return f"{path}.{nonce}.bak"


def _write_data(tmp: str, tensors: dict, nonce: bytes) -> dict:
    entries, offset = {}, _HEADER
    with open(tmp, "wb") as f:
        f.write(MAGIC + nonce + bytes(_HEADER - len(MAGIC) - len(nonce)))
        for key, value in tensors.items():
            dtype, raw = _tensor_bytes(np.asarray(value))
            pad = (-offset) % _ALIGN
            f.write(bytes(pad))
            offset += pad
            entries[key] = [dtype, list(np.shape(value)), offset, len(raw), zlib.crc32(raw)]
            f.write(raw)
            offset += len(raw)
        f.flush()
        os.fsync(f.fileno())
    return entries


def _keep_old_pair(prefix: str) -> None:
    """Moves the data of the current index aside (named by its nonce) and links the index too."""
    old = _read_index_or_none(prefix)
    if old is None:
        return
    if _data_nonce(data_path(prefix)) == old["nonce"]:
        os.replace(data_path(prefix), _backup_name(data_path(prefix), old["nonce"]))
    saved = _backup_name(index_path(prefix), old["nonce"])
    if not os.path.exists(saved):
        try:
            os.link(index_path(prefix), saved)
        except OSError:  # no hard links here: copy it
            shutil.copyfile(index_path(prefix), saved)


def write_prefix(prefix: str, tensors: dict, object_graph=None, then=None) -> str:
    """Writes `{key: array}` as `prefix.index` + `prefix.data-00000-of-00001`; returns the nonce.

    A crash at any point leaves either the previous pair or the new one readable: the previous
    pair is kept as backups named after its nonce until the new index is in place and `then(nonce)`
    (the caller's own final commit, e.g. a SavedModel's JSON) has run.
    """
    directory = os.path.dirname(os.path.abspath(prefix))
    os.makedirs(directory, exist_ok=True)
    nonce = os.urandom(16)
    tmp_data, tmp_index = _temp_name(data_path(prefix)), _temp_name(index_path(prefix))
    try:
        entries = _write_data(tmp_data, tensors, nonce)
        index = {"format": FORMAT, "version": 1, "nonce": nonce.hex(), "shards": 1,
                 "tensors": entries, "object_graph": object_graph}
        with open(tmp_index, "w", encoding="utf-8") as f:
            json.dump(index, f, separators=(",", ":"), sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        _keep_old_pair(prefix)
        commit(tmp_data, data_path(prefix))
        commit(tmp_index, index_path(prefix))
        if then is not None:
            then(nonce.hex())
    except BaseException:
        _discard(tmp_data)
        _discard(tmp_index)
        raise
    for stale in _backups(prefix):
        _discard(stale)
    return nonce.hex()


def delete_prefix(prefix: str) -> None:
    """Removes a checkpoint's files (index, data and any backups)."""
    for path in [index_path(prefix), data_path(prefix), *_backups(prefix)]:
        _discard(path)


# --- reading a prefix -----------------------------------------------------------------------------
def _data_nonce(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            head = f.read(_HEADER)
    except OSError:
        return None
    return head[8:24].hex() if head[:8] == MAGIC else None


def _read_index_or_none(prefix: str, path: str | None = None):
    try:
        with open(path or index_path(prefix), encoding="utf-8") as f:
            index = json.load(f)
    except (OSError, ValueError):
        return None
    return index if isinstance(index, dict) and index.get("format") == FORMAT else None


def _not_found(prefix: str) -> errors.NotFoundError:
    return errors.NotFoundError(
        None, None, f"Unsuccessful TensorSliceReader constructor: Failed to find any matching "
                    f"files for {prefix}")


class CheckpointReader:
    """Reads the tensors of one checkpoint prefix (what `tf.train.load_checkpoint` returns)."""

    def __init__(self, prefix: str, nonce: str | None = None):
        self._prefix = prefix
        if not os.path.exists(index_path(prefix)):
            raise _not_found(prefix)
        index = _read_index_or_none(prefix)
        if index is not None and nonce is not None and index["nonce"] != nonce:
            # The caller's own record names an older write, interrupted before it finished.
            index = _read_index_or_none(prefix, _backup_name(index_path(prefix), nonce))
        if index is None:
            raise errors.DataLossError(
                None, None, f"Unable to read file ({index_path(prefix)}). Perhaps the file is "
                            f"corrupt or was not written by nanotf.")
        self._index = index
        self._entries = index["tensors"]
        self._data = None

    @property
    def object_graph(self):
        """The object graph stored with the checkpoint (a JSON-able dict), or None."""
        return self._index.get("object_graph")

    def _data_file(self) -> str:
        path = data_path(self._prefix)
        if _data_nonce(path) == self._index["nonce"]:
            return path
        backup = _backup_name(path, self._index["nonce"])
        if os.path.exists(backup):  # an interrupted save: the old data waits here
            return backup
        raise errors.DataLossError(
            None, None, f"Checkpoint {self._prefix}: the data file does not belong to the index "
                        f"(interrupted or mixed writes).")

    def _raw(self) -> bytes:
        if self._data is None:
            with open(self._data_file(), "rb") as f:
                self._data = f.read()
        return self._data

    def keys(self) -> list[str]:
        """All tensor keys, sorted, including the object graph entry."""
        return sorted([*self._entries, GRAPH_KEY])

    def has_tensor(self, key: str) -> bool:
        """Whether the checkpoint holds `key`."""
        return key in self._entries or key == GRAPH_KEY

    def get_variable_to_shape_map(self) -> dict:
        """`{key: shape list}` for every tensor."""
        out = {k: list(e[1]) for k, e in self._entries.items()}
        out[GRAPH_KEY] = []
        return out

    def get_variable_to_dtype_map(self) -> dict:
        """`{key: tf.DType}` for every tensor."""
        out = {k: dtypes.as_dtype(e[0]) for k, e in self._entries.items()}
        out[GRAPH_KEY] = dtypes.string
        return out

    def get_tensor(self, key: str):
        """The value stored under `key` as a NumPy array (a NumPy scalar when rank 0)."""
        if key == GRAPH_KEY:
            return json.dumps(self.object_graph).encode("utf-8")
        entry = self._entries.get(key)
        if entry is None:
            raise errors.NotFoundError(None, None, f"Key {key} not found in checkpoint")
        dtype, shape, offset, nbytes, crc = entry
        buf = self._raw()[offset:offset + nbytes]
        if len(buf) != nbytes or zlib.crc32(buf) != crc:
            raise errors.DataLossError(
                None, None, f"Checksum does not match: stored {crc} vs. calculated on the "
                            f"restored bytes for tensor {key!r} in {data_path(self._prefix)}")
        a = _tensor_from(buf, dtype, shape)
        return a[()] if a.ndim == 0 else a

    def debug_string(self) -> bytes:
        """One `key (DT_TYPE) [shape]` line per tensor."""
        e = self._entries
        lines = [f"{k} ({e[k][0]}) {e[k][1]}" for k in sorted(e)]
        return ("\n".join(lines) + "\n").encode("utf-8")


# --- the `checkpoint` state file ------------------------------------------------------------------
def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _unquote(s: str) -> str:
    s = s.strip()[1:-1]
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            out.append({"n": "\n"}.get(s[i + 1], s[i + 1]))
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


class CheckpointState:
    """The parsed `checkpoint` file: the latest prefix and the ones still kept (absolute paths)."""

    def __init__(self, model_checkpoint_path: str = "", all_model_checkpoint_paths=(),
                 all_model_checkpoint_timestamps=(), last_preserved_timestamp: float = 0.0):
        self.model_checkpoint_path = model_checkpoint_path
        self.all_model_checkpoint_paths = list(all_model_checkpoint_paths)
        self.all_model_checkpoint_timestamps = list(all_model_checkpoint_timestamps)
        self.last_preserved_timestamp = last_preserved_timestamp

    def __repr__(self) -> str:
        lines = [f"model_checkpoint_path: {_quote(self.model_checkpoint_path)}"]
        lines += [f"all_model_checkpoint_paths: {_quote(p)}" for p in
                  self.all_model_checkpoint_paths]
        lines += [f"all_model_checkpoint_timestamps: {t!r}" for t in
                  self.all_model_checkpoint_timestamps]
        if self.last_preserved_timestamp:
            lines.append(f"last_preserved_timestamp: {self.last_preserved_timestamp!r}")
        return "\n".join(lines) + "\n"


def _relative(directory: str, path: str) -> str:
    absdir = os.path.abspath(directory)
    if os.path.dirname(os.path.abspath(path)) == absdir:
        return os.path.basename(path)
    return path


def write_state(directory: str, state: CheckpointState, latest_filename: str = STATE_FILE) -> None:
    """Writes the `checkpoint` file, naming prefixes relative to `directory` when inside it."""
    rel = CheckpointState(_relative(directory, state.model_checkpoint_path),
                          [_relative(directory, p) for p in state.all_model_checkpoint_paths],
                          state.all_model_checkpoint_timestamps, state.last_preserved_timestamp)
    atomic_write(os.path.join(directory, latest_filename), repr(rel))


def read_state(directory: str, latest_filename: str = STATE_FILE) -> CheckpointState | None:
    """Parses `directory/checkpoint`; relative prefixes are joined with `directory`."""
    path = os.path.join(directory, latest_filename or STATE_FILE)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return None
    state = CheckpointState()
    for line in text.splitlines():
        field, _, value = line.partition(":")
        field, value = field.strip(), value.strip()
        if field == "model_checkpoint_path":
            state.model_checkpoint_path = _unquote(value)
        elif field == "all_model_checkpoint_paths":
            state.all_model_checkpoint_paths.append(_unquote(value))
        elif field == "all_model_checkpoint_timestamps":
            state.all_model_checkpoint_timestamps.append(float(value))
        elif field == "last_preserved_timestamp":
            state.last_preserved_timestamp = float(value)
    join = (lambda p: p if os.path.isabs(p) else os.path.join(directory, p))
    state.model_checkpoint_path = join(state.model_checkpoint_path) \
        if state.model_checkpoint_path else ""
    state.all_model_checkpoint_paths = [join(p) for p in state.all_model_checkpoint_paths]
    return state


def prefix_exists(prefix: str) -> bool:
    """Whether a checkpoint (its index file) exists at `prefix`."""
    return os.path.exists(index_path(prefix))
