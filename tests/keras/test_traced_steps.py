"""Keras fit/evaluate/predict run traced steps unless run_eagerly: same numbers."""

import numpy as np
import pytest

import nanotf as tf

keras = tf.keras
RNG = np.random.RandomState(0)
X = RNG.rand(200, 6, 5).astype(np.float32)
Y = RNG.randint(0, 4, 200).astype(np.uint8)


def _model(eager, dropout=False, **compile_kw):
    keras.utils.set_random_seed(5)  # Python, NumPy and TF seeds (Keras initializers use all)
    layers = [keras.layers.Flatten(input_shape=(6, 5)), keras.layers.Dense(16, activation="relu")]
    if dropout:
        layers.append(keras.layers.Dropout(0.3))
    layers.append(keras.layers.Dense(4))
    m = keras.Sequential(layers)
    m.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"], run_eagerly=eager, **compile_kw)
    return m


def _run(m):
    h = m.fit(X, Y, batch_size=32, epochs=2, verbose=0, shuffle=False, validation_split=0.2)
    return (h.history, m.evaluate(X, Y, batch_size=48, verbose=0), m.predict(X[:37], verbose=0),
            m.get_weights(), m.optimizer.get_weights())


def test_traced_fit_evaluate_predict_equal_eager():
    eager, traced = _run(_model(True)), _run(_model(False))
    assert eager[0] == traced[0]
    assert eager[1] == traced[1]
    np.testing.assert_array_equal(eager[2], traced[2])
    for a, b in zip(eager[3] + eager[4], traced[3] + traced[4]):
        np.testing.assert_array_equal(a, b)


def test_steps_are_traced_unless_run_eagerly():
    m = _model(False)
    assert not m.run_eagerly
    _run(m)
    # one trace per batch signature: full and last partial batches (train, test, predict)
    assert m.train_function._nanotf_eager is False
    e = _model(True)
    assert e.run_eagerly
    _run(e)
    assert e.train_function._nanotf_eager is True
    tf.config.run_functions_eagerly(True)
    try:
        assert _model(None).run_eagerly
    finally:
        tf.config.run_functions_eagerly(False)


def test_traced_dropout_is_seeded_and_trains():
    a, b = _run(_model(False, dropout=True)), _run(_model(False, dropout=True))
    assert a[0] == b[0]  # set_seed makes the traced dropout masks repeat
    for u, v in zip(a[3], b[3]):
        np.testing.assert_array_equal(u, v)
    plain = _run(_model(False))
    assert not np.array_equal(a[3][0], plain[3][0])  # the masks changed the training


def test_traced_dropout_draws_new_masks_each_step():
    tf.random.set_seed(1)
    layer = keras.layers.Dropout(0.5)
    step = tf.function(lambda x: layer(x, training=True))
    x = tf.ones([4, 64])
    a, b = step(x).numpy(), step(x).numpy()
    assert step.experimental_get_tracing_count() == 1 and not np.array_equal(a, b)
    assert set(np.unique(a)) <= {0.0, 2.0}


class _NumpyStep(keras.Model):
    """A train_step that needs real values (`.numpy()`): it cannot be traced."""

    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(1)
        self.seen = []

    def call(self, x):
        return self.dense(x)

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(self(x, training=True) - y))
        self.seen.append(float(loss.numpy()))
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        return {"loss": loss}


def test_untraceable_train_step_runs_eagerly(capsys):
    m = _NumpyStep()
    m.compile(optimizer="sgd", loss="mse")
    x = np.ones((64, 3), np.float32)
    h = m.fit(x, np.ones((64, 1), np.float32), batch_size=16, epochs=2, verbose=0)
    assert len(m.seen) == 8 and len(h.history["loss"]) == 2
    assert capsys.readouterr().err == ""  # no tracing notice for Keras's own steps


def test_bad_labels_still_raise_clear_errors():
    m = _model(False)
    with pytest.raises(Exception, match="label value"):
        m.fit(X, np.full(200, 9, np.uint8), epochs=1, verbose=0)
