"""tf.keras.callbacks.TensorBoard: the files, tags and steps tf_keras 2.21 writes.

The layouts and the weight histogram/image numbers below were taken from real tf_keras
(TF_USE_LEGACY_KERAS=1): a Dense(4) -> Dense(1) model, 2 epochs of 4 batches with validation,
`histogram_freq=1, write_images=True, update_freq='batch'`, `verbose=1`. Files are read back
with tensorboard's own EventAccumulator (skipped when tensorboard is not installed).
"""

from __future__ import annotations

import glob
import json
import os

import numpy as np
import pytest

import nanotf as tf
from nanotf._src import events as ev

callbacks = pytest.importorskip("nanotf._src.keras.callbacks",
                                reason="the Keras callbacks module is not available yet")
from nanotf._src.keras.optimizer_schedules import ExponentialDecay  # noqa: E402
from nanotf._src.keras.optimizers import SGD  # noqa: E402
from nanotf._src.keras.tensorboard import TensorBoard  # noqa: E402

EPOCHS = [0, 1]
BATCHES = list(range(1, 9))
WEIGHT_TAGS = ["dense/kernel_0/histogram", "dense/kernel_0/image", "dense/bias_0/histogram",
               "dense/bias_0/image", "dense_1/kernel_0/histogram", "dense_1/kernel_0/image",
               "dense_1/bias_0/histogram"]  # a (1,) bias squeezes to a scalar: no image
TF_TRAIN_LAYOUT = {"keras": [0], "batch_loss": BATCHES, "batch_accuracy": BATCHES,
                   "epoch_loss": EPOCHS, "epoch_accuracy": EPOCHS,
                   **{t: EPOCHS for t in WEIGHT_TAGS}}
TF_VAL_LAYOUT = {"evaluation_loss_vs_iterations": [4, 8],
                 "evaluation_accuracy_vs_iterations": [4, 8],
                 "epoch_loss": EPOCHS, "epoch_accuracy": EPOCHS}
PLUGINS = {"keras": "graph_keras_model", "batch_loss": "scalars", "epoch_loss": "scalars",
           "dense/kernel_0/histogram": "histograms", "dense/kernel_0/image": "images"}

# tf_keras's _log_weights(3) for these weights: (bucket counts, first/last bucket rows) per
# histogram; ([width, height], pixels) per image.
WEIGHTS = [np.linspace(-1, 1.5, 12).reshape(3, 4), np.array([0.1, 0.2, 0.3, 0.9]),
           np.array([[0.5], [-0.25], [0.75], [1.0]]), np.array([0.3])]
TF_HISTOGRAMS = {
    "dense/kernel_0/histogram": ([1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0,
                                  1, 0, 0, 1, 0, 0, 1, 0, 1],
                                 [[-1.0, -0.9166666666666666, 1.0],
                                  [1.4166666666666665, 1.5, 1.0]]),
    "dense/bias_0/histogram": ([1, 0, 0, 1, 0, 0, 0, 1] + [0] * 21 + [1],
                               [[0.10000000149011612, 0.12666666731238366, 1.0],
                                [0.8733333103358745, 0.8999999761581421, 1.0]]),
    "dense_1/kernel_0/histogram": ([1] + [0] * 17 + [1] + [0] * 5 + [1] + [0] * 4 + [1],
                                   [[-0.25, -0.20833333333333334, 1.0],
                                    [0.9583333333333333, 1.0, 1.0]]),
    "dense_1/bias_0/histogram": ([0] * 29 + [1], [[0.30000001192092896, 0.30000001192092896, 0.0],
                                                  [0.30000001192092896, 0.30000001192092896,
                                                   1.0]]),
}
TF_IMAGES = {
    "dense/kernel_0/image": ([b"4", b"3"], [[0, 0, 0, 0], [0, 34, 92, 150], [209, 255, 255, 255]]),
    "dense/bias_0/image": ([b"1", b"4"], [[25], [51], [76], [229]]),
    "dense_1/kernel_0/image": ([b"1", b"4"], [[127], [0], [191], [255]]),
}


def _accumulate(logdir):
    pea = pytest.importorskip(
        "tensorboard.backend.event_processing.plugin_event_accumulator",
        reason="tensorboard is not installed")
    acc = pea.EventAccumulator(str(logdir), size_guidance={pea.TENSORS: 0, pea.GRAPH: 0})
    acc.Reload()
    return acc


def _layout(acc) -> dict:
    return {tag: [e.step for e in acc.Tensors(tag)] for tag in acc.Tags()["tensors"]}


def _values(acc, tag) -> list:
    from tensorboard.util import tensor_util

    return [tensor_util.make_ndarray(e.tensor_proto) for e in acc.Tensors(tag)]


# ----------------------------------------------------------------- a model stand-in


class _Layer:
    def __init__(self, name, weights):
        self.weights = [tf.Variable(np.asarray(w, np.float32), name=f"{name}/{n}")
                        for n, w in weights]


