"""tf.data behaviour (values checked against TF 2.21)."""

import numpy as np
import pytest

import nanotf as tf


def _np(ds):
    return [tuple(np.asarray(c).tolist() for c in e) if isinstance(e, tuple)
            else np.asarray(e).tolist() for e in ds.as_numpy_iterator()]


def test_slices_batch_and_remainder():
    ds = tf.data.Dataset.from_tensor_slices(([1, 2, 3], [4, 5, 6])).batch(2)
    assert _np(ds) == [([1, 2], [4, 5]), ([3], [6])]
    assert len(ds) == 2
    assert len(ds.unbatch()._parent) == 2
    assert _np(tf.data.Dataset.range(5).batch(2, drop_remainder=True)) == [[0, 1], [2, 3]]


def test_element_types_and_iterator_spellings():
    x = np.arange(12, dtype=np.uint8).reshape(4, 3)
    ds = tf.data.Dataset.from_tensor_slices((tf.cast(x, tf.float32) / 255, x[:, 0]))
    it = iter(ds.batch(3))
    a, b = it.next()
    assert a.dtype == tf.float32 and b.dtype == tf.uint8 and a.shape == (3, 3)
    a, b = next(it)
    assert a.shape == (1, 3)
    with pytest.raises(tf.errors.OutOfRangeError):
        it.get_next()


def test_dict_and_nested_structures():
    ds = tf.data.Dataset.from_tensor_slices({"a": [1, 2], "b": ([3., 4.], [5, 6])})
    first = next(iter(ds))
    assert sorted(first) == ["a", "b"]
    assert first["b"][0].dtype == tf.float32 and int(first["b"][1]) == 5


def test_mismatched_lengths_raise():
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.data.Dataset.from_tensor_slices(([1, 2, 3], [1, 2]))


def test_map_filter_repeat_take_skip_enumerate():
    ds = tf.data.Dataset.range(10).filter(lambda v: v % 2 == 0).map(lambda v: v * 10)
    assert _np(ds) == [0, 20, 40, 60, 80]
    assert _np(tf.data.Dataset.range(3).repeat(2)) == [0, 1, 2, 0, 1, 2]
    assert _np(tf.data.Dataset.range(10).skip(7)) == [7, 8, 9]
    assert _np(tf.data.Dataset.range(10).take(2)) == [0, 1]
    assert _np(tf.data.Dataset.range(2).enumerate(5)) == [(5, 0), (6, 1)]
    tup = tf.data.Dataset.from_tensor_slices(([1, 2], [3, 4])).map(lambda a, b: a + b)
    assert _np(tup) == [4, 6]


def test_cardinality():
    ds = tf.data.Dataset.range(10)
    assert int(ds.cardinality()) == 10
    assert int(ds.repeat().cardinality()) == tf.data.INFINITE_CARDINALITY
    assert int(ds.filter(lambda v: True).cardinality()) == tf.data.UNKNOWN_CARDINALITY
    assert int(tf.data.experimental.cardinality(ds.batch(3))) == 4
    with pytest.raises(TypeError):
        len(ds.repeat())


def test_shuffle_is_a_permutation_and_seeded():
    a = _np(tf.data.Dataset.range(100).shuffle(100, seed=3))
    b = _np(tf.data.Dataset.range(100).shuffle(100, seed=3))
    assert sorted(a) == list(range(100)) and a == b and a != list(range(100))
    small = _np(tf.data.Dataset.range(50).shuffle(4, seed=1))
    assert sorted(small) == list(range(50))
    # element v enters a 4-slot buffer only after v - 4 elements have left it
    assert all(pos >= v - 4 for pos, v in enumerate(small))


def test_shuffle_reshuffles_each_iteration_unless_told():
    ds = tf.data.Dataset.range(30).shuffle(30, seed=2)
    assert _np(ds) != _np(ds)
    ds2 = tf.data.Dataset.range(30).shuffle(30, seed=2, reshuffle_each_iteration=False)
    assert _np(ds2) == _np(ds2)


def test_shuffled_batches_gather_rows_together():
    x = np.arange(1000).reshape(1000, 1)
    y = np.arange(1000)
    for xb, yb in tf.data.Dataset.from_tensor_slices((x, y)).shuffle(1000).batch(64):
        np.testing.assert_array_equal(xb.numpy()[:, 0], yb.numpy())


def test_from_generator_zip_concatenate_padded_batch():
    def gen():
        for i in range(1, 4):
            yield [1] * i, i

    ds = tf.data.Dataset.from_generator(gen, output_types=(tf.int32, tf.int64),
                                        output_shapes=([None], []))
    out = _np(ds.padded_batch(3))
    assert out == [([[1, 0, 0], [1, 1, 0], [1, 1, 1]], [1, 2, 3])]
    z = tf.data.Dataset.zip((tf.data.Dataset.range(3), tf.data.Dataset.range(5)))
    assert _np(z) == [(0, 0), (1, 1), (2, 2)]
    assert _np(tf.data.Dataset.range(2).concatenate(tf.data.Dataset.range(1))) == [0, 1, 0]


def test_reduce_prefetch_cache_interleave():
    assert int(tf.data.Dataset.range(5).reduce(np.int64(0), lambda s, v: s + v)) == 10
    assert _np(tf.data.Dataset.range(5).prefetch(tf.data.AUTOTUNE)) == [0, 1, 2, 3, 4]
    assert _np(tf.data.Dataset.range(3).cache()) == [0, 1, 2]
    ds = tf.data.Dataset.range(2).interleave(
        lambda v: tf.data.Dataset.from_tensors(v).repeat(2), cycle_length=2)
    assert _np(ds) == [0, 1, 0, 1]
