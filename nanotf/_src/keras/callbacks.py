"""Keras callbacks (`tf.keras.callbacks`): hooks called by `fit`, `evaluate` and `predict`.

`CallbackList` fans each event out to the callbacks (adding `History` and `ProgbarLogger` the way
Keras 2 does); `ProgbarLogger` feeds `Progbar`, which only renders. Batch hooks are skipped
entirely unless some callback overrides them, so a quiet `fit` pays nothing per batch.
"""

from __future__ import annotations

import csv
import io
import os
import sys
import tempfile
from typing import Any, Callable

from nanotf._src.backend import np
from nanotf._src.keras.progbar import Progbar
from nanotf._src.tensor import Tensor


def _print(msg: str) -> None:
    sys.stdout.write(msg + "\n")
    sys.stdout.flush()


def _warn(msg: str) -> None:
    sys.stderr.write(f"WARNING:tensorflow:{msg}\n")


def to_python(logs) -> dict:
    """Logs with Tensors/NumPy scalars turned into Python numbers (Keras's sync_to_numpy)."""
    out = {}
    for k, v in (logs or {}).items():
        if isinstance(v, Tensor):
            v = v.numpy()
        if isinstance(v, (np.ndarray, np.generic)) and np.ndim(v) == 0:
            v = v.item()
        out[k] = v
    return out


