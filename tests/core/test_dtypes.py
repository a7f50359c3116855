"""tf.DType and casting behaviour; expected values taken from TensorFlow 2.21."""

from __future__ import annotations

import numpy as np
import pytest

import nanotf as tf
from nanotf.errors import UnimplementedError


def test_names_and_printing():
    assert repr(tf.float32) == "tf.float32"
    assert str(tf.float32) == "<dtype: 'float32'>"
    assert tf.float64.name == "float64"
    assert tf.int32.as_datatype_enum == 3
    assert tf.double is tf.float64 and tf.half is tf.float16


@pytest.mark.parametrize("value,want", [
    ("float32", tf.float32), ("double", tf.float64), ("half", tf.float16), ("float", tf.float32),
    (np.int64, tf.int64), (np.dtype("uint8"), tf.uint8), (float, tf.float32), (bool, tf.bool),
    (np.float32, tf.float32), (1, tf.float32), (object, tf.string), (tf.int8, tf.int8),
])
def test_as_dtype(value, want):
    assert tf.as_dtype(value) is want
    assert tf.dtypes.as_dtype(value) is want


@pytest.mark.parametrize("value", [int, complex, str, bytes, "foo"])
def test_as_dtype_refuses(value):
    with pytest.raises(TypeError, match="Cannot convert the argument `type_value`: .* to a "
                                        "TensorFlow DType."):
        tf.as_dtype(value)


def test_equality_and_hashing():
    assert tf.float32 == np.float32 and tf.float32 == "float32"
    assert tf.float32 != tf.float64 and not (tf.float32 == None)  # noqa: E711
    assert hash(tf.float32) == hash(tf.as_dtype("float32"))
    assert {tf.float32: 1}[tf.as_dtype(np.float32)] == 1
    assert tf.float32.is_compatible_with(tf.float32)
    assert tf.dtypes.float32 is tf.float32 and tf.DType is tf.dtypes.DType
    assert isinstance(tf.float32, tf.dtypes.DType)


def test_predicates_and_sizes():
    assert (tf.float16.is_floating, tf.int32.is_floating, tf.complex64.is_floating) == \
        (True, False, False)
    assert (tf.uint8.is_integer, tf.bool.is_integer) == (True, False)
    assert tf.complex128.is_complex and tf.bool.is_bool
    assert (tf.uint8.is_unsigned, tf.int8.is_unsigned) == (True, False)
    assert (tf.float64.size, tf.int8.size, tf.bool.size) == (8, 1, 1)
    assert (tf.complex64.real_dtype, tf.float32.real_dtype) == (tf.float32, tf.float32)
    assert tf.float32.as_numpy_dtype is np.float32 and tf.string.as_numpy_dtype is object
    assert tf.float32.base_dtype is tf.float32


def test_min_max_limits():
    assert tf.int8.max == 127 and tf.uint8.min == 0 and type(tf.int32.min) is int
    assert tf.float32.min == np.float32(-3.4028235e38) and type(tf.float32.min) is np.float32
    assert tf.float16.max == np.float16(65504.0) and type(tf.float64.max) is np.float64
    # TF's `limits` is an image value range with negatives clipped
    assert tf.int16.limits == (0, 32767) and tf.float32.limits == (0, 1)
    with pytest.raises(TypeError, match="Cannot find minimum value of <dtype: 'string'> with "
                                        "type <dtype: 'string'>."):
        tf.string.min  # noqa: B018
    with pytest.raises(TypeError):
        tf.bool.min  # noqa: B018


def test_cast():
    assert tf.cast(tf.constant([0.0, 2.0]), tf.bool).numpy().tolist() == [False, True]
    assert tf.cast(tf.constant([-1.7, 2.9]), tf.int32).numpy().tolist() == [-1, 2]
    assert tf.cast(tf.constant([-1, 256]), tf.uint8).numpy().tolist() == [255, 0]
    assert tf.cast(tf.constant([1 + 2j]), tf.float32).numpy().tolist() == [1.0]
    assert tf.dtypes.saturate_cast(tf.constant([-1.0, 300.0]), tf.uint8).numpy().tolist() == \
        [0, 255]
    t = tf.constant([1.0])
    assert tf.cast(t, tf.float32) is t
    with pytest.raises(UnimplementedError, match="Cast string to int32 is not supported"):
        tf.cast(tf.constant("1"), tf.int32)
