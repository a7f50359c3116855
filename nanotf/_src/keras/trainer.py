"""The Keras training loop: `compile`, `fit`, `evaluate`, `predict` (a mixin of `Model`).

Factoring (as Keras): `data_adapter` yields batches, `fit` loops over epochs and steps around
`train_step` (tape -> compiled loss -> optimizer -> metrics), `CallbackList` fans out events and
`ProgbarLogger` prints. `make_train_function()` returns the per-batch callable: unless the model
runs eagerly (`compile(run_eagerly=True)`, `tf.config.run_functions_eagerly(True)`), the step is
traced once per batch signature with `tf.function` and replayed as a compiled plan, as Keras does.
A step that cannot be traced (Python control flow on tensor values, `.numpy()` inside a custom
`train_step`) runs eagerly instead, giving what it gave before.
"""

from __future__ import annotations

import difflib
from typing import Any

from nanotf._src import function as function_mod
from nanotf._src import nest
from nanotf._src.backend import np
from nanotf._src.keras import callbacks as callbacks_module
from nanotf._src.keras import data_adapter
from nanotf._src.keras import optimizers as optimizers_mod
from nanotf._src.keras.compile_utils import LossesContainer, MetricsContainer
from nanotf._src.tape import GradientTape
from nanotf._src.tensor import Tensor

_COMPILE_ARGS = ("optimizer", "loss", "metrics", "loss_weights", "weighted_metrics",
                 "run_eagerly", "steps_per_execution", "jit_compile")


def flatten_metrics_in_order(logs: dict, metrics_names: list):
    """Logs as a list in `metrics_names` order (a single value when there is one)."""
    results = [logs[n] for n in metrics_names if n in logs]
    results += [logs[k] for k in sorted(logs) if k not in metrics_names]
    return results[0] if len(results) == 1 else results


def _verbosity(verbose) -> int:
    return 1 if verbose == "auto" else int(verbose)


class _State:
    """Per-model training state kept off the attribute walk that finds variables."""

    def __init__(self):
        self.train_vars = None
        self.train_counter = 0
        self.compile_args: dict = {}


# ------------------------------------------------------------------ the mixin