class Sequential:
    """Just what the callback reads from a Keras model; the name makes it 'Sequential'."""

    def __init__(self, learning_rate=0.1):
        self.layers = [_Layer("dense", [("kernel", WEIGHTS[0]), ("bias", WEIGHTS[1])]),
                       _Layer("dense_1", [("kernel", WEIGHTS[2]), ("bias", WEIGHTS[3])])]
        self.optimizer = SGD(learning_rate)
        self._train_counter = tf.Variable(0, dtype=tf.int64)
        self._test_counter = tf.Variable(0, dtype=tf.int64)
        self.train_function = None

    def to_json(self):
        return json.dumps({"class_name": "Sequential", "config": {"name": "sequential"}})


class _NeedsBatchHooks(callbacks.Callback):
    """Stands in for the verbose=1 progress bar, which makes Keras call batch hooks."""

    def on_train_batch_end(self, batch, logs=None):
        pass


def _fit(model, cbs, epochs=2, steps=4, validation=True):
    """The callback calls of Keras's fit loop, with made-up running metrics."""
    cl = callbacks.CallbackList(cbs, model=model, verbose=1, epochs=epochs, steps=steps)
    history = []
    model._train_counter.assign(0)
    cl.on_train_begin()
    for epoch in range(epochs):
        cl.on_epoch_begin(epoch)
        for b in range(steps):
            cl.on_train_batch_begin(b)
            if model.train_function is not None:
                model.train_function(tf.constant([1.0, float(b)]))
            model._train_counter.assign_add(1)
            model.optimizer.iterations.assign_add(1)
            logs = {"loss": 1.0 / (epoch * steps + b + 1), "accuracy": 0.125 * b}
            cl.on_train_batch_end(b, logs)
        logs = dict(logs)
        if validation:
            model._test_counter.assign(0)
            cl.on_test_begin()
            val = {"loss": 0.75 - 0.125 * epoch, "accuracy": 0.5}
            cl.on_test_end(val)
            logs.update({"val_" + k: v for k, v in val.items()})
        cl.on_epoch_end(epoch, logs)
        history.append(logs)
    cl.on_train_end()
    return history


# ----------------------------------------------------------------- tests


def test_layout_tags_steps_and_values_match_tf_keras(tmp_path):
    tb = TensorBoard(str(tmp_path), histogram_freq=1, write_images=True, update_freq="batch")
    history = _fit(Sequential(), [tb, _NeedsBatchHooks()])
    assert sorted(os.listdir(tmp_path)) == ["train", "validation"]
    train, val = _accumulate(tmp_path / "train"), _accumulate(tmp_path / "validation")
    assert _layout(train) == TF_TRAIN_LAYOUT
    assert _layout(val) == TF_VAL_LAYOUT
    for tag, plugin in PLUGINS.items():
        assert train.SummaryMetadata(tag).plugin_data.plugin_name == plugin
    assert train.SummaryMetadata("keras").plugin_data.content == b"1"
    config = json.loads(_values(train, "keras")[0].ravel()[0])
    assert config["class_name"] == "Sequential"
    np.testing.assert_allclose([float(v) for v in _values(train, "epoch_loss")],
                               [h["loss"] for h in history], rtol=1e-7)
    np.testing.assert_allclose([float(v) for v in _values(val, "epoch_loss")],
                               [h["val_loss"] for h in history], rtol=1e-7)
    np.testing.assert_allclose([float(v) for v in _values(train, "batch_loss")],
                               [1.0 / s for s in BATCHES], rtol=1e-7)
    assert _values(train, "dense/kernel_0/histogram")[0].shape == (30, 3)


def test_weight_histograms_and_images_match_tf_keras(tmp_path):
    tb = TensorBoard(str(tmp_path), histogram_freq=1, write_images=True, write_graph=False)
    tb.set_model(Sequential())
    tb._log_weights(3)
    tb._close_writers()
    (path,) = glob.glob(str(tmp_path / "train" / "events.out.tfevents.*"))
    seen = {}
    for e in ev.read_events(path):
        for v in e["values"]:
            assert e["step"] == 3
            seen[v["tag"]] = v["tensor"]
    assert list(seen) == WEIGHT_TAGS
    for tag, (counts, ends) in TF_HISTOGRAMS.items():
        assert seen[tag][:, 2].tolist() == counts
        assert seen[tag][[0, -1]].tolist() == ends
    for tag, (dims, pixels) in TF_IMAGES.items():
        assert seen[tag][:2].tolist() == dims
        assert ev.decode_png(seen[tag][2])[..., 0].tolist() == pixels


def test_update_freq_int_and_learning_rate_schedule(tmp_path):
    model = Sequential(ExponentialDecay(0.1, 2, 0.5))
    _fit(model, [TensorBoard(str(tmp_path), update_freq=3), _NeedsBatchHooks()])
    train = _accumulate(tmp_path / "train")
    layout = _layout(train)
    assert layout["batch_loss"] == [3, 6] and layout["batch_accuracy"] == [3, 6]
    # tf_keras: the schedule at optimizer.iterations (4, then 8) after each epoch.
    assert layout["epoch_learning_rate"] == EPOCHS
    np.testing.assert_allclose([float(v) for v in _values(train, "epoch_learning_rate")],
                               [0.02500000037252903, 0.0062500000931322575], rtol=1e-7)
    assert list(layout)[:6] == ["keras", "batch_loss", "batch_accuracy", "epoch_loss",
                                "epoch_accuracy", "epoch_learning_rate"]


