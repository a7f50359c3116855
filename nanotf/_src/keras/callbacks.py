"""Keras callbacks (`tf.keras.callbacks`): hooks called by `fit`, `evaluate` and `predict`.

`CallbackList` fans each event out to the callbacks (adding `History` and `ProgbarLogger` the way
Keras 2 does); `ProgbarLogger` feeds `Progbar`, which only renders. Batch hooks are skipped
entirely unless some callback overrides them, so a quiet `fit` pays nothing per batch. The
metric-watching callbacks (EarlyStopping, ModelCheckpoint, ...) are in `monitor_callbacks.py`.
"""

from __future__ import annotations

import sys

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
        self._refresh()  # its batch hooks must be called too

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
        bar = self.progbar
        if bar is None or any(k not in self.stateful_metrics for k in logs or ()):
            bar = self._bar()  # the model's metrics appear after its first batch
        if self.use_steps:
            self.seen = batch + 1
        else:
            logs = dict(logs or {})
            self.seen += logs.pop("size", 0) * logs.pop("num_steps", 1)
            logs.pop("batch", None)
        if self.verbose != 1:
            return
        stateful = all(k in self.stateful_metrics for k in logs or ())
        if stateful and bar._last_update is not None and (not bar._dynamic_display or (
                bar._time() - bar._last_update < bar.interval)):
            # Nothing would be drawn and only the final values matter: skip the conversions.
            bar._seen_so_far = self.seen
            return
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
