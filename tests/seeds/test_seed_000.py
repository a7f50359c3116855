"""Seed 000 (TF1 compatibility, the MNIST quickstart, softmax cross-entropy): items run as written.

Item 5 of the note spells `metrix=`: compile must refuse it with a TypeError naming the keyword
(Keras 2 does); the test then compiles with the intended `metrics=` and runs item 6 unchanged."""

import re
import textwrap

import pytest

import nanotf
from tests.seeds.seedlib import make_mirror, note, run


def _blocks(text: str) -> list:
    """The note's ```python blocks (indented under list items), dedented."""
    return [textwrap.dedent(b) for b in re.findall(r"```python\n(.*?)\n\s*```", text, re.S)]


def test_items_1_to_6(tmp_path, monkeypatch):
    blocks = _blocks(note("000"))
    assert len(blocks) == 6 and "metrix=['accuracy']" in blocks[4]
    make_mirror(tmp_path, monkeypatch)
    ns: dict = {}
    try:
        run(blocks[0], ns)
        assert not ns["tf"].executing_eagerly()
        assert run(blocks[1], ns).strip() == nanotf.__version__
        run(blocks[2], ns)
        run(blocks[3], ns)
        with pytest.raises(TypeError, match="metrix"):
            run(blocks[4], ns)
        run(blocks[4].replace("metrix=", "metrics="), ns)
        # item 4's model has no Flatten: Dense acts on the last axis and predicts (batch, 28, 10).
        # TF 2.21 fails inside fit ("logits and labels must have the same first dimension");
        # nanotf refuses before training, naming the loss and both shapes.
        with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy.*\(32,\).*28, 10"):
            run(blocks[5], ns)
        run(blocks[3].replace("Sequential([", "Sequential([tf.keras.layers.Flatten(),"), ns)
        run(blocks[4].replace("metrix=", "metrics="), ns)
        out = run(blocks[5], ns)
    finally:
        nanotf.compat.v1.enable_eager_execution()
        nanotf.compat.v1.enable_v2_behavior()
    assert out.count("Epoch ") == 5  # with a Flatten added, item 6 runs as written
    acc = float(re.search(r"313/313 - \d+s - loss: \d\.\d{4} - accuracy: (\d\.\d{4}) - ",
                          out).group(1))
    assert acc > 0.9


def test_item_7_softmax_cross_entropy_numbers():
    """The note's label_id / label_prob example: TF 2.21's float32 results (taken from TF)."""
    tf = nanotf
    label_id = [2, 1, 1, 0]
    label_prob = [[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [0.0, 0.9, 0.1], [0.8, 0.2, 0.0]]
    pred = [[0.3, 0.6, 1.6], [1.0, 0.3, 0.0], [0.0, 3.0, 0.6], [2.0, 0.0, 0.0]]
    l1 = tf.nn.sparse_softmax_cross_entropy_with_logits(label_id, pred)
    l2 = tf.nn.softmax_cross_entropy_with_logits(label_prob, pred)
    assert l1.numpy().tolist() == [0.49494698643684387, 1.3229739665985107, 0.13147111237049103,
                                   0.2395448386669159]
    assert l2.numpy().tolist() == [0.49494698643684387, 1.3229739665985107, 0.371471107006073,
                                   0.6395448446273804]


def test_item_7_large_logits_stay_finite():
    tf = nanotf
    big = tf.constant([[1000.0, 0.0, -1000.0]])
    with tf.GradientTape(persistent=True) as t:
        t.watch(big)
        a = tf.nn.sparse_softmax_cross_entropy_with_logits([2], big)
        b = tf.nn.softmax_cross_entropy_with_logits([[0.0, 0.0, 1.0]], big)
    assert a.numpy().tolist() == [2000.0] and b.numpy().tolist() == [2000.0]
    assert t.gradient(a, big).numpy().tolist() == [[1.0, 0.0, -1.0]]
    assert t.gradient(b, big).numpy().tolist() == [[1.0, 0.0, -1.0]]
