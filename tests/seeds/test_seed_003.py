"""Seed 003 (TF2 idioms): the note's fragments run unchanged, given the context they assume.

The note is fragments of a larger program: names such as `x_train`, `loss_cal` or `output_path`
come from code it does not show, and `Model` is used both as a class and as the instance. The
test supplies that context. Two fragments are not Python (a decorator on an assignment,
`name=,`); fragment 2.2.1 runs with the minimal completion that makes it Python, and
SegPosEmbedding is checked to fail to compile."""

import glob
import os
import textwrap

import numpy as np
import pytest

from tests.seeds.seedlib import note, run


def _fragments(text: str) -> list:
    """The indented code fragments of the note, dedented, in order."""
    chunks, cur = [], []
    for line in text.split("\n"):
        if line.startswith("    ") or (cur and not line.strip()):
            cur.append(line)
        elif cur:
            chunks.append(textwrap.dedent("\n".join(cur)).strip("\n"))
            cur = []
    return [c for c in chunks if "tf." in c or "model" in c or "Model" in c]


@pytest.fixture(scope="module")
def frags():
    f = _fragments(note("003"))
    assert f[0].startswith("batch_size = 64") and f[3].startswith("class SegPosEmbedding")
    return f


def _images(n=96, classes=10):
    rng = np.random.RandomState(0)
    return rng.rand(n, 32, 32, 3).astype(np.float32), rng.randint(0, classes, n)


def test_custom_layer_subclassed_model_batch_loop_and_saved_model(frags, tmp_path):
    x_train, y_train = _images()
    ns = {"x_train": x_train, "y_train": y_train}
    run("import tensorflow as tf", ns)
    run(frags[0], ns)  # 2.1: from_tensor_slices -> shuffle(1024) -> batch(64)
    run("from tensorflow import keras\nfrom tensorflow.keras import layers", ns)
    run(frags[2], ns)  # 2.2.2: myDense via add_variable('w', shape), subclassed Model
    run("Model = Model()\nloss_fn = tf.keras.losses.SparseCategoricalCrossentropy("
        "from_logits=True)\nloss_cal = lambda pred, labels: loss_fn(labels, pred)\n"
        "optimizer = tf.keras.optimizers.SGD(0.01)", ns)
    model = ns["Model"]
    out = model(x_train[:2])
    assert tuple(out.shape) == (2, 128)
    names = [v.name for v in model.trainable_variables]
    assert [n.split("/")[-1] for n in names] == ["w:0", "b:0", "w:0", "b:0"]
    before = [v.numpy().copy() for v in model.trainable_variables]
    run(frags[5], ns)  # 2.3.2: the batch loop with apply_gradients
    assert all((b != v.numpy()).any() for b, v in zip(before, model.trainable_variables))
    ns["output_path"] = str(tmp_path / "saved")
    run(frags[6], ns)  # 2.4: tf.saved_model.save(Model, output_path)
    import nanotf as tf

    restored = tf.saved_model.load(ns["output_path"])
    got = [v.numpy() for v in restored.trainable_variables]
    want = [v.numpy() for v in model.trainable_variables]
    assert len(got) == 4 and all((a == b).all() for a, b in zip(got, want))


def test_standard_layers_with_the_minimal_completion(frags):
    with pytest.raises(SyntaxError):
        compile(frags[1], "<note 2.2.1>", "exec")
    fixed = frags[1].replace("@tf.function\n", "").replace(
        "for size in [..]", "for size in [64, 32, 16, 8]").replace(
        "tf.keras.Sequential([..])", "tf.keras.Sequential([tf.keras.layers.Dense(10)])")
    ns: dict = {}
    run("import tensorflow as tf", ns)
    run(fixed, ns)
    ns["path"](np.zeros((2, 5), np.float32))
    assert len(ns["layers"][3].trainable_variables) == 2  # "returns [w3, b3]"
    assert len(ns["perceptron"].trainable_variables) == 8  # "returns [w0, b0, ...]"


def test_seg_pos_embedding_is_not_python(frags):
    with pytest.raises(SyntaxError):
        compile(frags[3], "<note build example>", "exec")


def test_compile_fit_with_validation_split_and_freq(frags):
    sk = pytest.importorskip("sklearn.datasets", reason="iris comes from scikit-learn")
    iris = sk.load_iris()
    rng = np.random.RandomState(116)
    order = rng.permutation(150)
    x_train, y_train = iris.data[order].astype(np.float32), iris.target[order]
    ns = {"x_train": x_train, "y_train": y_train}
    run("import tensorflow as tf\ntf.keras.utils.set_random_seed(116)\n"
        "model = tf.keras.Sequential([tf.keras.layers.Dense(3, "
        "activation='softmax', kernel_regularizer=tf.keras.regularizers.l2())])", ns)
    out = run(frags[4], ns)  # 2.3.1: SGD(lr=0.1), fit(..., epochs=500, validation_split=0.2, ...)
    assert ns["model"].optimizer.lr.numpy() == np.float32(0.1)
    assert out.count("Epoch ") == 500
    assert out.count("val_loss") == 25  # validation every 20 epochs
    hist = ns["model"].history.history
    assert len(hist["loss"]) == 500 and len(hist["val_loss"]) == 25
    assert hist["sparse_categorical_accuracy"][-1] > 0.9


def test_summary_loop(frags, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    x, y = _images(32)
    code = frags[7].replace("/tmp/summaries/train", str(tmp_path / "summaries" / "train"))
    assert code.count("\n") == frags[7].count("\n")
    ns = {"x": x, "y": y}
    run("import tensorflow as tf\ndataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(8)\n"
        "model = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(10)])\n"
        "loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)\n"
        "loss_cal = lambda pred, labels: loss_fn(labels, pred)\n"
        "avg_loss = tf.keras.metrics.Mean()\noptimizer = tf.keras.optimizers.Adam()\n"
        "log_freq = 2", ns)
    run(code, ns)
    ns["train_summary_writer"].flush()
    files = glob.glob(os.path.join(str(tmp_path), "summaries", "train", "events.out.tfevents.*"))
    assert len(files) == 1
    from nanotf._src.summary_format import read_events

    values = [v for e in read_events(files[0]) for v in e["values"]]
    assert [v["tag"] for v in values] == ["loss"] * 4  # iterations stay 0: logged every batch
