"""`evaluate` in chunks of batches (row-wise models): the same logs, batch by batch, as the
ordinary per-batch loop (to the last bits of the BLAS products, whose rounding depends on the
block shape), and the ordinary loop wherever rows could interact."""

import numpy as np
import pytest

import nanotf as tf
from nanotf._src.keras import eval_chunks

keras = tf.keras
RNG = np.random.RandomState(3)
N = 2600  # three chunks of 1,024 rows at batch 32, the last batch partial (2600 = 81 * 32 + 8)


class _Logs(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_test_batch_end(self, batch, logs=None):
        self.seen.append((batch, {k: float(v) for k, v in logs.items()}))


def _both(model, x, y, monkeypatch, **kw):
    """evaluate's logs per batch and result, chunked and then per batch."""
    out = []
    for chunked in (True, False):
        if not chunked:
            monkeypatch.setattr(eval_chunks, "runner", lambda *a: None)
        cb = _Logs()
        res = model.evaluate(x, y, verbose=0, callbacks=[cb], **kw)
        out.append((cb.seen, res))
    monkeypatch.undo()
    return out


def _mlp(loss, out_act=None, metrics=("accuracy",)):
    keras.utils.set_random_seed(1)
    m = keras.Sequential([keras.layers.Flatten(input_shape=(6, 5)),
                          keras.layers.Dense(16, activation="relu"), keras.layers.Dropout(0.3),
                          keras.layers.Dense(4, activation=out_act)])
    m.compile(optimizer="adam", loss=loss, metrics=list(metrics))
    return m


def _same_logs(a, b):
    assert len(a) == len(b)
    for (i, la), (j, lb) in zip(a, b):
        assert i == j and la.keys() == lb.keys()
        for k in la:
            assert la[k] == pytest.approx(lb[k], rel=1e-6, abs=1e-7), (i, k)


@pytest.mark.parametrize("case", ["sparse_logits", "softmax_categorical", "mse"])
def test_chunked_evaluate_matches_per_batch(case, monkeypatch):
    x = RNG.rand(N, 6, 5).astype(np.float32)
    labels = RNG.randint(0, 4, N)
    if case == "sparse_logits":
        m, y = _mlp(keras.losses.SparseCategoricalCrossentropy(from_logits=True)), labels
    elif case == "softmax_categorical":
        m = _mlp("categorical_crossentropy", "softmax", ("accuracy", "categorical_accuracy"))
        y = np.eye(4, dtype=np.float32)[labels]
    else:
        m, y = _mlp("mse", metrics=("mae",)), RNG.rand(N, 4).astype(np.float32)
    assert eval_chunks.runner(m, _handler(x, y), m.make_test_function()) is not None
    (chunked, rc), (plain, rp) = _both(m, x, y, monkeypatch)
    assert len(chunked) == 82
    _same_logs(chunked, plain)
    assert rc == pytest.approx(rp, rel=1e-6)


def test_chunked_evaluate_cnn_with_regularizer_and_batch_size(monkeypatch):
    keras.utils.set_random_seed(2)
    m = keras.Sequential([
        keras.layers.Conv2D(4, 3, activation="relu", input_shape=(8, 8, 1),
                            kernel_regularizer=keras.regularizers.l2(0.01)),
        keras.layers.MaxPooling2D(2), keras.layers.BatchNormalization(), keras.layers.Flatten(),
        keras.layers.Dense(3)])
    m.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True), ["accuracy"])
    x = RNG.rand(700, 8, 8, 1).astype(np.float32)
    y = RNG.randint(0, 3, 700)
    (chunked, rc), (plain, rp) = _both(m, x, y, monkeypatch, batch_size=50)
    assert len(chunked) == 14
    _same_logs(chunked, plain)
    assert rc == pytest.approx(rp, rel=1e-6)


def _handler(x, y, **kw):
    from nanotf._src.keras import data_adapter

    return data_adapter.get_data_handler(x=x, y=y, epochs=1, shuffle=False, **kw)


