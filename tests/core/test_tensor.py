"""Tensor behaviour against facts taken from TensorFlow 2.21: printing, conversion and dtype rules,
operators, indexing (with gradients) and the Python protocols.

Printing follows TF <= 2.10 for rank-0 reprs (`numpy=0.33333334`, NumPy's str of the scalar):
TF 2.21 prints `repr(value.item())` there (`numpy=0.3333333432674408`); other formats agree.
"""

from __future__ import annotations

import numpy as np
import pytest

import nanotf as tf
from nanotf.errors import InvalidArgumentError

# (value, repr, str) -- from TF 2.21 unless noted
PRINTED = [
    (lambda: tf.constant(3.5), "<tf.Tensor: shape=(), dtype=float32, numpy=3.5>",
     "tf.Tensor(3.5, shape=(), dtype=float32)"),
    (lambda: tf.constant(1), "<tf.Tensor: shape=(), dtype=int32, numpy=1>",
     "tf.Tensor(1, shape=(), dtype=int32)"),
    (lambda: tf.constant(True), "<tf.Tensor: shape=(), dtype=bool, numpy=True>",
     "tf.Tensor(True, shape=(), dtype=bool)"),
    (lambda: tf.constant("hi"), "<tf.Tensor: shape=(), dtype=string, numpy=b'hi'>",
     "tf.Tensor(b'hi', shape=(), dtype=string)"),
    (lambda: tf.constant([1.0, 2.0]),
     "<tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>",
     "tf.Tensor([1. 2.], shape=(2,), dtype=float32)"),
    (lambda: tf.constant([[1, 2], [3, 4]]),
     "<tf.Tensor: shape=(2, 2), dtype=int32, numpy=\narray([[1, 2],\n       [3, 4]], dtype=int32)>",
     "tf.Tensor(\n[[1 2]\n [3 4]], shape=(2, 2), dtype=int32)"),
    (lambda: tf.constant([True, False]),
     "<tf.Tensor: shape=(2,), dtype=bool, numpy=array([ True, False])>",
     "tf.Tensor([ True False], shape=(2,), dtype=bool)"),
    (lambda: tf.constant(["a", "bc"]),
     "<tf.Tensor: shape=(2,), dtype=string, numpy=array([b'a', b'bc'], dtype=object)>",
     "tf.Tensor([b'a' b'bc'], shape=(2,), dtype=string)"),
    (lambda: tf.constant([], tf.float32),
     "<tf.Tensor: shape=(0,), dtype=float32, numpy=array([], dtype=float32)>",
     "tf.Tensor([], shape=(0,), dtype=float32)"),
    (lambda: tf.zeros([0, 3]),
     "<tf.Tensor: shape=(0, 3), dtype=float32, numpy=array([], shape=(0, 3), dtype=float32)>",
     "tf.Tensor([], shape=(0, 3), dtype=float32)"),
    (lambda: tf.constant(1.0, tf.float64), "<tf.Tensor: shape=(), dtype=float64, numpy=1.0>",
     "tf.Tensor(1.0, shape=(), dtype=float64)"),
    (lambda: tf.constant(2, tf.int64), "<tf.Tensor: shape=(), dtype=int64, numpy=2>",
     "tf.Tensor(2, shape=(), dtype=int64)"),
    (lambda: tf.constant([1.5, 2.25], tf.float64),
     "<tf.Tensor: shape=(2,), dtype=float64, numpy=array([1.5 , 2.25])>",
     "tf.Tensor([1.5  2.25], shape=(2,), dtype=float64)"),
    # TF <= 2.10 format (TF 2.21: numpy=0.3333333432674408)
    (lambda: tf.constant(1 / 3), "<tf.Tensor: shape=(), dtype=float32, numpy=0.33333334>",
     "tf.Tensor(0.33333334, shape=(), dtype=float32)"),
    (lambda: tf.constant([[1.5, 2.0], [3.0, 4.0]]),
     "<tf.Tensor: shape=(2, 2), dtype=float32, numpy=\narray([[1.5, 2. ],\n       [3. , 4. ]], "
     "dtype=float32)>", "tf.Tensor(\n[[1.5 2. ]\n [3.  4. ]], shape=(2, 2), dtype=float32)"),
    (lambda: tf.constant(np.arange(12, dtype=np.float32).reshape(2, 2, 3)),
     "<tf.Tensor: shape=(2, 2, 3), dtype=float32, numpy=\narray([[[ 0.,  1.,  2.],\n        "
     "[ 3.,  4.,  5.]],\n\n       [[ 6.,  7.,  8.],\n        [ 9., 10., 11.]]], dtype=float32)>",
     "tf.Tensor(\n[[[ 0.  1.  2.]\n  [ 3.  4.  5.]]\n\n [[ 6.  7.  8.]\n  [ 9. 10. 11.]]], "
     "shape=(2, 2, 3), dtype=float32)"),
    (lambda: tf.constant([1e-5, 1.0]),
     "<tf.Tensor: shape=(2,), dtype=float32, numpy=array([1.e-05, 1.e+00], dtype=float32)>",
     "tf.Tensor([1.e-05 1.e+00], shape=(2,), dtype=float32)"),
    (lambda: tf.constant(2, tf.uint8), "<tf.Tensor: shape=(), dtype=uint8, numpy=2>",
     "tf.Tensor(2, shape=(), dtype=uint8)"),
    (lambda: tf.constant(1 + 2j), "<tf.Tensor: shape=(), dtype=complex128, numpy=(1+2j)>",
     "tf.Tensor((1+2j), shape=(), dtype=complex128)"),
]


