"""Seed 004 (the TF2 beginner quickstart, notebook export): every cell runs unchanged.

Values that depend on random initial weights are compared by format; the trained model must
reach the accuracy TF reaches on the same data (train: 5,000 real MNIST digits, test: the
official 10,000)."""

import re

from tests.seeds.seedlib import make_mirror, note, run

CELLS = [
    "import tensorflow as tf\n\nimport numpy as np",
    "mnist = tf.keras.datasets.mnist\n\n(x_train, y_train), (x_test, y_test) = mnist.load_data()\n"
    "x_train, x_test = x_train / 255.0, x_test / 255.0",
    "model = tf.keras.models.Sequential([\n  tf.keras.layers.Flatten(input_shape=(28, 28)),\n"
    "  tf.keras.layers.Dense(128, activation='relu'),\n  tf.keras.layers.Dropout(0.2),\n"
    "  tf.keras.layers.Dense(10)\n])",
    "predictions = model(x_train[:1]).numpy()\npredictions",
    "tf.nn.softmax(predictions).numpy()",
    "loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)",
    "loss_fn(y_train[:1], predictions).numpy()",
    "model.compile(optimizer='adam',\n              loss=loss_fn,\n"
    "              metrics=['accuracy'])",
    "model.fit(x_train, y_train, epochs=5)",
    "model.evaluate(x_test,  y_test, verbose=2)",
    "probability_model = tf.keras.Sequential([\n  model,\n  tf.keras.layers.Softmax()\n])",
    "probability_model(x_test[:5])",
]


def _cell(code: str, ns: dict):
    """Runs a notebook cell: the last line's value is the cell's result, as Jupyter shows it."""
    lines = code.split("\n")
    last = lines[-1]
    if last and not last.startswith(" ") and "=" not in last.split("(")[0] and \
            not last.startswith(("import", "from", ")", "]")):
        printed = run("\n".join(lines[:-1]), ns)
        ns["_cell_value"] = None
        printed += run(f"_cell_value = ({last})", ns)
        return printed, ns["_cell_value"]
    return run(code, ns), None


def test_quickstart_cells_run_unchanged(tmp_path, monkeypatch, capsys):
    text = note("004")
    make_mirror(tmp_path, monkeypatch)
    ns: dict = {}
    results = []
    for code in CELLS:
        assert code in text, f"cell not found verbatim in the note: {code!r}"
        results.append(_cell(code, ns))
    preds = results[3][1]
    assert preds.shape == (1, 10) and str(preds.dtype) == "float32"
    assert repr(results[4][1]).startswith("array([[") and "dtype=float32" in repr(results[4][1])
    assert results[6][1].shape == () and str(results[6][1].dtype) == "float32"
    fit_out = results[8][0]
    for epoch in range(1, 6):
        assert f"Epoch {epoch}/5" in fit_out
    bar = r"157/157 \[==============================\] - \d+s \d+[mu]?s/step - loss: \d\.\d{4} - " \
          r"accuracy: \d\.\d{4}"
    assert len(re.findall(bar, fit_out)) == 5, fit_out
    assert "\r" not in fit_out and "\x1b" not in fit_out and "\b" not in fit_out
    assert re.fullmatch(r"313/313 - \d+s - loss: \d\.\d{4} - accuracy: \d\.\d{4} - "
                        r"\d+[mu]?s/epoch - \d+[mu]?s/step\n", results[9][0]), results[9][0]
    loss, acc = results[9][1]
    assert isinstance(loss, float) and isinstance(acc, float)
    assert acc >= 0.915  # TF 2.21 reaches 0.928 on the same 5,000/10,000 split
    probs = results[11][1]
    assert repr(probs).startswith("<tf.Tensor: shape=(5, 10), dtype=float32, numpy=\narray([[")
    assert abs(float(probs.numpy().sum()) - 5.0) < 1e-4
