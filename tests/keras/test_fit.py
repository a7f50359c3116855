"""compile/fit/evaluate/predict, callbacks and the Keras 2 progress output.

The model here is a minimal `Trainer + Layer` stand-in (as `Model(Trainer, Layer)`), so these tests
cover the training loop on its own. TF numbers: TF 2.21 with tf_keras (`TF_USE_LEGACY_KERAS=1`),
a `Dense(3)` with the kernel `K0`, `shuffle=False`, `batch_size=5`.
"""

import csv
import re

import numpy as np
import pytest

import nanotf as tf
import nanotf.keras.callbacks as C
from nanotf._src.keras import losses as L
from nanotf._src.keras import metrics as M
from nanotf._src.keras import optimizers as O
from nanotf._src.keras.layer import Layer
from nanotf._src.keras.trainer import Trainer

X = np.array([[0.417, 0.72, 0.0, 0.302], [0.147, 0.092, 0.186, 0.346],
              [0.397, 0.539, 0.419, 0.685], [0.204, 0.878, 0.027, 0.67],
              [0.417, 0.559, 0.14, 0.198], [0.801, 0.968, 0.313, 0.692],
              [0.876, 0.895, 0.085, 0.039], [0.17, 0.878, 0.098, 0.421],
              [0.958, 0.533, 0.692, 0.316], [0.687, 0.835, 0.018, 0.75],
              [0.989, 0.748, 0.28, 0.789], [0.103, 0.448, 0.909, 0.294],
              [0.288, 0.13, 0.019, 0.679], [0.212, 0.266, 0.492, 0.053],
              [0.574, 0.147, 0.589, 0.7], [0.102, 0.414, 0.694, 0.414],
              [0.05, 0.536, 0.664, 0.515], [0.945, 0.587, 0.903, 0.137],
              [0.139, 0.807, 0.398, 0.165], [0.928, 0.348, 0.751, 0.726]], np.float32)
Y = X[:, :3].argmax(1)
K0 = np.array([[0.143, 0.443, -0.377], [0.626, 0.256, -0.149], [0.244, -0.038, 0.566],
               [0.76, 1.093, -0.698]], np.float32)
SW = np.array([0.41, 0.24, 0.9, 0.57, 0.0, 0.62, 0.33, 0.53, 0.89, 0.36, 0.91, 0.62, 0.02, 0.93,
               0.69, 1.0, 0.17, 0.14, 0.93, 0.7], np.float32)

TF_SGD = {"loss": [1.0946837663650513, 0.9651962518692017, 0.9293517470359802],
          "accuracy": [0.3125, 0.6875, 0.625],
          "val_loss": [1.2062824964523315, 1.330674409866333, 1.3454439640045166],
          "val_accuracy": [0.25, 0.25, 0.25]}
TF_SGD_KERNEL = [[0.2807193398475647, 0.379331111907959, -0.45105037093162537],
                 [0.25519147515296936, 0.5996687412261963, -0.12186025828123093],
                 [-0.006827142089605331, -0.5985528230667114, 1.3773797750473022],
                 [0.6389893293380737, 0.9046005010604858, -0.3885897994041443]]
TF_SGD_EVAL = [0.9436367154121399, 0.6000000238418579]
TF_SGD_EVAL_SW = [0.5050779581069946, 0.6000000238418579]
TF_ADAM = {"loss": [1.0857707262039185, 0.9385395646095276, 0.8709431886672974],
           "accuracy": [0.3125, 0.5625, 0.6875],
           "val_loss": [1.2643719911575317, 1.3023746013641357, 1.3393884897232056],
           "val_accuracy": [0.25, 0.25, 0.25]}
TF_ADAM_KERNEL = [[0.012658420018851757, 0.5065599679946899, -0.35482171177864075],
                  [0.2206801027059555, 0.46189752221107483, -0.09819183498620987],
                  [-0.07006005942821503, -0.30042150616645813, 0.9209319353103638],
                  [0.49529942870140076, 1.088889241218567, -0.38103583455085754]]
TF_CLASS_WEIGHT = {"loss": [1.216564655303955, 1.037654161453247],
                   "accuracy": [0.30000001192092896, 0.44999998807907104]}
TF_SAMPLE_WEIGHT = {"loss": [0.6025164723396301, 0.5517475008964539],
                    "accuracy": [0.30000001192092896, 0.550000011920929],
                    "weighted_accuracy": [0.262773722410202, 0.5282845497131348]}