@pytest.mark.parametrize("make,want_repr,want_str", PRINTED, ids=[p[2][:40] for p in PRINTED])
def test_printing(make, want_repr, want_str):
    t = make()
    assert repr(t) == want_repr
    assert str(t) == want_str


def test_format_and_python_scalars():
    assert format(tf.constant(3.14159), ".2f") == "3.14"
    assert f"{tf.constant(3)}" == "3"
    assert format(tf.constant([1.0, 2.0])) == "[1. 2.]"
    assert float(tf.constant(2.5)) == 2.5
    assert int(tf.constant(2.7)) == 2
    assert bool(tf.constant(True)) is True and bool(tf.constant(0.0)) is False
    assert [10, 20, 30][tf.constant(1)] == 20
    assert complex(tf.constant(1 + 2j)) == 1 + 2j
    with pytest.raises(ValueError, match="ambiguous"):
        bool(tf.constant([1, 2]))
    with pytest.raises(TypeError):
        float(tf.constant([1.0]))


def test_numpy_and_array_protocol():
    a = np.array(tf.constant([1, 2]))
    assert a.dtype == np.int32 and a.tolist() == [1, 2]
    assert np.asarray(tf.constant([1.0, 2.0]), dtype=np.float64).dtype == np.float64
    assert type(tf.constant(1.0).numpy()) is np.float32
    assert type(tf.constant(1).numpy()) is np.int32
    assert tf.constant("ab").numpy() == b"ab"
    # NumPy defers to the tensor: ndarray + Tensor is a Tensor of the tensor's dtype
    r = np.array([1.5]) + tf.constant([1.0])
    assert isinstance(r, tf.Tensor) and r.dtype == tf.float32 and r.numpy().tolist() == [2.5]


def test_len_iter_hash():
    assert len(tf.constant([1, 2, 3])) == 3
    with pytest.raises(TypeError, match="Scalar tensor has no `len\\(\\)`"):
        len(tf.constant(1))
    with pytest.raises(TypeError, match="Cannot iterate over a scalar tensor."):
        list(tf.constant(1))
    assert [int(x) for x in tf.constant([1, 2])] == [1, 2]
    with pytest.raises(TypeError, match="Tensor is unhashable. Instead, use tensor.ref\\(\\)"):
        hash(tf.constant(1))
    t = tf.constant(1)
    assert {t.ref(): 1}[t.ref()] == 1 and t.ref().deref() is t


def test_eager_attributes():
    t = tf.constant([[1, 2]])
    assert t.shape == tf.TensorShape([1, 2]) and t.ndim == 2
    assert t.device == "/job:localhost/replica:0/task:0/device:CPU:0"
    with pytest.raises(AttributeError, match="Tensor.name is undefined when eager execution"):
        t.name  # noqa: B018


