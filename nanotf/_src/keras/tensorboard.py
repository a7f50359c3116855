"""`tf.keras.callbacks.TensorBoard`: Keras 2's event-file layout, written with `tf.summary`.

What it writes, as tf_keras 2.x does (tags, steps and directories match its files):

- `<log_dir>/train`: `keras` (the model's JSON config, step 0, when the model is Sequential or
  functional and `write_graph`), the train-step graph (after the first batch, when the model's
  `train_function` is a traced `tf.function`), `batch_<metric>` scalars at step
  `model._train_counter` every `update_freq` batches, `epoch_<metric>` scalars at step `epoch`
  (plus `epoch_learning_rate` when the learning rate is a schedule, `epoch_steps_per_second`
  with `write_steps_per_second`), and `<weight name>/histogram` (and `/image`) every
  `histogram_freq` epochs.
- `<log_dir>/validation`: `epoch_<metric>` for the `val_` logs at step `epoch`, and
  `evaluation_<metric>_vs_iterations` at step `optimizer.iterations` after each evaluation.

Like tf_keras, batch summaries are written from `on_train_batch_end`, which Keras only calls when
some callback needs batch hooks (the progress bar with `verbose=1` does).

Differences: nanotf has no profiler, so `profile_batch` exports the traced graphs of the profiled
batches (`trace_export`, tag `batch_<n>`) without profile data; `embeddings_freq` is accepted but
writes no projector files.
"""

from __future__ import annotations

import logging
import os
import time

from nanotf._src import events, summary
from nanotf._src import summary_trace as trace
from nanotf._src.backend import asnumpy, np
from nanotf._src.keras.callbacks import Callback
from nanotf._src.keras.optimizer_schedules import LearningRateSchedule
from nanotf._src.tensor import Tensor

_logger = logging.getLogger("nanotf")
_V1_KWARGS = {"write_grads", "embeddings_layer_names", "embeddings_data", "batch_size"}


def _value(x):
    """A Python/numpy value of a log entry, Tensor or Variable."""
    return asnumpy(x._v) if isinstance(x, Tensor) else x