class Callback:
    """Base class of callbacks; override the `on_*` hooks you need.

    `self.model` is the model being trained and `self.params` holds `verbose`, `epochs` and
    `steps`.

    Example:
      >>> class Print(tf.keras.callbacks.Callback):
      ...   def on_epoch_end(self, epoch, logs=None):
      ...     print(epoch, logs['loss'])
    """

    def __init__(self):
        self.validation_data = None
        self.model = None
        self.params: dict = {}
        self._supports_tf_logs = False

    def set_params(self, params: dict) -> None:
        """Receives `verbose`, `epochs` and `steps`."""
        self.params = params

    def set_model(self, model) -> None:
        """Receives the model."""
        self.model = model

    def on_batch_begin(self, batch, logs=None):
        """Legacy alias of `on_train_batch_begin`."""

    def on_batch_end(self, batch, logs=None):
        """Legacy alias of `on_train_batch_end`."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of an epoch (0-based `epoch`)."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of an epoch with its logs (training and `val_` metrics)."""

    def on_train_batch_begin(self, batch, logs=None):
        """Called before a training batch."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        """Called after a training batch with the running metric values."""
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        """Called before an evaluation batch."""

    def on_test_batch_end(self, batch, logs=None):
        """Called after an evaluation batch."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called before a prediction batch."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called after a prediction batch."""

    def on_train_begin(self, logs=None):
        """Called when `fit` starts."""

    def on_train_end(self, logs=None):
        """Called when `fit` ends."""

    def on_test_begin(self, logs=None):
        """Called when evaluation starts."""

    def on_test_end(self, logs=None):
        """Called when evaluation ends."""

    def on_predict_begin(self, logs=None):
        """Called when prediction starts."""

    def on_predict_end(self, logs=None):
        """Called when prediction ends."""

    def _overrides(self, *names) -> bool:
        return any(getattr(type(self), n) is not getattr(Callback, n) for n in names)

    def _implements_train_batch_hooks(self) -> bool:
        return self._overrides("on_batch_begin", "on_batch_end", "on_train_batch_begin",
                               "on_train_batch_end")

    def _implements_test_batch_hooks(self) -> bool:
        return self._overrides("on_test_batch_begin", "on_test_batch_end")

    def _implements_predict_batch_hooks(self) -> bool:
        return self._overrides("on_predict_batch_begin", "on_predict_batch_end")


class CallbackList:
    """Calls a list of callbacks; adds `History` and `ProgbarLogger` as Keras 2 does.

    Args:
      callbacks: the user's callbacks.
      add_history: append a `History` (also set as `model.history`).
      add_progbar: prepend a `ProgbarLogger` (when `verbose != 0`).
      model: the model; `**params` (verbose, epochs, steps) go to `set_params`.
    """

    def __init__(self, callbacks=None, add_history: bool = False, add_progbar: bool = False,
                 model=None, **params):
        self.callbacks = list(callbacks or [])
        self._history = next((c for c in self.callbacks if isinstance(c, History)), None)
        self._progbar = next((c for c in self.callbacks if isinstance(c, ProgbarLogger)), None)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger(count_mode="steps")
            self.callbacks.insert(0, self._progbar)
        self.model = None
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)

    def append(self, callback: Callback) -> None:
        """Adds a callback."""
        self.callbacks.append(callback)

    def set_params(self, params: dict) -> None:
        """Passes `params` to every callback."""
        self.params = params
        for cb in self.callbacks:
            cb.set_params(params)
        self._refresh()

    def set_model(self, model) -> None:
        """Passes the model to every callback."""
        self.model = model
        if self._history is not None:
            model.history = self._history
        for cb in self.callbacks:
            cb.set_model(model)
        self._refresh()

    def _refresh(self) -> None:
        cbs = self.callbacks
        self._train_hooks = any(cb._implements_train_batch_hooks() for cb in cbs)
        self._test_hooks = any(cb._implements_test_batch_hooks() for cb in cbs)
        self._predict_hooks = any(cb._implements_predict_batch_hooks() for cb in cbs)

    def _call(self, hook: str, *args, logs=None) -> None:
        plain = None
        for cb in self.callbacks:
            if cb._supports_tf_logs or logs is None:
                getattr(cb, hook)(*args, logs=logs)
            else:
                if plain is None:
                    plain = to_python(logs)
                getattr(cb, hook)(*args, logs=plain)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs=logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs=logs)

    def on_train_batch_begin(self, batch, logs=None):
        if self._train_hooks:
            self._call("on_train_batch_begin", batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        if self._train_hooks:
            self._call("on_train_batch_end", batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        if self._test_hooks:
            self._call("on_test_batch_begin", batch, logs=logs)

    def on_test_batch_end(self, batch, logs=None):
        if self._test_hooks:
            self._call("on_test_batch_end", batch, logs=logs)

    def on_predict_batch_begin(self, batch, logs=None):
        if self._predict_hooks:
            self._call("on_predict_batch_begin", batch, logs=logs)

    def on_predict_batch_end(self, batch, logs=None):
        if self._predict_hooks:
            self._call("on_predict_batch_end", batch, logs=logs)

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", logs=logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs=logs)

    def on_test_begin(self, logs=None):
        self._call("on_test_begin", logs=logs)

    def on_test_end(self, logs=None):
        self._call("on_test_end", logs=logs)

    def on_predict_begin(self, logs=None):
        self._call("on_predict_begin", logs=logs)

    def on_predict_end(self, logs=None):
        self._call("on_predict_end", logs=logs)

    def __iter__(self):
        return iter(self.callbacks)


class History(Callback):
    """Records the epoch logs: `history.history['loss']` is the list of epoch losses."""

    def __init__(self):
        super().__init__()
        self.history: dict = {}
        self.epoch: list = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)
        self.model.history = self


class ProgbarLogger(Callback):
    """Prints Keras 2's progress bar (verbose=1) or one line per epoch (verbose=2).

    Args:
      count_mode: 'steps' or 'samples' (what the bar counts).
      stateful_metrics: names shown as given instead of averaged (the model's metrics always are).
    """

    def __init__(self, count_mode: str = "samples", stateful_metrics=None):
        super().__init__()
        self._supports_tf_logs = True
        if count_mode not in ("samples", "steps"):
            raise ValueError(f"Unknown `count_mode`: {count_mode}. Expected values are "
                             '["samples", "steps"]')
        self.use_steps = count_mode == "steps"
        self.stateful_metrics = set(stateful_metrics or ())
        self.seen = 0
        self.progbar = None
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params):
        self.verbose = params.get("verbose", 1)
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps") if self.use_steps else params.get("samples")

    def _implements_train_batch_hooks(self):
        return self.verbose == 1

    _implements_test_batch_hooks = _implements_predict_batch_hooks = _implements_train_batch_hooks

    def on_train_begin(self, logs=None):
        self._called_in_fit = True

    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._reset()

    def on_predict_begin(self, logs=None):
        self._reset()

    def on_epoch_begin(self, epoch, logs=None):
        self._reset()
        if self.verbose and self.epochs > 1:
            _print(f"Epoch {epoch + 1}/{self.epochs}")

    def on_train_batch_end(self, batch, logs=None):
        self._batch_update(batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._batch_update(batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._batch_update(batch, None)

    def on_epoch_end(self, epoch, logs=None):
        self._finalize(logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finalize(logs)

    def on_predict_end(self, logs=None):
        self._finalize(logs)

    def _reset(self):
        self.seen = 0
        self.progbar = None
        self._bar()  # the clock starts now: verbose=2 lines time the whole epoch

    def _bar(self) -> Progbar:
        if self.model is not None:
            self.stateful_metrics |= {m.name for m in getattr(self.model, "metrics", [])}
        if self.progbar is None:
            self.progbar = Progbar(target=self.target, verbose=self.verbose,
                                   stateful_metrics=self.stateful_metrics,
                                   unit_name="step" if self.use_steps else "sample")
        self.progbar._update_stateful_metrics(self.stateful_metrics)
        return self.progbar

    def _batch_update(self, batch, logs):
        bar = self._bar()
        logs = dict(logs or {})
        if self.use_steps:
            self.seen = batch + 1
        else:
            self.seen += logs.pop("size", 0) * logs.pop("num_steps", 1)
            logs.pop("batch", None)
        if self.verbose == 1:
            bar.update(self.seen, list(to_python(logs).items()), finalize=False)

    def _finalize(self, logs):
        bar = self._bar()
        if self.target is None:
            self.target = self.seen
            bar.target = self.target
        bar.update(self.target, list(to_python(logs).items()), finalize=True)


class TerminateOnNaN(Callback):
    """Stops training at the first batch whose loss is NaN or infinite, naming the batch."""

    def __init__(self):
        super().__init__()
        self._supports_tf_logs = True

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None:
            loss = float(loss.numpy() if isinstance(loss, Tensor) else loss)
            if np.isnan(loss) or np.isinf(loss):
                _print(f"Batch {batch}: Invalid loss, terminating training")
                self.model.stop_training = True


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
        writer.writerow({"epoch": epoch, **{k: _csv_value(logs.get(k, "")) for k in self.keys}})
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


class LambdaCallback(Callback):
    """A callback built from plain functions, e.g. `LambdaCallback(on_epoch_end=f)`.

    `on_epoch_begin/end(epoch, logs)`, `on_batch_begin/end(batch, logs)`,
    `on_train_begin/end(logs)`, and any other hook name as a keyword.
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None,
                 on_batch_end=None, on_train_begin=None, on_train_end=None, **kwargs):
        super().__init__()
        hooks = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_batch_begin=on_batch_begin, on_batch_end=on_batch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end, **kwargs)
        self._hooks = set()
        for name, fn in hooks.items():
            if fn is None:
                continue
            if not hasattr(Callback, name):
                raise TypeError(f"LambdaCallback got an unknown hook {name!r}")
            setattr(self, name, _lambda_hook(fn, name))
            self._hooks.add(name)

    def _overrides(self, *names) -> bool:
        return any(n in self._hooks for n in names)


def _lambda_hook(fn, name):
    if name.endswith(("train_begin", "train_end", "test_begin", "test_end", "predict_begin",
                      "predict_end")):
        return lambda logs=None: fn(logs)
    return lambda i, logs=None: fn(i, logs)