# --- conversion rules ------------------------------------------------------------------------
@pytest.mark.parametrize("value,dtype", [
    (1, tf.int32), (1.0, tf.float32), (2**40, tf.int64), ([1, 2.5], tf.float32),
    (np.float64(1), tf.float64), (np.array([1, 2]), tf.int64), (True, tf.bool), ("a", tf.string),
    (1 + 2j, tf.complex128),
])
def test_inferred_dtype(value, dtype):
    assert tf.constant(value).dtype == dtype
    assert tf.convert_to_tensor(value).dtype == dtype


def test_lossy_python_conversion_is_a_type_error():
    for v in (1.5, 1.0):
        with pytest.raises(TypeError, match=f"Cannot convert {v} to EagerTensor of dtype int32"):
            tf.constant(v, tf.int32)
    with pytest.raises(TypeError, match="Cannot convert 1 to EagerTensor of dtype bool"):
        tf.constant(1, tf.bool)
    with pytest.raises(TypeError, match="Cannot convert 1.5 to EagerTensor of dtype int32"):
        tf.convert_to_tensor(1.5, tf.int32)


def test_allowed_python_conversions():
    assert tf.convert_to_tensor(1, tf.float32).numpy() == 1.0
    assert tf.constant(True, tf.int32).numpy() == 1
    assert tf.constant(True, tf.float32).numpy() == 1.0
    assert tf.constant([True, False], tf.int32).numpy().tolist() == [1, 0]
    # TF 2.21 wraps out-of-range Python ints
    assert tf.constant(300, tf.uint8).numpy() == 44
    assert tf.constant(-1, tf.uint8).numpy() == 255
    assert tf.constant([300, 1], tf.int8).numpy().tolist() == [44, 1]
    # NumPy values are cast like tf.cast (floats truncate toward zero)
    assert tf.constant(np.array([1.7, -1.7]), tf.int32).numpy().tolist() == [1, -1]
    # a Python float keeps its precision in float64
    assert tf.constant(0.7, tf.float64).numpy() == 0.7
    assert tf.convert_to_tensor(1, dtype_hint=tf.float32).dtype == tf.float32
    assert tf.convert_to_tensor(1.5, dtype_hint=tf.int32).dtype == tf.float32


def test_conversion_errors():
    with pytest.raises(ValueError, match="Tensor conversion requested dtype float32 for Tensor "
                                         "with dtype int32"):
        tf.convert_to_tensor(tf.constant(1), tf.float32)
    with pytest.raises(ValueError, match="Attempt to convert a value \\(None\\) with an "
                                         "unsupported type \\(<class 'NoneType'>\\) to a Tensor."):
        tf.constant(None)
    with pytest.raises(ValueError, match="Can't convert non-rectangular Python sequence"):
        tf.constant([[1, 2], [3]])
    with pytest.raises(TypeError, match="Eager execution of tf.constant with unsupported shape. "
                                        "Tensor \\[1 2 3\\] \\(converted from \\[1, 2, 3\\]\\) "
                                        "has 3 elements, but got `shape` \\(2, 2\\) with 4 "
                                        "elements\\)."):
        tf.constant([1, 2, 3], shape=[2, 2])


def test_constant_shape_broadcasts_and_reshapes():
    assert tf.constant(0.0, shape=[2, 2]).numpy().tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert tf.constant([1, 2, 3, 4], shape=[2, 2]).numpy().tolist() == [[1, 2], [3, 4]]


def test_list_of_tensors_packs():
    t = tf.convert_to_tensor([tf.constant(1.0), tf.constant(2.0)])
    assert t.dtype == tf.float32 and t.numpy().tolist() == [1.0, 2.0]


# --- no implicit promotion -----------------------------------------------------------------------
MISMATCH = [
    (lambda: tf.constant(1.0) + tf.constant(1), "AddV2", "float", "int32"),
    (lambda: tf.add(tf.constant(1.0), tf.constant(1.0, tf.float64)), "AddV2", "float", "double"),
    (lambda: tf.multiply(tf.constant(2), tf.constant(1.0)), "Mul", "int32", "float"),
    (lambda: tf.constant(1) + 1.5, "AddV2", "int32", "float"),
    (lambda: tf.add(1.5, tf.constant(1)), "AddV2", "float", "int32"),
    (lambda: tf.maximum(tf.constant(1), tf.constant(1.0)), "Maximum", "int32", "float"),
    (lambda: tf.constant(1.0, tf.float16) + tf.constant(1.0), "AddV2", "half", "float"),
    (lambda: tf.constant(1, tf.int64) * tf.constant(1), "Mul", "int64", "int32"),
    (lambda: tf.constant(1, tf.uint8) - tf.constant(1), "Sub", "uint8", "int32"),
    (lambda: tf.constant(1) == tf.constant(1.0), "Equal", "int32", "float"),
    (lambda: tf.constant(1) != tf.constant(1.0), "NotEqual", "int32", "float"),
    (lambda: tf.Variable(1.0) + tf.constant(1), "AddV2", "float", "int32"),
]