def test_models_whose_rows_may_interact_take_the_per_batch_loop():
    x = RNG.rand(64, 6, 5).astype(np.float32)
    y = RNG.randint(0, 4, 64)
    centred = keras.Sequential([keras.layers.Flatten(input_shape=(6, 5)),
                                keras.layers.Lambda(lambda t: t - tf.reduce_mean(t, 0)),
                                keras.layers.Dense(4)])
    batch_act = keras.Sequential([keras.layers.Flatten(input_shape=(6, 5)),
                                  keras.layers.Dense(4, activation=lambda t: t / tf.reduce_sum(t))])
    inp = keras.Input((6, 5))
    op = keras.Model(inp, keras.layers.Dense(4)(keras.layers.Flatten()(inp)) - 1.0)

    class Sub(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = keras.layers.Dense(4)

        def call(self, t):
            return self.d(tf.reshape(t, [-1, 30]))

    inp = keras.Input((6, 5))
    noisy = keras.Model(inp, keras.layers.Dense(4)(keras.layers.Dropout(0.5)(
        keras.layers.Flatten()(inp), training=True)))
    over_batch = keras.Sequential([keras.layers.Flatten(input_shape=(6, 5)),
                                   keras.layers.Dense(4), keras.layers.Softmax(axis=0)])
    for m in (centred, batch_act, op, Sub(), noisy, over_batch):
        m.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        assert eval_chunks.runner(m, _handler(x, y), m.make_test_function()) is None, m

    def my_loss(yt, yp):  # may reduce over the batch
        return tf.reduce_mean(tf.square(yp))

    m = _mlp(my_loss)
    assert eval_chunks.runner(m, _handler(x, y), m.make_test_function()) is None
    m = _mlp(keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    h = m.make_test_function()
    assert eval_chunks.runner(m, _handler(x, y), h) is not None
    assert eval_chunks.runner(m, _handler(x, y, sample_weight=np.ones(64)), h) is None
    assert eval_chunks.runner(m, _handler(x, y, steps_per_epoch=1), h) is None
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)
    assert eval_chunks.runner(m, _handler(ds, None), h) is None
    m.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              run_eagerly=True)
    assert eval_chunks.runner(m, _handler(x, y), m.make_test_function()) is None


def test_a_custom_test_step_is_honoured():
    class Custom(keras.Sequential):
        def test_step(self, data):
            return {"answer": tf.constant(42.0)}

    m = Custom([keras.layers.Flatten(input_shape=(6, 5)), keras.layers.Dense(4)])
    m.compile("sgd", "mse")
    x = RNG.rand(40, 6, 5).astype(np.float32)
    assert m.evaluate(x, RNG.rand(40, 4).astype(np.float32), verbose=0, return_dict=True) == {
        "answer": 42.0}


def _functional():
    keras.utils.set_random_seed(4)
    inner = keras.Sequential([keras.layers.Dense(8, activation="tanh", input_shape=(30,))])
    inp = keras.Input((6, 5))
    out = keras.layers.Dense(3, activation="softmax")(inner(keras.layers.Flatten()(inp)))
    m = keras.Model(inp, out)
    m.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])
    return m


def test_functional_and_nested_models_and_fit_validation(monkeypatch):
    x = RNG.rand(1500, 6, 5).astype(np.float32)
    y = RNG.randint(0, 3, 1500)
    m = _functional()
    assert eval_chunks.runner(m, _handler(x, y), m.make_test_function()) is not None
    (chunked, rc), (plain, rp) = _both(m, x, y, monkeypatch)
    _same_logs(chunked, plain)
    assert rc == pytest.approx(rp, rel=1e-6)
    # fit's validation runs evaluate: the same validation logs either way
    fits = []
    for chunked in (True, False):
        if not chunked:
            monkeypatch.setattr(eval_chunks, "runner", lambda *a: None)
        fits.append(_functional().fit(x, y, epochs=2, verbose=0, shuffle=False,
                                      validation_data=(x[:600], y[:600])).history)
    assert fits[0].keys() == fits[1].keys() and "val_accuracy" in fits[0]
    for k in fits[0]:
        assert fits[0][k] == pytest.approx(fits[1][k], rel=1e-5), k


