"""tf.Variable behaviour; expected values taken from TensorFlow 2.21."""

from __future__ import annotations

import numpy as np
import pytest

import nanotf as tf


def test_names():
    assert tf.Variable(1.0).name == "Variable:0"
    assert tf.Variable(1.0, name="w").name == "w:0"
    with tf.name_scope("outer"):
        assert tf.Variable(1.0, name="k").name == "outer/k:0"


def test_repr_and_str():
    v = tf.Variable(1.0)
    assert repr(v) == "<tf.Variable 'Variable:0' shape=() dtype=float32, numpy=1.0>"
    assert str(v) == repr(v)
    w = tf.Variable([[1, 2], [3, 4]], name="w")
    assert repr(w) == ("<tf.Variable 'w:0' shape=(2, 2) dtype=int32, numpy=\narray([[1, 2],\n"
                       "       [3, 4]], dtype=int32)>")
    assert repr(tf.Variable(True)) == "<tf.Variable 'Variable:0' shape=() dtype=bool, numpy=True>"
    assert repr(tf.Variable("s")) == "<tf.Variable 'Variable:0' shape=() dtype=string, numpy=b's'>"


def test_construction():
    assert tf.Variable(1).dtype == tf.int32
    assert repr(tf.Variable(1, dtype=tf.float32)) == \
        "<tf.Variable 'Variable:0' shape=() dtype=float32, numpy=1.0>"
    assert tf.Variable(lambda: tf.ones([2])).numpy().tolist() == [1.0, 1.0]
    assert tf.Variable([[1.0, 2.0]]).shape == tf.TensorShape([1, 2])
    assert (tf.Variable(1.0).trainable, tf.Variable(1.0, trainable=False).trainable) == \
        (True, False)
    with pytest.raises(ValueError, match="The `initial_value` arg to `tf.Variable` must be "
                                         "specified"):
        tf.Variable(None)


def test_assign_family_and_unread_variable():
    v = tf.Variable(1.0)
    a = v.assign(3.0)
    assert repr(a) == "<tf.Variable 'UnreadVariable' shape=() dtype=float32, numpy=3.0>"
    v.assign_add(2.0)
    c = v.assign_sub(1.0)
    assert v.numpy() == 4.0
    assert type(v.numpy()) is np.float32
    # the returned object reads the variable's current value
    assert repr(c) == "<tf.Variable 'UnreadVariable' shape=() dtype=float32, numpy=4.0>"
    assert v.assign(5.0, read_value=False) is None
    assert repr(tf.Variable(1).assign_add(2)) == \
        "<tf.Variable 'UnreadVariable' shape=() dtype=int32, numpy=3>"


def test_assign_conversions_and_shape_errors():
    v = tf.Variable([1.0, 2.0])
    v.assign([1, 2])  # Python ints take the variable's dtype
    assert v.dtype == tf.float32 and v.numpy().tolist() == [1.0, 2.0]
    with pytest.raises(ValueError, match="Tensor conversion requested dtype float32 for Tensor "
                                         "with dtype int32"):
        v.assign(tf.constant([1, 2]))
    with pytest.raises(ValueError, match="Shape mismatch.The variable shape \\(2,\\), and the "
                                         "assigned value shape \\(3,\\) are incompatible."):
        v.assign([1.0, 2.0, 3.0])
    u = tf.Variable([1.0, 2.0], shape=tf.TensorShape(None))
    u.assign([1.0, 2.0, 3.0])
    assert u.shape == tf.TensorShape(None) and u.numpy().tolist() == [1.0, 2.0, 3.0]


def test_reads_are_snapshots():
    v = tf.Variable([1.0, 2.0])
    r, val, n = v.read_value(), v.value(), v.numpy()
    v.assign([5.0, 6.0])
    assert r.numpy().tolist() == [1.0, 2.0]
    assert val.numpy().tolist() == [1.0, 2.0]
    assert n.tolist() == [1.0, 2.0]
    assert v.numpy().tolist() == [5.0, 6.0]


def test_usable_as_a_tensor():
    v = tf.Variable(2.0)
    assert (v + 1).numpy() == 3.0 and (v * v).numpy() == 4.0 and (-v).numpy() == -2.0
    assert (v ** 2).numpy() == 4.0 and tf.reduce_sum(v).numpy() == 2.0
    assert (v == 2.0).numpy() and float(v) == 2.0 and not bool(tf.Variable(0.0))
    assert np.array(v).tolist() == 2.0
    assert tf.is_tensor(v)
    assert tf.Variable([1.0, 2.0, 3.0])[1:].numpy().tolist() == [2.0, 3.0]
    m = tf.Variable([[1.0, 2.0]]) @ tf.Variable([[1.0], [1.0]])
    assert m.numpy().tolist() == [[3.0]]
    assert tf.convert_to_tensor(v).dtype == tf.float32


def test_hash_and_ref():
    v = tf.Variable(1.0)
    with pytest.raises(TypeError, match="Variable is unhashable. Instead, use variable.ref\\(\\) "
                                        "as the key."):
        hash(v)
    assert len({tf.Variable(1.0).ref(), tf.Variable(1.0).ref()}) == 2
    assert v.ref().deref() is v


def test_read_value_gradient():
    v = tf.Variable(2.0)
    with tf.GradientTape() as g:
        y = v.read_value() * 3
    assert g.gradient(y, v).numpy() == 3.0


def test_in_place_update_when_no_tape_holds_it():
    v = tf.Variable(np.zeros(3, np.float32))
    buf = v._v
    v.assign_add([1.0, 2.0, 3.0])
    assert v._v is buf  # optimizers rely on in-place updates being cheap
    with tf.GradientTape() as g:
        y = tf.reduce_sum(v * v)
    v.assign_add([1.0, 1.0, 1.0])
    assert v._v is not buf  # a live tape holds the old array: replaced, not mutated
    assert g.gradient(y, v).numpy().tolist() == [2.0, 4.0, 6.0]