class TensorBoard(Callback):
    """Writes TensorBoard logs: metric scalars, weight histograms and images, the model graph.

    Args:
      log_dir: where to write; the files go into `train/` and `validation/` under it.
      histogram_freq: every this many epochs, write a histogram of each weight (0: never).
      write_graph: write the model's config and its traced train step graph.
      write_images: also write each weight as an image (with `histogram_freq`).
      write_steps_per_second: also log training steps per second.
      update_freq: 'epoch', 'batch' (= 1) or an int n: write `batch_` scalars every n batches.
      profile_batch: a batch number or a `(start, stop)` pair whose traced graphs are exported
        (nanotf has no profiler); 0 disables it.
      embeddings_freq: accepted; no embedding projector files are written.
      embeddings_metadata: accepted, unused.

    Example:
      >>> tb = tf.keras.callbacks.TensorBoard(log_dir='./logs', histogram_freq=1)
      >>> model.fit(x, y, epochs=2, validation_split=0.2, callbacks=[tb])
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None, **kwargs):
        super().__init__()
        self._supports_tf_logs = True
        self._validate_kwargs(kwargs)
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._init_profile_batch(profile_batch)
        self._global_train_batch = 0
        self._previous_epoch_iterations = 0
        self._batch_start_time = 0.0
        self._epoch_start_time = 0.0
        self._own_train_counter = 0
        self._writers: dict = {}
        self._prev_summary_state: list = []
        self._should_write_train_graph = False

    @staticmethod
    def _validate_kwargs(kwargs) -> None:
        for k in ("write_grads", "batch_size", "embeddings_layer_names", "embeddings_data"):
            if kwargs.get(k, False):
                _logger.warning("`%s` is not supported by the `TensorBoard` callback in "
                                "TensorFlow 2.0 and will be ignored.", k)
        unknown = set(kwargs) - _V1_KWARGS
        if unknown:
            raise ValueError(f"Unrecognized arguments in `TensorBoard` Callback: {unknown}. "
                             f"Supported kwargs are: {_V1_KWARGS}")

    def _init_profile_batch(self, profile_batch) -> None:
        message = ("profile_batch must be a non-negative integer or 2-tuple of positive "
                   "integers. A pair of positive integers signifies a range of batches to "
                   f"profile. Found: {profile_batch}")
        if isinstance(profile_batch, str):
            profile_batch = [int(p) for p in profile_batch.split(",")]
            if len(profile_batch) == 1:
                profile_batch = profile_batch[0]
        if isinstance(profile_batch, int) and not isinstance(profile_batch, bool):
            self._start_batch = self._stop_batch = profile_batch
        elif isinstance(profile_batch, (tuple, list)) and len(profile_batch) == 2:
            self._start_batch, self._stop_batch = (int(b) for b in profile_batch)
        else:
            raise ValueError(message)
        if self._start_batch < 0 or self._stop_batch < self._start_batch:
            raise ValueError(message)
        self._is_tracing = False
        self._should_trace = not (self._start_batch == 0 and self._stop_batch == 0)

    # --- model and writers -------------------------------------------------------------------
    def set_model(self, model) -> None:
        """Sets the model; with `write_graph`, writes its config (tag 'keras') at once."""
        self.model = model
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")
        self._writers = {}
        self._should_write_train_graph = False
        if self.write_graph:
            self._write_keras_model_summary()
            self._should_write_train_graph = True

    @property
    def _train_writer(self):
        if "train" not in self._writers:
            self._writers["train"] = summary.create_file_writer(self._train_dir)
        return self._writers["train"]

    @property
    def _val_writer(self):
        if "val" not in self._writers:
            self._writers["val"] = summary.create_file_writer(self._val_dir)
        return self._writers["val"]

    def _close_writers(self) -> None:
        for writer in self._writers.values():
            writer.close()

    def _train_step(self):
        """The model's train counter (a Variable in Keras), or this callback's own count."""
        counter = getattr(self.model, "_train_counter", None)
        return counter if counter is not None else self._own_train_counter

    def _val_step(self):
        counter = getattr(self.model, "_test_counter", None)
        return counter if counter is not None else 0

    def _write_keras_model_summary(self) -> None:
        model = self.model
        if not (getattr(model, "_is_graph_network", False)
                or type(model).__name__ in ("Sequential", "Functional")):
            return
        try:
            config = model.to_json()
        except Exception as exc:  # noqa: BLE001 - as Keras: a model that can't serialize is skipped
            _logger.warning("Model failed to serialize as JSON. Ignoring... %s", exc)
            return
        with self._train_writer.as_default(), summary.record_if(True):
            summary._write(summary.current_scope() + "keras", _keras_model_event, 0,
                           np.asarray(config, dtype=object))

    def _write_keras_model_train_graph(self) -> None:
        fn = getattr(self.model, "train_function", None)
        graph = getattr(fn, "graph", None)  # a ConcreteFunction
        if graph is None:
            cache = getattr(fn, "_cache", None)  # a tf.function: its first trace
            if cache:
                graph = getattr(next(iter(cache.values())), "graph", None)
        if graph is not None:
            with self._train_writer.as_default(), summary.record_if(True):
                trace.graph(graph)

    def _push_writer(self, writer, step_fn) -> None:
        """Makes `writer` the default for batch-level summaries, recording every update_freq."""
        if self.update_freq == "epoch":
            return
        freq = self.update_freq
        contexts = (writer.as_default(_value(step_fn())),
                    summary.record_if(lambda: int(_value(step_fn())) % freq == 0))
        self._prev_summary_state.append(contexts)
        for c in contexts:
            c.__enter__()

    def _pop_writer(self) -> None:
        if self.update_freq == "epoch" or not self._prev_summary_state:
            return
        writer_ctx, record_ctx = self._prev_summary_state.pop()
        record_ctx.__exit__(None, None, None)
        writer_ctx.__exit__(None, None, None)

    # --- training hooks --------------------------------------------------------------------
    def _implements_train_batch_hooks(self) -> bool:
        # As tf_keras: batch hooks are requested only for tracing or steps per second.
        return self._should_trace or self.write_steps_per_second

    def on_train_begin(self, logs=None) -> None:
        """Makes the train writer the default for batch summaries (unless update_freq='epoch')."""
        self._global_train_batch = 0
        self._previous_epoch_iterations = 0
        self._own_train_counter = 0
        self._push_writer(self._train_writer, self._train_step)

    def on_train_end(self, logs=None) -> None:
        """Restores the previous default writer, ends a running trace, closes the files."""
        self._pop_writer()
        if self._is_tracing:
            self._stop_trace()
        self._close_writers()

    def on_test_begin(self, logs=None) -> None:
        """Makes the validation writer the default for batch summaries."""
        self._push_writer(self._val_writer, self._val_step)

    def on_test_end(self, logs=None) -> None:
        """Writes `evaluation_<metric>_vs_iterations` at step `optimizer.iterations`."""
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "iterations"):
            with summary.record_if(True), self._val_writer.as_default():
                step = int(_value(optimizer.iterations))
                for name, value in (logs or {}).items():
                    summary.scalar("evaluation_" + name + "_vs_iterations", value, step=step)
        self._pop_writer()

    def on_train_batch_begin(self, batch, logs=None) -> None:
        """Counts batches; starts the graph trace at `profile_batch`."""
        self._global_train_batch += 1
        if self.write_steps_per_second:
            self._batch_start_time = time.time()
        if self._should_trace and self._global_train_batch == self._start_batch:
            self._start_trace()

    def on_train_batch_end(self, batch, logs=None) -> None:
        """Writes the train graph once, then `batch_<metric>` scalars (recorded every
        `update_freq` batches); exports the trace after the last profiled batch."""
        if getattr(self.model, "_train_counter", None) is None:
            self._own_train_counter += 1
        if self._should_write_train_graph:
            self._write_keras_model_train_graph()
            self._should_write_train_graph = False
        step = int(_value(self._train_step()))
        if self.write_steps_per_second:
            elapsed = max(time.time() - self._batch_start_time, 1e-12)
            summary.scalar("batch_steps_per_second", 1.0 / elapsed, step=step)
        if isinstance(logs, dict):
            for name, value in logs.items():
                summary.scalar("batch_" + name, value, step=step)
        if self._is_tracing and self._global_train_batch >= self._stop_batch:
            self._stop_trace()

    def on_epoch_begin(self, epoch, logs=None) -> None:
        """Notes the time and iteration count for `write_steps_per_second`."""
        if self.write_steps_per_second:
            self._previous_epoch_iterations = int(_value(self.model.optimizer.iterations))
            self._epoch_start_time = time.time()

    def on_epoch_end(self, epoch, logs=None) -> None:
        """Writes the epoch scalars, and the weight histograms every `histogram_freq` epochs."""
        self._log_epoch_metrics(epoch, logs)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)

    # --- tracing -------------------------------------------------------------------------------
    def _start_trace(self) -> None:
        trace.trace_on(graph=True, profiler=False)
        self._is_tracing = True

    def _stop_trace(self, batch=None) -> None:
        batch = self._stop_batch if batch is None else batch
        with self._train_writer.as_default(), summary.record_if(True):
            trace.trace_export(name=f"batch_{batch}", step=batch)
        self._is_tracing = False

    # --- epoch summaries -------------------------------------------------------------------
    def _collect_learning_rate(self, logs: dict) -> dict:
        optimizer = getattr(self.model, "optimizer", None)
        lr = None
        for attr in ("_learning_rate", "learning_rate", "lr"):
            lr = getattr(optimizer, attr, None)
            if lr is not None:
                break
        if isinstance(lr, LearningRateSchedule):
            logs["learning_rate"] = lr(optimizer.iterations)
        return logs

    def _log_epoch_metrics(self, epoch: int, logs) -> None:
        if not logs:
            return
        train_logs = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val_logs = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        train_logs = self._collect_learning_rate(train_logs)
        if self.write_steps_per_second:
            iterations = int(_value(self.model.optimizer.iterations))
            elapsed = max(time.time() - self._epoch_start_time, 1e-12)
            steps = iterations - self._previous_epoch_iterations
            train_logs["steps_per_second"] = steps / elapsed
        with summary.record_if(True):
            if train_logs:
                with self._train_writer.as_default():
                    for name, value in train_logs.items():
                        summary.scalar("epoch_" + name, value, step=epoch)
            if val_logs:
                with self._val_writer.as_default():
                    for name, value in val_logs.items():
                        summary.scalar("epoch_" + name, value, step=epoch)

    def _log_weights(self, epoch: int) -> None:
        with self._train_writer.as_default(), summary.record_if(True):
            for layer in getattr(self.model, "layers", ()):
                for weight in layer.weights:
                    weight_name = weight.name.replace(":", "_")
                    summary.histogram(weight_name + "/histogram", weight, step=epoch)
                    if self.write_images:
                        self._log_weight_as_image(weight, weight_name + "/image", epoch)
            self._train_writer.flush()

    @staticmethod
    def _log_weight_as_image(weight, name: str, epoch: int) -> None:
        """As Keras: a bias is a 1-pixel-high strip, a kernel a matrix (wide side horizontal),
        a conv kernel one image per output channel."""
        w = np.squeeze(np.asarray(_value(weight)))
        if w.ndim == 1:
            w = w.reshape(1, w.shape[0], 1, 1)
        elif w.ndim == 2:
            if w.shape[0] > w.shape[1]:
                w = w.T
            w = w.reshape(1, w.shape[0], w.shape[1], 1)
        elif w.ndim == 3:
            w = np.transpose(w, (2, 0, 1))  # channels_last: one image per kernel
            w = w.reshape(w.shape[0], w.shape[1], w.shape[2], 1)
        if w.ndim == 4 and w.shape[-1] in (1, 3, 4):
            summary.image(name, w, step=epoch)


def _keras_model_event(tag: str, step: int, config) -> bytes:
    return events.summary_event([events.keras_model_value(tag, str(np.asarray(config).item()))],
                                step)