class _StateReader(_Logs):
    """Also reads every metric's variables in each batch's callback."""

    def on_test_batch_end(self, batch, logs=None):
        super().on_test_batch_end(batch, logs)
        self.seen.append(tuple(float(v.numpy()) for m in self.model.metrics
                               for v in m.variables))


@pytest.mark.parametrize("case", ["sparse_logits", "softmax_categorical", "mse", "binary"])
def test_batch_summaries_equal_the_per_batch_step_bit_for_bit(case, monkeypatch):
    """Within chunked evaluate, whole batches' metric updates are computed together: the logs,
    the metric variables seen by callbacks and the results keep every bit."""
    x = RNG.rand(N, 6, 5).astype(np.float32)
    labels = RNG.randint(0, 4, N)
    if case == "sparse_logits":
        m = _mlp(keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                 metrics=("accuracy", keras.metrics.SparseTopKCategoricalAccuracy(k=2)))
        y = labels
    elif case == "softmax_categorical":
        m = _mlp("categorical_crossentropy", "softmax", ("accuracy", "categorical_accuracy",
                                                         "top_k_categorical_accuracy"))
        y = np.eye(4, dtype=np.float32)[labels]
    elif case == "mse":
        m, y = _mlp("mse", metrics=("mae", "mse", "cosine_similarity")), RNG.rand(N, 4)
    else:
        m = _mlp("binary_crossentropy", "sigmoid", ("accuracy", keras.metrics.BinaryAccuracy()))
        y = (RNG.rand(N, 4) > 0.5).astype(np.float32)
    runs = []
    for summarise in (True, False):
        if not summarise:
            monkeypatch.setattr(eval_chunks._Steps, "summarise", lambda self: False)
        cb = _StateReader()
        res = m.evaluate(x, y, verbose=0, callbacks=[cb], batch_size=32)
        quiet = m.evaluate(x, y, verbose=0)  # no batch hooks: only the last state is kept
        runs.append((cb.seen, res, quiet,
                     [float(v.numpy()) for mm in m.metrics for v in mm.variables]))
    monkeypatch.undo()
    assert len(runs[0][0]) == 2 * 82
    assert runs[0] == runs[1]
    steps = m.make_test_function()._nanotf_chunk_steps
    assert steps.summary is True


def test_batch_summaries_step_aside_for_other_metrics_and_losses():
    x = RNG.rand(300, 6, 5).astype(np.float32)
    y = RNG.randint(0, 4, 300)
    sparse = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def own(yt, yp):
        return tf.reduce_mean(yp, -1)

    class Counting(keras.metrics.SparseCategoricalAccuracy):
        def update_state(self, y_true, y_pred, sample_weight=None):
            super().update_state(y_true, y_pred, sample_weight)

    regular = keras.Sequential([keras.layers.Flatten(input_shape=(6, 5)), keras.layers.Dense(
        4, kernel_regularizer=keras.regularizers.l2(0.1))])
    regular.compile("adam", sparse, ["accuracy"])
    for m in (_mlp(sparse, metrics=(own,)), _mlp(sparse, metrics=(Counting(),)),
              regular, _mlp(keras.losses.SparseCategoricalCrossentropy(
                  from_logits=True, reduction="sum"))):
        m.evaluate(x, y, verbose=0)
        steps = getattr(m.make_test_function(), "_nanotf_chunk_steps", None)
        assert steps is not None and steps.summary is False, m.metrics_names
    m = _mlp(sparse)
    m.compile("adam", sparse, weighted_metrics=["accuracy"])
    m.evaluate(x, y, verbose=0)
    assert m.make_test_function()._nanotf_chunk_steps.summary is False