class Trainer:
    """Training, evaluation and prediction for Keras models (mixed into `Model`)."""

    _is_compiled = False
    optimizer = None
    compiled_loss = None
    compiled_metrics = None
    loss = None
    stop_training = False
    history = None
    train_function = test_function = predict_function = None
    _run_eagerly = None
    _jit_compile = None
    _steps_per_execution = 1

    def _trainer_state(self) -> _State:
        st = self.__dict__.get("_trainer")
        if st is None:
            st = _State()
            object.__setattr__(self, "_trainer", st)
        return st

    # --- compile -----------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                weighted_metrics=None, run_eagerly=None, steps_per_execution=None,
                jit_compile=None, **kwargs) -> None:
        """Configures the model for training.

        Args:
          optimizer: an optimizer name ('adam') or instance.
          loss: a loss name, function or `Loss` (or a list/dict of them, one per output).
          metrics: metric names, functions or `Metric`s; 'accuracy' picks the right accuracy.
          loss_weights: weights of the per-output losses.
          weighted_metrics: metrics that also use `sample_weight`/`class_weight`.
          run_eagerly, steps_per_execution, jit_compile: accepted for compatibility.

        Example:
          >>> model.compile(optimizer='adam', loss='sparse_categorical_crossentropy',
          ...               metrics=['accuracy'])
        """
        for k in ("cloning", "experimental_run_tf_function", "sample_weight_mode",
                  "pss_evaluation_shards"):
            kwargs.pop(k, None)
        for k in ("distribute", "target_tensors"):
            if kwargs.pop(k, None) is not None:
                raise ValueError(f"`{k}` argument in compile is not supported in TF 2.0 Keras.")
        if kwargs:
            bad = sorted(kwargs)
            hints = [difflib.get_close_matches(k, _COMPILE_ARGS, n=1) for k in bad]
            hint = "".join(f" Did you mean `{h[0]}` instead of `{k}`?" for k, h in zip(bad, hints)
                           if h)
            raise TypeError(f"Invalid keyword argument(s) in `compile()`: ({set(bad)},). Valid "
                            "keyword arguments include \"cloning\", \"experimental_run_tf_function"
                            "\", \"distribute\", \"target_tensors\", or \"sample_weight_mode\"."
                            f"{hint}")
        self.optimizer = optimizers_mod.get(optimizer)
        names = getattr(self, "output_names", None)
        self.compiled_loss = LossesContainer(loss, loss_weights, output_names=names)
        self.compiled_metrics = MetricsContainer(metrics, weighted_metrics, output_names=names)
        self.loss = loss or {}
        self._run_eagerly = run_eagerly
        self._jit_compile = jit_compile
        self._steps_per_execution = int(steps_per_execution or 1)
        self._is_compiled = True
        from nanotf._src.checkpoint import restore_deferred

        restore_deferred(self)  # checkpoint values waiting for optimizer slots
        self.train_function = self.test_function = self.predict_function = None
        st = self._trainer_state()
        st.compile_args = dict(optimizer=optimizer, loss=loss, metrics=metrics,
                               loss_weights=loss_weights, weighted_metrics=weighted_metrics)
        st.train_vars = None

    @property
    def _train_counter(self) -> int:
        """Training steps run by the current `fit` (Keras's `_train_counter`)."""
        return self._trainer_state().train_counter

    @property
    def run_eagerly(self) -> bool:
        """Whether the train/test/predict steps run eagerly instead of as traced functions."""
        if getattr(self, "dynamic", False) or self._run_eagerly:
            return True
        return self._run_eagerly is None and function_mod.functions_run_eagerly()

    @run_eagerly.setter
    def run_eagerly(self, value) -> None:
        self._run_eagerly = value

    @property
    def metrics(self) -> list:
        """The model's metrics: the loss mean(s), then the compiled metrics (after a batch)."""
        out: list = []
        if self._is_compiled:
            out += self.compiled_loss.metrics + self.compiled_metrics.metrics
        return out

    @property
    def metrics_names(self) -> list:
        """Names of `metrics`, e.g. `['loss', 'accuracy']` (empty before the first batch)."""
        return [m.name for m in self.metrics]

    def reset_metrics(self) -> None:
        """Resets the state of all metrics."""
        for m in self.metrics:
            m.reset_state()

    def _assert_compiled(self) -> None:
        if not self._is_compiled:
            raise RuntimeError("You must compile your model before training/testing. Use "
                               "`model.compile(optimizer, loss)`.")

    # --- steps -------------------------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
        """The compiled loss of a batch plus the model's regularization losses."""
        return self.compiled_loss(y, y_pred, sample_weight,
                                  regularization_losses=getattr(self, "losses", None))

    def compute_metrics(self, x, y, y_pred, sample_weight) -> dict:
        """Updates the compiled metrics and returns all metric results."""
        self.compiled_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self) -> dict:
        """`{name: result}` for every metric."""
        out = {}
        for m in self.metrics:
            r = m.result()
            if isinstance(r, dict):
                out.update(r)
            else:
                out[m.name] = r
        return out

    def _validate_target_and_loss(self, y, loss) -> None:
        if loss is None:
            if y is None:
                raise ValueError(f"Target data is missing. Your model was compiled with loss="
                                 f"{self.loss}, and therefore expects target data to be provided "
                                 "in `fit()`.")
            raise ValueError("No loss found. You may have forgotten to provide a `loss` argument "
                             "in the `compile()` method.")

    def train_step(self, data) -> dict:
        """One training step on a batch `(x, y[, sample_weight])`; returns the metric results."""
        x, y, sample_weight = data_adapter.unpack_x_y_sample_weight(data)
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight)
        self._validate_target_and_loss(y, loss)
        st = self._trainer_state()
        if st.train_vars is None:
            st.train_vars = list(self.trainable_variables)
        self.optimizer.minimize(loss, st.train_vars, tape=tape)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data) -> dict:
        """One evaluation step; returns the metric results."""
        x, y, sample_weight = data_adapter.unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        self.compute_loss(x, y, y_pred, sample_weight)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data):
        """One prediction step: the model's output for the batch's `x`."""
        x, _, _ = data_adapter.unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def make_train_function(self, force: bool = False):
        """The callable `batch -> logs` that `fit` calls per batch (wraps `train_step`)."""
        if self.train_function is None or force or _stale(self.train_function, self):
            st = self._trainer_state()
            step = _step_function(self, self.train_step, "train_function")

            def train_function(data):
                st.train_counter += 1
                return step(data)

            train_function._nanotf_eager = step._nanotf_eager
            self.train_function = train_function
        return self.train_function

    def make_test_function(self, force: bool = False):
        """The callable `batch -> logs` that `evaluate` calls per batch."""
        if self.test_function is None or force or _stale(self.test_function, self):
            self.test_function = _step_function(self, self.test_step, "test_function")
        return self.test_function

    def make_predict_function(self, force: bool = False):
        """The callable `batch -> outputs` that `predict` calls per batch."""
        if self.predict_function is None or force or _stale(self.predict_function, self):
            self.predict_function = _step_function(self, self.predict_step, "predict_function")
        return self.predict_function

    # --- fit / evaluate / predict ---------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs: int = 1, verbose="auto", callbacks=None,
            validation_split: float = 0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch: int = 0, steps_per_epoch=None,
            validation_steps=None, validation_batch_size=None, validation_freq=1,
            max_queue_size=10, workers=1, use_multiprocessing=False):
        """Trains the model for `epochs` epochs; returns the `History`.

        Args:
          x, y: NumPy arrays/lists (or nests of them), or `x` a Dataset/generator of batches.
          batch_size: samples per step for array inputs (default 32).
          verbose: 0 silent, 1 progress bar, 2 one line per epoch ('auto' is 1).
          callbacks: `tf.keras.callbacks.Callback` objects.
          validation_split: fraction of the (unshuffled) arrays held out for validation.
          validation_data: `(x_val, y_val[, sample_weight])` or a Dataset.
          validation_freq: validate every this many epochs (or at the listed epochs).
          class_weight: `{class: weight}` applied to the loss.

        Example:
          >>> history = model.fit(x_train, y_train, epochs=5, validation_split=0.1)
          >>> history.history['loss']
        """
        self._assert_compiled()
        verbose = _verbosity(verbose)
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = data_adapter.train_validation_split(
                (x, y, sample_weight), validation_split)
        if validation_data is not None:
            val_x, val_y, val_sw = data_adapter.unpack_x_y_sample_weight(validation_data)
        handler = data_adapter.get_data_handler(
            x=x, y=y, sample_weight=sample_weight, batch_size=batch_size,
            steps_per_epoch=steps_per_epoch, initial_epoch=initial_epoch, epochs=epochs,
            shuffle=shuffle, class_weight=class_weight, model=self)
        if not isinstance(callbacks, callbacks_module.CallbackList):
            callbacks = callbacks_module.CallbackList(
                callbacks, add_history=True, add_progbar=verbose != 0, model=self,
                verbose=verbose, epochs=epochs, steps=handler.inferred_steps)
        self.stop_training = False
        st = self._trainer_state()
        st.train_vars = None
        st.train_counter = 0
        train_function = self.make_train_function()
        callbacks.on_train_begin()
        logs = training_logs = None
        for epoch, batches in handler.enumerate_epochs():
            self.reset_metrics()
            callbacks.on_epoch_begin(epoch)
            with handler.catch_stop_iteration():
                for step, data in enumerate(batches):
                    callbacks.on_train_batch_begin(step)
                    logs = train_function(data)
                    callbacks.on_train_batch_end(step, logs)
                    if self.stop_training:
                        break
            if logs is None:
                raise ValueError("Unexpected result of `train_function` (Empty logs). Please use "
                                 "`Model.compile(..., run_eagerly=True)`, or "
                                 "`tf.config.run_functions_eagerly(True)` for more information "
                                 "of where went wrong, or file a issue/bug to `tf.keras`.")
            epoch_logs = callbacks_module.to_python(logs)
            if validation_data is not None and _should_eval(epoch, validation_freq):
                val_logs = self.evaluate(
                    val_x, val_y, sample_weight=val_sw,
                    batch_size=validation_batch_size or batch_size, steps=validation_steps,
                    callbacks=callbacks, return_dict=True)
                epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
            callbacks.on_epoch_end(epoch, epoch_logs)
            training_logs = epoch_logs
            if self.stop_training:
                break
        callbacks.on_train_end(logs=training_logs)
        return self.history

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, max_queue_size=10, workers=1,
                 use_multiprocessing=False, return_dict: bool = False, **kwargs):
        """Returns the loss and metrics on the data: a list in `metrics_names` order (a scalar
        when there is only the loss), or a dict with `return_dict=True`.

        Example:
          >>> model.evaluate(x_test, y_test, verbose=2)
          313/313 - 0s - loss: 0.0734 - accuracy: 0.9785 - 355ms/epoch - 1ms/step
          [0.0734, 0.9785]
        """
        self._assert_compiled()
        kwargs.pop("_use_cached_eval_dataset", None)
        if kwargs:
            raise TypeError(f"Invalid keyword arguments: {list(kwargs)}")
        verbose = _verbosity(verbose)
        handler = data_adapter.get_data_handler(
            x=x, y=y, sample_weight=sample_weight, batch_size=batch_size, steps_per_epoch=steps,
            epochs=1, shuffle=False, model=self)
        if not isinstance(callbacks, callbacks_module.CallbackList):
            callbacks = callbacks_module.CallbackList(
                callbacks, add_history=True, add_progbar=verbose != 0, model=self,
                verbose=verbose, epochs=1, steps=handler.inferred_steps)
        test_function = self.make_test_function()
        from nanotf._src.keras import eval_chunks  # it imports the layers, which import this

        chunked = eval_chunks.runner(self, handler, test_function)
        logs: Any = {}
        callbacks.on_test_begin()
        for _, batches in handler.enumerate_epochs():
            self.reset_metrics()

            def per_batch(batches=batches):
                logs = {}
                with handler.catch_stop_iteration():
                    for step, data in enumerate(batches):
                        callbacks.on_test_batch_begin(step)
                        logs = test_function(data)
                        callbacks.on_test_batch_end(step, logs)
                return logs

            # models that map rows alone: outputs and losses a chunk of batches at a time
            logs = per_batch() if chunked is None else chunked(callbacks, per_batch)
        logs = callbacks_module.to_python(logs)
        callbacks.on_test_end(logs=logs)
        if return_dict:
            return logs
        return flatten_metrics_in_order(logs, self.metrics_names)

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None,
                max_queue_size=10, workers=1, use_multiprocessing=False):
        """The model's outputs for `x` as NumPy arrays, computed in batches.

        Example:
          >>> model.predict(x_test[:5]).shape
          (5, 10)
        """
        verbose = _verbosity(verbose)
        handler = data_adapter.get_data_handler(x=x, batch_size=batch_size, steps_per_epoch=steps,
                                                epochs=1, shuffle=False, model=self)
        if not isinstance(callbacks, callbacks_module.CallbackList):
            callbacks = callbacks_module.CallbackList(
                callbacks, add_history=True, add_progbar=verbose != 0, model=self,
                verbose=verbose, epochs=1, steps=handler.inferred_steps)
        predict_function = self.make_predict_function()
        outputs = []
        callbacks.on_predict_begin()
        for _, batches in handler.enumerate_epochs():
            with handler.catch_stop_iteration():
                for step, data in enumerate(batches):
                    callbacks.on_predict_batch_begin(step)
                    out = predict_function(data)
                    outputs.append(out)
                    callbacks.on_predict_batch_end(step, {"outputs": out})
        callbacks.on_predict_end()
        if not outputs:
            raise ValueError("Unexpected result of `predict_function` (Empty batch_outputs). "
                             "Please use `Model.compile(..., run_eagerly=True)`, or "
                             "`tf.config.run_functions_eagerly(True)` for more information of "
                             "where went wrong, or file a issue/bug to `tf.keras`.")
        flat = [nest.flatten(o) for o in outputs]
        cat = [np.concatenate([_np(b[i]) for b in flat]) for i in range(len(flat[0]))]
        return nest.pack_sequence_as(outputs[0], cat)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       reset_metrics: bool = True, return_dict: bool = False):
        """One training step on a single batch; returns its loss and metrics."""
        self._assert_compiled()
        if reset_metrics:
            self.reset_metrics()
        data = self._single_batch(x, y, sample_weight, class_weight)
        logs = callbacks_module.to_python(self.make_train_function()(data))
        return logs if return_dict else flatten_metrics_in_order(logs, self.metrics_names)

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics: bool = True,
                      return_dict: bool = False):
        """Evaluates one batch; returns its loss and metrics."""
        self._assert_compiled()
        if reset_metrics:
            self.reset_metrics()
        data = self._single_batch(x, y, sample_weight, None)
        logs = callbacks_module.to_python(self.make_test_function()(data))
        return logs if return_dict else flatten_metrics_in_order(logs, self.metrics_names)

    def predict_on_batch(self, x):
        """The model's outputs for one batch, as NumPy arrays."""
        out = self.make_predict_function()(self._single_batch(x, None, None, None))
        return nest.map_structure(_np, out)

    def _single_batch(self, x, y, sample_weight, class_weight) -> tuple:
        handler = data_adapter.get_data_handler(x=x, y=y, sample_weight=sample_weight,
                                                batch_size=2**62, class_weight=class_weight,
                                                epochs=1, shuffle=False, model=self)
        for _, batches in handler.enumerate_epochs():
            for data in batches:
                return data
        raise ValueError("Expected a non-empty batch.")


