"""Callbacks that watch a logged quantity or write files: EarlyStopping, ModelCheckpoint,
LearningRateScheduler, ReduceLROnPlateau and CSVLogger (`tf.keras.callbacks`, Keras 2 behaviour).
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from typing import Any, Callable

from nanotf._src.backend import np
from nanotf._src.keras.callbacks import Callback, _print, _warn, to_python
from nanotf._src.tensor import Tensor


def _monitor_op(mode: str, monitor: str, who: str) -> Callable:
    if mode not in ("auto", "min", "max"):
        _warn(f"{who} mode {mode} is unknown, fallback to auto mode.")
        mode = "auto"
    if mode == "max" or mode == "auto" and monitor.endswith(("acc", "accuracy", "auc")):
        return np.greater
    return np.less


class EarlyStopping(Callback):
    """Stops training when `monitor` has stopped improving for `patience` epochs.

    Args:
      monitor: the log key to watch ('val_loss').
      min_delta: smallest change that counts as an improvement.
      patience: epochs without improvement before stopping.
      mode: 'min', 'max' or 'auto' (max for accuracy/auc keys).
      baseline: a value the monitor must beat.
      restore_best_weights: put the best epoch's weights back at the end.
      start_from_epoch: epochs to wait before monitoring starts.
    """

    def __init__(self, monitor: str = "val_loss", min_delta=0, patience: int = 0,
                 verbose: int = 0, mode: str = "auto", baseline=None,
                 restore_best_weights: bool = False, start_from_epoch: int = 0):
        super().__init__()
        self.monitor, self.patience, self.verbose = monitor, patience, verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.monitor_op = _monitor_op(mode, monitor, "EarlyStopping")
        self.min_delta = abs(min_delta) * (1 if self.monitor_op is np.greater else -1)
        self.wait = self.stopped_epoch = self.best_epoch = 0
        self.best_weights = None

    def on_train_begin(self, logs=None):
        self.wait = self.stopped_epoch = self.best_epoch = 0
        self.best = np.inf if self.monitor_op is np.less else -np.inf
        self.best_weights = None

    def on_epoch_end(self, epoch, logs=None):
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            _print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                _print("Restoring model weights from the end of the best epoch: "
                       f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs):
        """`logs[monitor]`, or None (with a warning) when it is missing."""
        value = (logs or {}).get(self.monitor)
        if value is None:
            _warn(f"Early stopping conditioned on metric `{self.monitor}` which is not available. "
                  f"Available metrics are: {','.join(logs or {})}")
        return value

    def _is_improvement(self, value, reference) -> bool:
        return bool(self.monitor_op(value - self.min_delta, reference))


class ModelCheckpoint(Callback):
    """Saves the model (or its weights) every epoch or every `save_freq` batches.

    `filepath` may hold `{epoch:02d}` and log keys such as `{val_loss:.2f}`. Writing goes through
    `model.save_weights` / `model.save`.

    Args:
      monitor: the log key compared when `save_best_only`.
      save_best_only: save only when `monitor` improves.
      save_weights_only: call `model.save_weights` instead of `model.save`.
      mode: 'min', 'max' or 'auto'.
      save_freq: 'epoch' or a number of batches.
    """

    def __init__(self, filepath, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False, mode: str = "auto",
                 save_freq="epoch", options=None, initial_value_threshold=None, **kwargs):
        super().__init__()
        self._supports_tf_logs = True
        self.filepath = os.fspath(filepath)
        self.monitor, self.verbose = monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.save_freq, self._options = save_freq, options
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(f"Unrecognized save_freq: {save_freq}. Expected save_freq are "
                             '"epoch" or integer')
        if mode not in ("auto", "min", "max"):
            _warn(f"ModelCheckpoint mode {mode} is unknown, fallback to auto mode.")
            mode = "auto"
        if mode == "max" or mode == "auto" and ("acc" in monitor or monitor.startswith("fmeasure")):
            self.monitor_op, default = np.greater, -np.inf
        else:
            self.monitor_op, default = np.less, np.inf
        self.best = default if initial_value_threshold is None else initial_value_threshold
        self._batches_seen = 0
        self._current_epoch = 0

    def _implements_train_batch_hooks(self):
        return self.save_freq != "epoch"

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_seen += 1
        if self._batches_seen % self.save_freq == 0:
            self._save(self._current_epoch, batch, to_python(logs))

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, to_python(logs))

    def _get_file_path(self, epoch, batch, logs) -> str:
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as e:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". '
                           f"Reason: {e}") from e

    def _save(self, epoch, batch, logs) -> None:
        path = self._get_file_path(epoch, batch, logs)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                _warn(f"Can save best model only with {self.monitor} available, skipping.")
                return
            if not self.monitor_op(current, self.best):
                if self.verbose > 0:
                    _print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from "
                           f"{self.best:.5f}")
                return
            if self.verbose > 0:
                _print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to "
                       f"{current:.5f}, saving model to {path}")
            self.best = current
        elif self.verbose > 0:
            _print(f"\nEpoch {epoch + 1}: saving model to {path}")
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path, overwrite=True)
        else:
            self.model.save(path, overwrite=True)


class LearningRateScheduler(Callback):
    """Sets the optimizer's learning rate from `schedule(epoch, lr)` at each epoch start.

    The rate used is logged under the history key `lr`.
    """

    def __init__(self, schedule: Callable, verbose: int = 0):
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        opt = self.model.optimizer
        if not hasattr(opt, "lr"):
            raise ValueError('Optimizer must have a "lr" attribute.')
        try:
            lr = self.schedule(epoch, float(np.asarray(opt.lr)))
        except TypeError:
            lr = self.schedule(epoch)
        if not isinstance(lr, (Tensor, float, np.float32, np.float64)):
            raise ValueError(f'The output of the "schedule" function should be float. Got: {lr}')
        if isinstance(lr, Tensor) and not lr.dtype.is_floating:
            raise ValueError(f"The dtype of `lr` Tensor should be float. Got: {lr.dtype}")
        _set_lr(opt, float(np.asarray(lr)))
        if self.verbose > 0:
            _print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["lr"] = np.asarray(self.model.optimizer.lr).astype(np.float32)[()]


def _set_lr(opt, value: float) -> None:
    lr = opt.lr
    if hasattr(lr, "assign"):
        lr.assign(value)
    else:
        opt.lr = value


class ReduceLROnPlateau(Callback):
    """Multiplies the learning rate by `factor` when `monitor` stops improving for `patience`."""

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10,
                 verbose: int = 0, mode: str = "auto", min_delta: float = 1e-4,
                 cooldown: int = 0, min_lr: float = 0, **kwargs):
        super().__init__()
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0. Got {factor}")
        self.monitor, self.factor, self.min_lr = monitor, factor, min_lr
        self.min_delta = kwargs.pop("epsilon", min_delta)
        self.patience, self.verbose, self.cooldown, self.mode = patience, verbose, cooldown, mode
        self._reset()

    def _reset(self):
        if self.mode not in ("auto", "min", "max"):
            _warn(f"Learning rate reduction mode {self.mode} is unknown, fallback to auto mode.")
            self.mode = "auto"
        d = self.min_delta
        if self.mode == "min" or (self.mode == "auto" and "acc" not in self.monitor):
            self.monitor_op, self.best = (lambda a, b: np.less(a, b - d)), np.inf
        else:
            self.monitor_op, self.best = (lambda a, b: np.greater(a, b + d)), -np.inf
        self.cooldown_counter = self.wait = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def in_cooldown(self) -> bool:
        """Whether the cooldown after a reduction is still running."""
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        opt = self.model.optimizer
        logs["lr"] = np.asarray(opt.lr).astype(np.float32)[()]
        current = logs.get(self.monitor)
        if current is None:
            _warn(f"Learning rate reduction is conditioned on metric `{self.monitor}` which is "
                  f"not available. Available metrics are: {','.join(logs)}")
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self.monitor_op(current, self.best):
            self.best, self.wait = current, 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                old = float(np.asarray(opt.lr))
                if old > np.float32(self.min_lr):
                    new = max(old * self.factor, self.min_lr)
                    _set_lr(opt, new)
                    if self.verbose > 0:
                        _print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate "
                               f"to {new}.")
                    self.cooldown_counter, self.wait = self.cooldown, 0


class CSVLogger(Callback):
    """Writes the epoch logs to a CSV file (rewritten atomically after every epoch).

    Args:
      filename: the CSV path.
      separator: the field separator.
      append: keep the rows of an existing file.
    """

    def __init__(self, filename, separator: str = ",", append: bool = False):
        super().__init__()
        self.sep, self.filename, self.append = separator, os.fspath(filename), append
        self.keys = None
        self._text = ""

    def on_train_begin(self, logs=None):
        self._text = ""
        self.keys = None
        if self.append and os.path.exists(self.filename):
            with open(self.filename, encoding="utf-8") as f:
                self._text = f.read()

    def on_epoch_end(self, epoch, logs=None):
        logs = to_python(logs)
        if self.keys is None:
            self.keys = sorted(logs)
            if not any(k.startswith("val_") for k in self.keys):
                self.keys += ["val_" + k for k in self.keys]
        if self.model is not None and getattr(self.model, "stop_training", False):
            logs = {k: logs.get(k, "NA") for k in self.keys}
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=["epoch"] + self.keys, delimiter=self.sep,
                                lineterminator="\n")
        if not self._text:
            writer.writeheader()
        writer.writerow({"epoch": epoch, **{k: _csv_value(logs.get(k, "NA")) for k in self.keys}})
        self._text += buf.getvalue()
        _atomic_write(self.filename, self._text)


def _csv_value(v) -> Any:
    if isinstance(v, str) or np.ndim(v) == 0:
        return v
    return f"[{', '.join(map(str, np.ravel(v)))}]"


def _atomic_write(path: str, text: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".csv")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