TF_CCE = {"loss": [7.370051383972168, 9.670857429504395],
          "accuracy": [0.4000000059604645, 0.25], "mse": [1.0217012166976929, 1.3613708019256592]}


class Linear(Trainer, Layer):
    """`x @ kernel + bias` starting from `K0`; records `save_weights` calls."""

    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.saved = []

    def build(self, input_shape):
        self.kernel = self.add_weight("kernel", shape=(input_shape[-1], self.units),
                                      initializer="zeros")
        self.bias = self.add_weight("bias", shape=(self.units,), initializer="zeros")
        if input_shape[-1] == 4 and self.units == 3:
            self.kernel.assign(K0)

    def call(self, x):
        return tf.matmul(x, self.kernel) + self.bias

    def save_weights(self, filepath, overwrite=True):
        self.saved.append(filepath)

    def save(self, filepath, overwrite=True):
        self.saved.append(("model", filepath))


def _model(optimizer=None, loss=None, metrics=("accuracy",), **kwargs):
    m = Linear()
    m.compile(optimizer=optimizer or O.SGD(0.5),
              loss=loss or L.SparseCategoricalCrossentropy(from_logits=True),
              metrics=list(metrics), **kwargs)
    return m


def _close(history, want):
    assert sorted(history) == sorted(want)
    for k, v in want.items():
        np.testing.assert_allclose(history[k], v, rtol=2e-6, err_msg=k)


def _mask(text):
    return re.sub(r"\b\d+(ms|us|s)\b(/(step|epoch))?", "T", text)


# --------------------------------------------------------------------- numbers vs TF


