"""`tf.train.CheckpointManager`: numbered checkpoints in a directory, the newest few kept."""

from __future__ import annotations

import os
import time

from nanotf._src.checkpoint import Checkpoint
from nanotf._src.checkpoint_format import (
    CheckpointState,
    delete_prefix,
    prefix_exists,
    read_state,
    write_state,
)


class CheckpointManager:
    """Saves numbered checkpoints in a directory and deletes all but the newest `max_to_keep`.

    Example:
      >>> manager = tf.train.CheckpointManager(ckpt, '/tmp/ckpts', max_to_keep=3)
      >>> manager.save()                              # '/tmp/ckpts/ckpt-1'
      >>> ckpt.restore(manager.latest_checkpoint)
    """

    def __init__(self, checkpoint: Checkpoint, directory, max_to_keep: int | None,
                 keep_checkpoint_every_n_hours: float | None = None,
                 checkpoint_name: str = "ckpt", step_counter=None,
                 checkpoint_interval: int | None = None, init_fn=None):
        if max_to_keep is not None and max_to_keep <= 0:
            raise ValueError(f"Expected a positive integer or `None` for `max_to_keep`, got "
                             f"{max_to_keep}.")
        if checkpoint_interval is not None and step_counter is None:
            raise ValueError("`step_counter` should be passed if `checkpoint_interval` is not "
                             "None.")
        self._checkpoint = checkpoint
        self._directory = os.fspath(directory)
        self._max_to_keep = max_to_keep
        self._keep_hours = keep_checkpoint_every_n_hours
        self._name = checkpoint_name
        self._step_counter = step_counter
        self._interval = checkpoint_interval
        self._init_fn = init_fn
        self._last_step = None
        state = read_state(self._directory)
        self._last_preserved = time.time()
        self._kept: list = []  # (path, timestamp), oldest first
        self._latest = None
        if state is not None:
            self._latest = state.model_checkpoint_path or None
            stamps = state.all_model_checkpoint_timestamps
            for i, p in enumerate(state.all_model_checkpoint_paths):
                self._kept.append((p, stamps[i] if i < len(stamps) else self._last_preserved))
            if state.last_preserved_timestamp:
                self._last_preserved = state.last_preserved_timestamp

    @property
    def directory(self) -> str:
        """The directory checkpoints are written to."""
        return self._directory

    @property
    def checkpoint(self) -> Checkpoint:
        """The managed `tf.train.Checkpoint`."""
        return self._checkpoint

    @property
    def checkpoint_interval(self) -> int | None:
        """The minimum number of steps between saves, or None."""
        return self._interval

    @property
    def checkpoints(self) -> list:
        """The kept checkpoint prefixes, oldest first."""
        return [p for p, _ in self._kept]

    @property
    def latest_checkpoint(self) -> str | None:
        """The newest checkpoint prefix, or None."""
        return self._latest

    def _sweep(self) -> None:
        if self._max_to_keep is None:
            return
        while len(self._kept) > self._max_to_keep:
            path, stamp = self._kept.pop(0)
            if self._keep_hours and stamp - self._last_preserved >= self._keep_hours * 3600:
                self._last_preserved = stamp  # preserved forever: no longer managed
                continue
            delete_prefix(path)

    def save(self, checkpoint_number=None, check_interval: bool = True, options=None):
        """Writes a numbered checkpoint, deletes old ones, updates `checkpoint`; returns the path.

        Returns None when `checkpoint_interval` steps have not passed since the last save.
        """
        if self._interval is not None and check_interval:
            counter = self._step_counter
            step = int(counter.numpy() if hasattr(counter, "numpy") else counter)
            if self._last_step is not None and step < self._last_step + self._interval:
                return None
            self._last_step = step
        counter = self._checkpoint.save_counter
        counter.assign_add(1, read_value=False)
        if checkpoint_number is None:
            checkpoint_number = counter.numpy()
        elif hasattr(checkpoint_number, "numpy"):
            checkpoint_number = checkpoint_number.numpy()
        prefix = os.path.join(self._directory, f"{self._name}-{int(checkpoint_number)}")
        path = self._checkpoint.write(prefix)
        self._kept = [(p, s) for p, s in self._kept if p != path] + [(path, time.time())]
        self._latest = path
        self._sweep()
        write_state(self._directory, CheckpointState(
            path, self.checkpoints, [s for _, s in self._kept], self._last_preserved))
        return path

    def restore_or_initialize(self):
        """Restores the latest checkpoint and returns its path; else runs `init_fn` -> None."""
        if self._latest is not None and prefix_exists(self._latest):
            self._checkpoint.restore(self._latest)
            return self._latest
        if self._init_fn is not None:
            self._init_fn()
        return None

    def sync(self) -> None:
        """No-op (writes are synchronous)."""