@pytest.mark.parametrize("fn,op,a,b", MISMATCH, ids=[f"{m[1]}-{m[2]}-{m[3]}" for m in MISMATCH])
def test_no_implicit_promotion(fn, op, a, b):
    with pytest.raises(InvalidArgumentError) as e:
        fn()
    assert str(e.value) == (f"cannot compute {op} as input #1(zero-based) was expected to be a {a} "
                            f"tensor but is a {b} tensor [Op:{op}]")


def test_where_mismatch_names_input_2():
    with pytest.raises(InvalidArgumentError, match="input #2\\(zero-based\\) was expected to be a "
                                                   "float tensor but is a int32 tensor"):
        tf.where(True, tf.constant(1.0), tf.constant(1))


@pytest.mark.parametrize("fn,msg", [
    (lambda: tf.multiply(tf.constant(1), 1.5), "Cannot convert 1.5 to EagerTensor of dtype int32"),
    (lambda: tf.constant(1) * 1.5, "Cannot convert 1.5 to EagerTensor of dtype int32"),
    (lambda: 1.5 - tf.constant(1), "Cannot convert 1.5 to EagerTensor of dtype int32"),
    (lambda: 1.5 + tf.constant(1), "Cannot convert 1.5 to EagerTensor of dtype int32"),
    (lambda: tf.constant(1) == 1.5, "Cannot convert 1.5 to EagerTensor of dtype int32"),
    (lambda: tf.constant(1) < 1.5, "Cannot convert 1.5 to EagerTensor of dtype int32"),
    (lambda: tf.constant(1) // 1.5, "Cannot convert 1.5 to EagerTensor of dtype int32"),
    (lambda: tf.constant(4) ** 0.5, "Cannot convert 0.5 to EagerTensor of dtype int32"),
    (lambda: tf.constant(True) & 1, "Cannot convert 1 to EagerTensor of dtype bool"),
    (lambda: tf.constant(1.0) / tf.constant(1),
     "`x` and `y` must have the same dtype, got tf.float32 != tf.int32."),
    (lambda: tf.constant(1) / 1.5,
     "`x` and `y` must have the same dtype, got tf.int32 != tf.float32."),
    (lambda: tf.constant(True) / tf.constant(True), "Invalid dtype tf.bool in __truediv__"),
])
def test_python_operand_type_errors(fn, msg):
    with pytest.raises(TypeError) as e:
        fn()
    assert str(e.value).startswith(msg)


def test_python_operand_takes_tensor_dtype():
    assert (tf.constant(1.0, tf.float64) + 1).dtype == tf.float64
    assert (tf.constant(1.0) + 1.5).numpy() == 2.5
    assert (tf.constant(1, tf.int64) + 1).dtype == tf.int64
    assert (tf.constant([1.0]) + np.array([1.5])).dtype == tf.float32
    assert (tf.constant(1) + True).numpy() == 2
    assert (2 ** tf.constant(3.0)).numpy() == 8.0
    assert (tf.constant(1.0, tf.float16) + 0.1).dtype == tf.float16


# --- operators -----------------------------------------------------------------------------
def test_arithmetic_operators():
    assert (tf.constant(3) / tf.constant(2)).numpy() == 1.5
    assert (tf.constant(3) / tf.constant(2)).dtype == tf.float64
    assert (tf.constant(-3) // 2).numpy() == -2
    assert (tf.constant(-3) % 2).numpy() == 1
    assert (tf.constant(3.0) ** 2).numpy() == 9.0
    assert (-tf.constant([1, -2])).numpy().tolist() == [-1, 2]
    assert abs(tf.constant([-1.5])).numpy().tolist() == [1.5]
    assert (+tf.constant(1.0)).numpy() == 1.0
    m = tf.constant([[1.0, 2.0]]) @ tf.constant([[3.0], [4.0]])
    assert m.numpy().tolist() == [[11.0]]
    with pytest.raises(InvalidArgumentError, match="Integers to negative integer powers are not "
                                                   "allowed \\[Op:Pow\\]"):
        tf.constant(2) ** -1
    with pytest.raises(InvalidArgumentError, match="Incompatible shapes: \\[2\\] vs. \\[3\\] "
                                                   "\\[Op:AddV2\\]"):
        tf.constant([1, 2]) + tf.constant([1, 2, 3])


def test_logical_and_bitwise_operators():
    assert (~tf.constant([True, False])).numpy().tolist() == [False, True]
    b = tf.constant([True, False]) & tf.constant([True, True])
    assert b.numpy().tolist() == [True, False]
    assert (tf.constant([True, False]) | tf.constant([False, False])).numpy().tolist() == \
        [True, False]
    assert (tf.constant([True, False]) ^ tf.constant([True, True])).numpy().tolist() == \
        [False, True]


def test_equality_semantics():
    eq = tf.constant([1, 2]) == tf.constant([1, 3])
    assert eq.dtype == tf.bool and eq.numpy().tolist() == [True, False]
    assert (tf.constant([1, 2]) == 1).numpy().tolist() == [True, False]
    assert (tf.constant([1, 2]) == [1, 2]).numpy().tolist() == [True, True]
    assert (tf.constant(1) == None) is False  # noqa: E711
    assert (tf.constant(1) != None) is True  # noqa: E711
    # shapes that do not broadcast compare unequal (a scalar result), not an error
    r = tf.constant([1, 2]) == tf.constant([1, 2, 3])
    assert r.shape == () and r.numpy() is np.False_
    assert (tf.constant([1, 2]) != tf.constant([1, 2, 3])).numpy()
    assert (tf.constant("a") == "a").numpy()
    assert (tf.Variable(1.0) == 1.0).numpy()
    assert (tf.constant([1, 2]) < 2).numpy().tolist() == [True, False]


# --- indexing ------------------------------------------------------------------------------
def test_indexing_values():
    t = tf.constant([[1, 2, 3], [4, 5, 6]])
    assert t[1, ::-1].numpy().tolist() == [6, 5, 4]
    assert tf.constant([1, 2, 3])[tf.newaxis, :].shape == tf.TensorShape([1, 3])
    assert tf.constant(np.zeros((2, 3, 4)))[..., 0].shape == tf.TensorShape([2, 3])
    assert tf.constant([1, 2, 3])[tf.constant(2)].numpy() == 3
    with pytest.raises(InvalidArgumentError, match="slice index 5 of dimension 0 out of bounds. "
                                                   "\\[Op:StridedSlice\\]"):
        tf.constant([1, 2, 3])[5]


def test_indexing_gradient():
    x = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    with tf.GradientTape() as g:
        g.watch(x)
        y = tf.reduce_sum(x[:, 1:] * 2.0) + x[1, 0] * 5
    assert g.gradient(y, x).numpy().tolist() == [[0.0, 2.0, 2.0], [5.0, 2.0, 2.0]]


def test_operators_are_differentiable():
    x = tf.constant(3.0)
    with tf.GradientTape() as g:
        g.watch(x)
        y = x * x + 2 * x - x / 3 - (1.0 - x) + x**2
    assert g.gradient(y, x).numpy() == pytest.approx(2 * 3 + 2 - 1 / 3 + 1 + 2 * 3)


def test_overflow_and_nan_are_silent_as_in_tf_but_user_numpy_keeps_its_warnings():
    import subprocess
    import sys

    code = (
        "import numpy as np, nanotf as tf\n"
        "tf.constant(3e38) * 2.0; tf.reduce_sum(tf.constant([3e38, 3e38]))\n"
        "tf.constant(float('inf')) - float('inf'); tf.cast(tf.constant(float('nan')), tf.int32)\n"
        "f = tf.function(lambda v: tf.square(v)); f(tf.constant(1e30)); f(tf.constant(1e30))\n"
        "import sys; print('USER', file=sys.stderr); np.float32(3e38) * np.float32(2)\n")
    out = subprocess.run([sys.executable, "-W", "default", "-c", code], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    ours, user = out.stderr.split("USER")
    assert "Warning" not in ours
    assert "RuntimeWarning: overflow" in user
