"""Free functions of `tf.data.experimental`."""

from __future__ import annotations


def cardinality(dataset):
    """The number of elements of `dataset` as an int64 tensor (-1 infinite, -2 unknown).

    Example: `tf.data.experimental.cardinality(tf.data.Dataset.range(3))` is 3.
    """
    return dataset.cardinality()