def test_epoch_only_and_no_batch_hooks_write_no_batch_scalars(tmp_path):
    # update_freq='epoch': no batch scalars; with 'batch' but nothing asking for batch hooks
    # (verbose=0 in tf_keras), none either, and no train graph.
    _fit(Sequential(), [TensorBoard(str(tmp_path / "a"))])
    _fit(Sequential(), [TensorBoard(str(tmp_path / "b"), update_freq="batch")])
    for sub in ("a", "b"):
        layout = _layout(_accumulate(tmp_path / sub / "train"))
        assert list(layout) == ["keras", "epoch_loss", "epoch_accuracy"]


def test_train_graph_and_profile_batch_trace(tmp_path):
    function = getattr(tf, "function", None)
    if function is None:
        from nanotf._src.function import function
    model = Sequential()
    model.train_function = function(lambda x: tf.reduce_sum(x * 2.0))
    tb = TensorBoard(str(tmp_path), profile_batch=2)
    _fit(model, [tb], validation=False)
    train = _accumulate(tmp_path / "train")
    assert train.Tags()["graph"]  # the train step graph, after the first batch
    assert [n.op for n in train.Graph().node if n.op != "Const"][-1] == "Sum"
    events = [e for p in glob.glob(str(tmp_path / "train" / "events.*"))
              for e in ev.read_events(p)]
    traced = [(e["step"], v) for e in events for v in e["values"]
              if v["plugin_name"] == "graph_run_metadata_graph"]
    ((step, value),) = traced
    assert (step, value["tag"]) == (2, "batch_2")
    (gd,) = ev.parse_run_metadata(value["tensor"].item())
    assert "Mul" in {n["op"] for n in ev.parse_graph_def(gd)["nodes"]}


def test_each_fit_gets_new_files_and_bad_arguments(tmp_path):
    tb = TensorBoard(str(tmp_path))
    model = Sequential()
    _fit(model, [tb], epochs=1)
    _fit(model, [tb], epochs=1)
    assert len(glob.glob(str(tmp_path / "train" / "events.*"))) == 2
    assert len(glob.glob(str(tmp_path / "validation" / "events.*"))) == 2
    with pytest.raises(ValueError, match="Unrecognized arguments"):
        TensorBoard(str(tmp_path), not_an_arg=1)
    with pytest.raises(ValueError, match="profile_batch must be"):
        TensorBoard(str(tmp_path), profile_batch=(5, 2))
    assert TensorBoard(str(tmp_path), profile_batch="3,4")._stop_batch == 4


def _public_or_src(public: str, module: str, name: str):
    """tf.keras.<public>, or nanotf's own class before the facade exports it (else skip)."""
    obj = tf
    try:
        for part in public.split("."):
            obj = getattr(obj, part)
        return obj
    except AttributeError:
        import importlib

        try:
            return getattr(importlib.import_module(f"nanotf._src.keras.{module}"), name)
        except (ImportError, AttributeError):
            pytest.skip(f"tf.{public} is not available yet")


def test_real_fit_with_callback(tmp_path):
    sequential = _public_or_src("keras.Sequential", "sequential", "Sequential")
    dense = _public_or_src("keras.layers.Dense", "layers.core", "Dense")
    sgd = _public_or_src("keras.optimizers.SGD", "optimizers", "SGD")
    tensorboard = _public_or_src("keras.callbacks.TensorBoard", "tensorboard", "TensorBoard")
    import nanotf

    nanotf.keras.backend.clear_session()  # layer names restart at `dense`, as in a fresh process
    rng = np.random.default_rng(0)
    x = rng.random((40, 3)).astype("float32")
    y = (x.sum(1) > 1.5).astype("float32")
    model = sequential([dense(4, activation="relu", input_shape=(3,)),
                        dense(1, activation="sigmoid")])
    model.compile(sgd(0.1), "binary_crossentropy", metrics=["accuracy"])
    tb = tensorboard(str(tmp_path), histogram_freq=1, write_images=True, update_freq="batch")
    hist = model.fit(x, y, batch_size=10, epochs=2, validation_data=(x[:20], y[:20]),
                     verbose=1, callbacks=[tb])
    train, val = _accumulate(tmp_path / "train"), _accumulate(tmp_path / "validation")
    layout = _layout(train)
    layout.pop("__run_graph__", None)  # present when fit runs a traced train function
    assert layout == TF_TRAIN_LAYOUT
    assert _layout(val) == TF_VAL_LAYOUT
    np.testing.assert_allclose([float(v) for v in _values(train, "epoch_loss")],
                               hist.history["loss"], rtol=1e-6)
    np.testing.assert_allclose([float(v) for v in _values(val, "epoch_accuracy")],
                               hist.history["val_accuracy"], rtol=1e-6)
    batch_loss = [float(v) for v in _values(train, "batch_loss")]
    np.testing.assert_allclose(batch_loss[3::4], hist.history["loss"], rtol=1e-6)