def test_fit_sgd_matches_tf():
    m = _model()
    h = m.fit(X, Y, batch_size=5, epochs=3, shuffle=False, verbose=0, validation_split=0.2)
    _close(h.history, TF_SGD)
    assert all(type(v) is float for vs in h.history.values() for v in vs)
    np.testing.assert_allclose(m.kernel.numpy(), TF_SGD_KERNEL, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(m.evaluate(X, Y, verbose=0), TF_SGD_EVAL, rtol=1e-6)
    np.testing.assert_allclose(m.evaluate(X, Y, sample_weight=SW, verbose=0), TF_SGD_EVAL_SW,
                               rtol=1e-6)
    assert m.metrics_names == ["loss", "accuracy"]


def test_fit_adam_matches_tf():
    m = _model(O.Adam(0.05))
    h = m.fit(X, Y, batch_size=5, epochs=3, shuffle=False, verbose=0, validation_split=0.2)
    _close(h.history, TF_ADAM)
    np.testing.assert_allclose(m.kernel.numpy(), TF_ADAM_KERNEL, rtol=1e-6, atol=1e-7)


def test_class_weight_and_weighted_metrics_match_tf():
    h = _model().fit(X, Y, batch_size=5, epochs=2, shuffle=False, verbose=0,
                     class_weight={0: 1.0, 1: 2.0, 2: 0.5})
    _close(h.history, TF_CLASS_WEIGHT)
    m = _model(weighted_metrics=["accuracy"])
    h = m.fit(X, Y, batch_size=5, epochs=2, shuffle=False, verbose=0, sample_weight=SW)
    _close(h.history, TF_SAMPLE_WEIGHT)
    assert m.metrics_names == ["loss", "accuracy", "weighted_accuracy"]


def test_string_loss_and_metrics_match_tf():
    m = _model(loss="categorical_crossentropy", metrics=["accuracy", "mse"])
    h = m.fit(X, np.eye(3, dtype=np.float32)[Y], batch_size=5, epochs=2, shuffle=False,
              verbose=0)
    _close(h.history, TF_CCE)
    assert m.metrics_names == ["loss", "accuracy", "mse"]


def test_loss_falls_with_shuffled_batches():
    rng = np.random.RandomState(0)
    x = rng.rand(300, 4).astype(np.float64)  # float64 input is converted to float32
    y = x[:, :3].argmax(1)
    m = _model(O.Adam(0.05))
    h = m.fit(x, y, epochs=8, batch_size=32, verbose=0)
    assert h.history["loss"][-1] < 0.8 * h.history["loss"][0]
    assert h.history["accuracy"][-1] > 0.6


# --------------------------------------------------------------------- output format


def test_progress_output_matches_keras2(capsys):
    _model().fit(X, Y, batch_size=5, epochs=3, shuffle=False, verbose=2, validation_split=0.2)
    assert _mask(capsys.readouterr().out) == (
        "Epoch 1/3\n"
        "4/4 - T - loss: 1.0947 - accuracy: 0.3125 - val_loss: 1.2063 - val_accuracy: 0.2500"
        " - T - T\n"
        "Epoch 2/3\n"
        "4/4 - T - loss: 0.9652 - accuracy: 0.6875 - val_loss: 1.3307 - val_accuracy: 0.2500"
        " - T - T\n"
        "Epoch 3/3\n"
        "4/4 - T - loss: 0.9294 - accuracy: 0.6250 - val_loss: 1.3454 - val_accuracy: 0.2500"
        " - T - T\n")
    m = _model()
    m.fit(X, Y, batch_size=5, epochs=1, shuffle=False, verbose=1)
    out = capsys.readouterr().out
    assert "\r" not in out and "\x1b" not in out and "\b" not in out
    assert _mask(out) == ("4/4 [==============================] - T T - loss: 1.0972 - "
                          "accuracy: 0.3000\n")
    m.evaluate(X, Y, verbose=2)
    assert re.fullmatch(r"1/1 - 0s - loss: \d\.\d{4} - accuracy: \d\.\d{4} - \d+m?s/epoch - "
                        r"\d+m?s/step\n", capsys.readouterr().out.replace("us/", "ms/"))
    m.predict(X, verbose=1)
    assert _mask(capsys.readouterr().out) == "1/1 [==============================] - T T\n"
    m.fit(X, Y, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""


# --------------------------------------------------------------------- evaluate / predict


def test_evaluate_predict_and_on_batch():
    m = _model(metrics=["accuracy"])
    assert m.metrics_names == []
    loss, acc = m.evaluate(X, Y, verbose=0)
    assert m.evaluate(X, Y, verbose=0, return_dict=True) == {"loss": loss, "accuracy": acc}
    only = _model(metrics=[])
    assert isinstance(only.evaluate(X, Y, verbose=0), float)
    p = m.predict(X, batch_size=6, verbose=0)
    assert isinstance(p, np.ndarray) and p.shape == (20, 3) and p.dtype == np.float32
    np.testing.assert_allclose(p, X @ K0, rtol=1e-5, atol=1e-6)
    out = m.train_on_batch(X[:5], Y[:5])
    assert len(out) == 2 and all(isinstance(v, float) for v in out)
    assert set(m.test_on_batch(X[:5], Y[:5], return_dict=True)) == {"loss", "accuracy"}
    assert m.predict_on_batch(X[:2]).shape == (2, 3)


def test_dataset_and_generator_inputs():
    from nanotf._src.data.dataset import DatasetV2

    ds = DatasetV2.from_tensor_slices((X, Y)).batch(5)
    m = _model()
    h = m.fit(ds, epochs=2, verbose=0, validation_data=ds, validation_freq=2)
    assert list(h.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert len(h.history["loss"]) == 2 and len(h.history["val_loss"]) == 1
    assert len(m.evaluate(ds, verbose=0)) == 2

    def gen():
        while True:
            for i in range(0, 20, 5):
                yield X[i:i + 5], Y[i:i + 5]

    h = _model().fit(gen(), steps_per_epoch=4, epochs=2, verbose=0)
    assert len(h.history["loss"]) == 2

    class Batches:  # a keras.utils.Sequence
        ends = 0

        def __len__(self):
            return 4

        def __getitem__(self, i):
            return X[i * 5:(i + 1) * 5], Y[i * 5:(i + 1) * 5]

        def on_epoch_end(self):
            self.ends += 1

    seq = Batches()
    rec = Recorder()
    _model().fit(seq, epochs=2, verbose=0, callbacks=[rec])
    assert seq.ends == 2 and rec.events.count("batch_end 3") == 2
    with pytest.raises(ValueError, match="`batch_size` argument must not be specified"):
        _model().fit(ds, batch_size=4, verbose=0)


def test_custom_train_step_and_manual_loop():
    class Custom(Linear):
        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                loss = self.compiled_loss(y, self(x, training=True))
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
            return {"my_loss": loss}

    m = Custom()
    m.compile(optimizer="sgd", loss=L.SparseCategoricalCrossentropy(from_logits=True))
    h = m.fit(X, Y, batch_size=5, epochs=2, verbose=0)
    assert list(h.history) == ["my_loss"]

    # seed 003: a GradientTape loop with a Mean metric and reset_states
    model, opt, avg = Linear(), O.SGD(learning_rate=0.1), M.Mean()
    loss_cal = L.SparseCategoricalCrossentropy(from_logits=True)
    model(X[:1])
    for step in range(4):
        xb, yb = X[step * 5:(step + 1) * 5], Y[step * 5:(step + 1) * 5]
        with tf.GradientTape() as tape:
            loss = loss_cal(yb, model(xb))
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        avg.update_state(loss)
    assert float(avg.result()) > 0 and int(opt.iterations.numpy()) == 4
    avg.reset_states()
    assert float(avg.result()) == 0.0


def test_multi_output_losses_and_metrics():
    class TwoHeads(Trainer, Layer):
        output_names = ["a", "b"]

        def __init__(self):
            super().__init__()
            self.h1, self.h2 = Linear(), Linear(units=1)

        def call(self, x):
            return [self.h1(x), self.h2(x)]

    m = TwoHeads()
    m.compile(optimizer="adam",
              loss={"a": L.SparseCategoricalCrossentropy(from_logits=True), "b": "mse"},
              loss_weights={"a": 1.0, "b": 0.5}, metrics={"a": ["accuracy"]})
    h = m.fit(X, [Y, X[:, 0]], epochs=1, batch_size=5, verbose=0)
    assert list(h.history) == ["loss", "a_loss", "b_loss", "a_accuracy"]
    np.testing.assert_allclose(h.history["loss"][0],
                               h.history["a_loss"][0] + 0.5 * h.history["b_loss"][0], rtol=1e-5)
    a, b = m.predict(X, verbose=0)
    assert a.shape == (20, 3) and b.shape == (20, 1)


# --------------------------------------------------------------------- callbacks


class Recorder(C.Callback):
    def __init__(self):
        super().__init__()
        self.events = []

    def on_train_begin(self, logs=None):
        self.events.append("train_begin")

    def on_epoch_begin(self, epoch, logs=None):
        self.events.append(f"epoch_begin {epoch}")

    def on_train_batch_begin(self, batch, logs=None):
        self.events.append(f"batch_begin {batch}")

    def on_train_batch_end(self, batch, logs=None):
        assert type(logs["loss"]) is float
        self.events.append(f"batch_end {batch}")

    def on_test_begin(self, logs=None):
        self.events.append("test_begin")

    def on_test_end(self, logs=None):
        self.events.append("test_end")

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(f"epoch_end {epoch} {sorted(logs)}")

    def on_train_end(self, logs=None):
        self.events.append("train_end")


def test_callback_order_and_params():
    rec = Recorder()
    m = _model()
    m.fit(X, Y, batch_size=10, epochs=2, verbose=0, validation_data=(X[:5], Y[:5]),
          callbacks=[rec])
    keys = "['accuracy', 'loss', 'val_accuracy', 'val_loss']"
    assert rec.events == [
        "train_begin",
        "epoch_begin 0", "batch_begin 0", "batch_end 0", "batch_begin 1", "batch_end 1",
        "test_begin", "test_end", f"epoch_end 0 {keys}",
        "epoch_begin 1", "batch_begin 0", "batch_end 0", "batch_begin 1", "batch_end 1",
        "test_begin", "test_end", f"epoch_end 1 {keys}",
        "train_end"]
    assert rec.params == {"verbose": 0, "epochs": 2, "steps": 2}
    assert rec.model is m and m.history.epoch == [0, 1]


def test_terminate_on_nan_reports_the_batch(capsys):
    x = X.copy()
    x[12, 0] = np.nan
    m = _model()
    h = m.fit(x, Y, batch_size=4, epochs=3, verbose=0, shuffle=False,
              callbacks=[C.TerminateOnNaN()])
    assert capsys.readouterr().out == "Batch 3: Invalid loss, terminating training\n"
    assert len(h.history["loss"]) == 1 and np.isnan(h.history["loss"][0])


def test_early_stopping_restores_best_weights(capsys):
    m = _model(O.SGD(5.0))
    es = C.EarlyStopping(monitor="loss", patience=1, restore_best_weights=True, verbose=1)
    seen = []
    track = C.LambdaCallback(on_epoch_end=lambda e, logs: seen.append(
        (logs["loss"], [w.copy() for w in m.get_weights()])))
    h = m.fit(X, Y, batch_size=20, epochs=30, verbose=0, callbacks=[track, es])
    epochs = len(h.history["loss"])
    assert epochs < 30
    best = int(np.argmin(h.history["loss"]))
    for got, want in zip(m.get_weights(), seen[best][1]):
        np.testing.assert_array_equal(got, want)
    out = capsys.readouterr().out
    assert f"Epoch {epochs}: early stopping" in out
    assert f"Restoring model weights from the end of the best epoch: {best + 1}." in out


def test_model_checkpoint_names_and_best_only(tmp_path, capsys):
    m = _model()
    path = str(tmp_path / "ckpt-{epoch:02d}-{loss:.2f}.ckpt")
    m.fit(X, Y, epochs=3, verbose=0, callbacks=[C.ModelCheckpoint(path, save_weights_only=True)])
    assert len(m.saved) == 3
    assert all(re.fullmatch(rf".*ckpt-0{i + 1}-\d\.\d\d\.ckpt", p) for i, p in enumerate(m.saved))
    m.saved.clear()
    cb = C.ModelCheckpoint(str(tmp_path / "best.keras"), monitor="val_accuracy",
                           save_best_only=True, verbose=1)
    m.fit(X, Y, epochs=2, verbose=0, validation_data=(X, Y), callbacks=[cb])
    assert m.saved[0] == ("model", str(tmp_path / "best.keras"))
    assert "val_accuracy improved from -inf to" in capsys.readouterr().out


def test_learning_rate_callbacks(tmp_path):
    m = _model(O.SGD(0.5))
    sched = C.LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    h = m.fit(X, Y, epochs=3, verbose=0, callbacks=[sched])
    assert [float(v) for v in h.history["lr"]] == [0.25, 0.125, 0.0625]
    assert type(h.history["lr"][0]) is np.float32
    m = _model(O.SGD(0.5))
    plateau = C.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=10.0)
    h = m.fit(X, Y, epochs=3, verbose=0, callbacks=[plateau])
    # the logged rate is the one the epoch ran with; the cut applies from the next epoch
    assert [float(v) for v in h.history["lr"]] == [0.5, 0.5, 0.25]
    assert float(m.optimizer.lr.numpy()) == 0.125
    log = tmp_path / "log.csv"
    _model().fit(X, Y, epochs=2, verbose=0, callbacks=[C.CSVLogger(str(log))])
    rows = list(csv.reader(log.open()))
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert len(rows) == 3 and rows[2][0] == "1" and rows[2][3:] == ["NA", "NA"]
    with pytest.raises(ValueError, match="factor >= 1.0"):
        C.ReduceLROnPlateau(factor=1.5)


# --------------------------------------------------------------------- errors


def test_compile_rejects_unknown_keyword_with_hint():
    m = Linear()
    with pytest.raises(TypeError, match=r"metrix.*Did you mean `metrics`"):
        m.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrix=["accuracy"])


def test_bad_input_fails_before_training(capsys):
    m = _model()
    with pytest.raises(ValueError, match=r"Data cardinality is ambiguous:\n  x sizes: 20\n"
                                         r"  y sizes: 15"):
        m.fit(X, Y[:15])
    assert capsys.readouterr().out == ""
    with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy: labels of shape "
                                         r"\(5, 3\) do not fit predictions of shape \(5, 3\)"):
        m.fit(X, np.eye(3, dtype=np.float32)[Y], batch_size=5, verbose=0)
    with pytest.raises(ValueError, match="not sufficient to split"):
        m.fit(X[:1], Y[:1], validation_split=0.5, verbose=0)
    with pytest.raises(RuntimeError, match="You must compile your model"):
        Linear().evaluate(X, Y)
    bare = Linear()
    bare.compile(optimizer="sgd")
    with pytest.raises(ValueError, match="No loss found"):
        bare.fit(X, Y, verbose=0)


def test_metrics_resolution_by_shape():
    m = _model(loss="binary_crossentropy", metrics=["acc"])
    yb = (X[:, :1] > 0.5).astype(np.float32)
    lin = Linear(units=1)
    lin.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["acc"])
    lin.fit(X, yb, verbose=0)
    assert lin.metrics_names == ["loss", "acc"]
    assert lin.compiled_metrics.metrics[0]._fn is M.binary_accuracy
    m.fit(X, np.eye(3, dtype=np.float32)[Y], verbose=0)
    assert m.compiled_metrics.metrics[0]._fn is M.categorical_accuracy
    s = _model()
    s.fit(X, Y, verbose=0)
    assert s.compiled_metrics.metrics[0]._fn is M.sparse_categorical_accuracy