def _np(t):
    return t.numpy() if isinstance(t, Tensor) else np.asarray(t)


# Distinct batch signatures traced per step function before it gives up and runs eagerly (inputs
# whose shapes vary every batch would otherwise pay a trace per batch).
_MAX_TRACES = 8


def _stale(fn, model) -> bool:
    """Whether a step made by `make_*_function` no longer fits the model's `run_eagerly`."""
    eager = getattr(fn, "_nanotf_eager", None)
    return eager is not None and eager != model.run_eagerly


def _step_function(model, step, name: str):
    """`step` (a bound train/test/predict step) as the per-batch callable `fit` & co. call.

    Eager models call `step` directly. Otherwise the step is a `tf.function` (one trace per batch
    signature, replayed as a compiled plan). A step whose trace fails, or that keeps meeting new
    signatures, runs eagerly from then on: eager execution then gives the step's real result or
    error, exactly as `run_eagerly=True` would.
    """
    if model.run_eagerly:
        def eager_step(data):
            return step(data)

        eager_step._nanotf_eager = True
        return eager_step
    traced = function_mod.Function(step, name=name, autograph=False)
    state = {"eager": False}

    def traced_step(data):
        if state["eager"] or function_mod.functions_run_eagerly():
            return step(data)
        count = traced._count
        try:
            out = traced(data)
        except Exception:
            if traced._count == count:  # failed while running a plan: a genuine error
                raise
            state["eager"] = True  # the trace failed: the eager step decides
            return step(data)
        if traced._eager or len(traced._cache) > _MAX_TRACES:
            state["eager"] = True
        return out

    traced_step._nanotf_eager = False
    traced_step.python_function = step
    return traced_step


def _should_eval(epoch: int, freq) -> bool:
    if isinstance(freq, int):
        if freq < 1:
            raise ValueError(f"`validation_freq` can not be smaller than 1. Received: {freq}")
        return (epoch + 1) % freq == 0
    if isinstance(freq, (list, tuple, set, range)):
        return epoch + 1 in freq
    raise ValueError(f"Expected `validation_freq` to be a list or int. Received: "
                     f"validation_freq={freq} of the type {type(freq)}.")

